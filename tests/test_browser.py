"""The support pages in a real browser: headless Chromium from the system (Debian's
``chromium`` package), driven by Playwright for Python without any browser download.

For each page (a replay, a hostile replay, a folder report) at 360 and 1280 px: no
console error, no script ran (the hostile state's probes would set ``document.title``
or ``window.x``), no horizontal scrolling, every link has an address, the print
stylesheet applies. A full-page screenshot of each is written to the test's folder
and its path printed (``pytest -rP`` shows it).

Skipped, with the reason, when Playwright or Chromium is missing; ``.ci/run`` installs
Chromium and sets TRACESGUIDE_REQUIRE_BROWSER=1, so that there they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from helpers import CHROMIUM_FLAGS, write_state
from html_states import folder_of_users, hostile_state

WIDTHS = (360, 1280)


def chromium_path() -> str | None:
    """TRACESGUIDE_CHROMIUM, else Debian's chromium on PATH."""
    named = os.environ.get("TRACESGUIDE_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def unavailable(reason: str) -> NoReturn:
    """Skip with *reason*; in CI (TRACESGUIDE_REQUIRE_BROWSER=1), fail instead."""
    if os.environ.get("TRACESGUIDE_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        unavailable(
            "no Chromium found: install Debian's package (apt-get install chromium) "
            "or set TRACESGUIDE_CHROMIUM to a Chromium binary"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def make_page(kind: str, folder: Path, cli: Any) -> Path:
    out = folder / f"{kind}.html"
    if kind == "replay":
        state = folder / "dupont.toml"
        write_state(state, until="operator.request-authorisation")
        result = cli("replay", str(state), "--html", str(out))
    elif kind == "hostile":
        state = folder / "hostile.toml"
        hostile_state(state)
        result = cli("replay", str(state), "--html", str(out))
    else:
        users = folder_of_users(folder / "suivi")
        hostile_state(users / "f-hostile.toml")
        result = cli("check", str(users), "--html", str(out))
    assert out.is_file(), result.err
    return out


def open_page(browser: Any, path: Path, width: int) -> tuple[Any, list[str]]:
    """The page loaded at *width*, and the console errors and warnings it raised."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems


@pytest.mark.parametrize("kind", ["replay", "hostile", "folder"])
def test_page_in_chromium(browser: Any, cli: Any, tmp_path: Path, kind: str) -> None:
    path = make_page(kind, tmp_path, cli)
    for width in WIDTHS:
        page, problems = open_page(browser, path, width)
        assert problems == [], problems
        # no script ran: the probes would have set these
        assert page.title() != "PWNED"
        assert ("Suivi de" if kind == "folder" else "Progression de") in page.title()
        assert page.evaluate("typeof window.x") == "undefined"
        assert page.evaluate("document.scripts.length") == 0
        # no horizontal scrolling
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{kind} at {width} px: {scroll} > {inner}"
        # every link has an address
        assert page.evaluate(
            "[...document.querySelectorAll('a')].every(a => a.getAttribute('href'))"
        )
        shot = tmp_path / f"{kind}-{width}.png"
        _screenshot(page, shot)
        print(f"screenshot: {shot}")
        # the print stylesheet applies: no table of contents on paper
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") == (
            "none"
        )
        page.emulate_media(media="screen")
        assert page.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") != (
            "none"
        )
        page.close()


def _screenshot(page: Any, shot: Path) -> None:
    """A full-page screenshot; Chromium sometimes answers « Unable to capture screenshot »
    on a busy machine (a compositor race, not the page): tried three times."""
    for attempt in range(3):
        try:
            page.screenshot(path=str(shot), full_page=True)
            return
        except Exception as error:  # playwright's Error: the same call may go through
            if attempt == 2 or "Unable to capture screenshot" not in str(error):
                raise
            page.wait_for_timeout(200)


A4_LANDSCAPE_CONTENT = 1062  # px at 96 dpi: 297 mm less the page's two 8 mm margins


@pytest.mark.parametrize("require", [None, "access-granted"])
def test_folder_page_printed_for_thirty_clients(
    browser: Any, cli: Any, tmp_path: Path, require: str | None
) -> None:
    """A manager prints the page of thirty clients: at most three A4 pages, every column
    at least 15 characters wide, nothing cut at the right edge."""
    from html_states import thirty_clients

    folder = thirty_clients(tmp_path / "clients")
    out = tmp_path / "suivi.html"
    args = ("--require", require) if require else ()
    cli("check", str(folder), "--html", str(out), *args)
    page = browser.new_page(viewport={"width": A4_LANDSCAPE_CONTENT, "height": 700})
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    pdf = tmp_path / "suivi.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
    print(f"printed: {pdf} ({pages} pages)")
    assert 1 <= pages <= 3, pages
    page.emulate_media(media="print")
    widths = page.evaluate(
        """() => {
        const table = document.querySelector('table.users');
        const probe = document.createElement('span');
        probe.style.cssText = 'display:inline-block;width:15ch';
        table.querySelector('td').appendChild(probe);
        const fifteen = probe.getBoundingClientRect().width;
        probe.remove();
        const columns = [...table.querySelectorAll('thead th')]
            .filter(th => getComputedStyle(th).display !== 'none')
            .map(th => [th.textContent, th.getBoundingClientRect().width]);
        return {fifteen, columns, scroll: document.documentElement.scrollWidth};
        }"""
    )
    assert len(widths["columns"]) >= 8, widths
    narrow = [(name, w) for name, w in widths["columns"] if w + 0.5 < widths["fifteen"]]
    assert narrow == [], (widths["fifteen"], narrow)
    assert widths["scroll"] <= A4_LANDSCAPE_CONTENT, widths["scroll"]
    # the paper keeps what the manager acts on: « Bloqué parce que » and the problems
    text = page.inner_text("body")
    assert "Bloqué parce que" in text and "Ont signalé un problème" in text
    assert "En attente du certificat" in text
    page.close()
