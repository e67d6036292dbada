"""Take the screenshots of the support pages shown in docs/support.md.

Builds sample state files with the real code (placeholder people only), writes the
replay page and the folder report as ``replay --html`` and ``check --html`` do, with a
fixed "now" so that the pictures do not change from one run to the next, and
photographs them in headless Chromium (Debian's package, through Playwright):

    python scripts/screenshots.py [--out docs/img] [--chromium /usr/bin/chromium]

Writes replay-1280.png, replay-360.png, folder-1280.png and folder-360.png (the top of
each page, as a person first sees it).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers import CHROMIUM_FLAGS, T0, advance  # noqa: E402  (the tests' walker: answers, then done)
from tracesguide.content import load  # noqa: E402
from tracesguide.state import State  # noqa: E402
from tracesguide.state import store as state_module  # noqa: E402
from tracesguide.views.html import folder_page, replay_page  # noqa: E402

NOW = datetime(2026, 2, 16, 9, 30, tzinfo=UTC)
BASE = {
    "email_language": "fr",
    "second_factor_method": "sms",
    "sms_route": "direct",
    "phone_masked": "+33 6 •• •• •• 78",
    "role": "operator",
    "has_certificate": "yes",
    "operator_name": "ENTREPRISE EXEMPLE SARL",
    "operator_traces_number": "XX-ORG-OP-0",
}
# (file, first name, last name, stop before, extra answers, days before T0)
USERS = (
    ("prenom-nom.toml", "Prénom", "NOM", "second-factor.sms.finalise", {}, 0),
    ("prenom-attente.toml", "Prénom", "ATTENTE", "access.wait-validation", {}, 12),
    ("prenom-certificat.toml", "Prénom", "CERTIFICAT", None, {"has_certificate": "no"}, 5),
    ("prenom-debut.toml", "Prénom", "DÉBUT", "eu-login.set-password", {}, 2),
    ("prenom-fini.toml", "Prénom", "FINI", None, {}, 20),
)


def sample_folder(folder: Path) -> Path:
    content = load()
    for name, first, last, until, extra, days in USERS:
        answers = {
            **BASE,
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower()}.{last.lower()}@exemple.fr".replace("é", "e"),
            **extra,
        }
        start = T0 - timedelta(days=days)
        saved = advance(State.new(now=start), content, answers, until=until, start=start)
        saved.answers["phone_masked"] = BASE["phone_masked"]  # asked as "phone", kept masked
        if name == "prenom-nom.toml":  # the SMS that came late, as in docs/support.md
            step = "second-factor.sms.finalise"
            saved.record("shown", step, now=saved.updated + timedelta(minutes=1))
            late = saved.updated + timedelta(minutes=19)
            saved.record("problem", step, "sms-not-received", now=late)
            saved.record("later", step, now=late)
        state_module.save(saved, folder / name)
    (folder / "illisible.toml").write_text("pas = [du toml", "utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    content = load()
    work = Path(tempfile.mkdtemp(prefix="tracesguide-shots-"))
    try:
        folder = sample_folder(work / "suivi")
        user = folder / "prenom-nom.toml"
        pages = {
            "replay": replay_page.page(
                content, Path("prenom-nom.toml"), state_module.load(user), now=NOW
            ),
            "folder": folder_page.page(content, [folder], now=NOW)[0].replace(str(folder), "suivi"),
        }
        args.out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
            for name, html in pages.items():
                path = work / f"{name}.html"
                path.write_text(html, "utf-8")
                for width, height in ((1280, 900), (360, 780)):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(path.as_uri())
                    shot = args.out / f"{name}-{width}.png"
                    page.screenshot(path=str(shot))
                    page.close()
                    print(f"{shot} ({shot.stat().st_size // 1024} KiB)")
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
