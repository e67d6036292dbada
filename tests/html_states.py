"""State files for the HTML tests: an ordinary folder and a hostile user (real files)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from helpers import APP_ANSWERS, T0, advance, write_hostile_state
from tracesguide.content import load
from tracesguide.state import State
from tracesguide.state import store as state_module

CONTENT = load()
# Each probe would change the page's title or set window.x if it ever ran.
PROBE = "document.title='PWNED';window.x=1"
SCRIPT = f"<script>{PROBE}</script>"
IMG = f'<img src=x onerror="{PROBE}">'
SVG = f'"><svg onload="{PROBE}">'
JS_URL = f"javascript:{PROBE}"
TERMINAL = "\x1b[31mROUGE\x1b[0m\x1b]8;;https://osc.example/piege\x1b\\lien\x1b]8;;\x1b\\\x07"
BIDI = "abc\u202edcba\u2066x\u2069\u200b"


def hostile_state(path: Path) -> State:
    """A state written by the real code, every free string an attempt to run a script."""
    step = "operator.request-authorisation"
    answers = {
        "first_name": SCRIPT + TERMINAL,
        "last_name": IMG + BIDI,
        "email": JS_URL,
        "phone_masked": SVG,
        "operator_name": SCRIPT + " " + JS_URL,
    }
    events = [
        ("shown", step, "", 0),
        ("note", step, f"{IMG} voir {JS_URL} et https://exemple.fr/aide", 0),
        ("problem", step, SVG + TERMINAL, 3),
        ("blocked", step, SCRIPT + BIDI, 5),
    ]
    return write_hostile_state(path, answers, events, "0.1" + SCRIPT, timedelta(hours=2))


USERS = (
    # (file, first name, last name, stop before, extra answers)
    ("a-bloque.toml", "Prénom", "BLOQUÉ", None, {"has_certificate": "no"}),
    ("b-attente.toml", "Prénom", "ATTENTE", "access.wait-validation", {}),
    ("c-encours.toml", "Prénom", "ENCOURS", "traces.home", {}),
    ("d-fini.toml", "Prénom", "FINI", None, {}),
)


def folder_of_users(folder: Path, broken: bool = True) -> Path:
    """Four users at different points, and (with *broken*) one unusable file."""
    folder.mkdir(exist_ok=True)
    for name, first, last, until, extra in USERS:
        answers = {
            **APP_ANSWERS,
            "first_name": first,
            "last_name": last,
            "email": f"{last.lower()}@exemple.fr",
            **extra,
        }
        saved = advance(State.new(now=T0), CONTENT, answers, until=until)
        state_module.save(saved, folder / name)
    if broken:
        (folder / "e-casse.toml").write_text("pas = [du toml", "utf-8")
    return folder


# Thirty clients of a control body, as a manager prints them: long names, e-mails and
# company names, users blocked by the certificate (the longest reason the guide gives),
# problems reported, requests waiting.
FIRST = ("Marie-Amélie", "Jean-Baptiste", "Camille", "Louis", "Anne-Sophie", "Hugo")
LAST = ("DE LA FONTAINE", "LEFÈVRE-DUMONT", "MARTIN", "NGUYEN", "BERNARD-SAINT-CLAIR")
STOPS = (
    None,
    "access.wait-validation",
    "traces.home",
    "second-factor.app.scan-qr",
    "operator.search",
    "operator.request-authorisation",
)


def thirty_clients(folder: Path) -> Path:
    """Thirty state files written by the real code, their situations varied."""
    folder.mkdir(exist_ok=True)
    for index in range(30):
        first, last = FIRST[index % len(FIRST)], LAST[index % len(LAST)]
        answers = {
            **APP_ANSWERS,
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower()}.{last.lower().replace(' ', '-')}{index}@negoce-bio.fr",
            "operator_name": f"Société Coopérative des Producteurs Bio n° {index}",
            "operator_traces_number": f"FR-BIO-01.{10000 + index}",
        }
        if index % 5 == 0:
            answers["has_certificate"] = "no"  # blocked at the certificate
        until = STOPS[index % len(STOPS)]
        start = T0 + timedelta(days=index)
        saved = advance(State.new(now=start), CONTENT, answers, until=until, start=start)
        if index % 4 == 1:
            step = saved.events[-1].step
            saved.record("problem", step, "pending-long", now=start + timedelta(days=3))
        state_module.save(saved, folder / f"client-{index:02d}.toml")
    return folder
