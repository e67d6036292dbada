"""The support pages, parsed as a browser would (html5lib), without a browser.

replay --html and check --html: one valid HTML5 file, no script nor external resource,
a Content-Security-Policy that forbids scripts, the structure staff rely on (title,
header, situation first, table of contents, timeline table, screens as HTML), and a
hostile state that stays text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import html5lib
import pytest

from helpers import modules_loaded_by, write_state
from html_states import BIDI, JS_URL, PROBE, SCRIPT, folder_of_users, hostile_state

NS = "{http://www.w3.org/1999/xhtml}"


def parse(path: Path) -> Any:
    """The document tree; html5lib in strict mode fails on any parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(path.read_bytes(), transport_encoding="utf-8")


def elements(tree: Any, tag: str) -> list[Any]:
    return list(tree.iter(NS + tag))


def text_of(element: Any) -> str:
    return "".join(element.itertext())


def assert_no_active_content(tree: Any, html: str) -> None:
    for tag in ("script", "iframe", "object", "embed", "img", "svg", "link", "base", "form"):
        assert not elements(tree, tag), tag
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert "javascript:" not in value.lower(), (element.tag, name, value)
            assert name not in ("src", "srcset", "action", "formaction"), name
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    for anchor in elements(tree, "a"):
        href = anchor.get("href")
        assert href, text_of(anchor)
        assert href.startswith(("#", "https://", "http://")), href
        if href.startswith("#"):
            assert href[1:] in ids, href
    csp = [m for m in elements(tree, "meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1 and "default-src 'none'" in csp[0].get("content")
    assert "script-src" not in csp[0].get("content")  # default-src 'none' covers scripts
    assert "\x1b" not in html and "\x07" not in html and "osc.example" not in html
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200b]", html)


def test_replay_page_structure(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "dupont.toml"
    write_state(state, until="operator.request-authorisation")
    out = tmp_path / "rapport.html"
    result = cli("replay", str(state), "--html", str(out))
    assert result.code == 0, result.err
    assert out.stat().st_mode & 0o777 == 0o600
    html = out.read_text("utf-8")
    tree = parse(out)
    assert_no_active_content(tree, html)
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    assert root.get("lang") == "fr"
    title = text_of(elements(tree, "title")[0])
    assert "Camille EXEMPLE" in title and "31/01/2026" in title
    header = text_of(elements(tree, "header")[0])
    for needle in ("camille.exemple@exemple.fr", "BE-ORG-OP-5", "fr", "0.1.0", "31/01/2026 10:00"):
        assert needle in header, needle
    # where the user stands comes first, before the timeline and the screens
    sections = [s.get("id") for s in elements(tree, "section") if s.get("id")]
    assert sections[:4] == ["situation", "etapes-majeures", "chronologie", "ecrans"]
    situation = " ".join(
        text_of(next(s for s in elements(tree, "section") if s.get("id") == "situation")).split()
    )
    assert "operator.request-authorisation" in situation and "l'utilisateur" in situation
    # the table of contents links every part
    toc = elements(tree, "nav")[0]
    assert [a.get("href") for a in toc.iter(NS + "a")][:4] == [
        "#situation",
        "#etapes-majeures",
        "#chronologie",
        "#ecrans",
    ]
    # a progress bar by stage: five stages with their status
    stages = [li for ol in elements(tree, "ol") if "stages" in (ol.get("class") or "") for li in ol]
    assert len(stages) == 5 and stages[0].get("class") == "done"
    # the timeline is a real table: a header row and a row per event
    table = next(t for t in elements(tree, "table"))
    headers = [text_of(th) for th in table.iter(NS + "th")]
    assert headers == ["Date et heure", "Écart", "Évènement", "Étape", "Détail"]
    assert len(next(iter(table.iter(NS + "tbody")))) > 10
    # screens are HTML (fields as dt/dd, buttons as text), not box-drawing in a <pre>
    assert not elements(tree, "pre") and "─" not in html and "╭" not in html
    articles = [a for a in elements(tree, "article") if a.get("id") == "etape-eu-login-form"]
    assert articles, "the form step's screen"
    fields = [text_of(dd) for dd in articles[0].iter(NS + "dd")]
    assert "Camille" in fields and "camille.exemple@exemple.fr" in fields
    welcome = next(a for a in elements(tree, "article") if a.get("id") == "etape-eu-login-welcome")
    assert any(
        a.get("href") == "https://webgate.ec.europa.eu/tracesnt/login"
        for a in welcome.iter(NS + "a")
    )
    assert "@media print" in html and "@media (max-width" in html


def test_hostile_state_renders_as_inert_text(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "hostile.toml"
    hostile_state(state)
    out = tmp_path / "hostile.html"
    assert cli("replay", str(state), "--html", str(out)).code == 0
    html = out.read_text("utf-8")
    tree = parse(out)
    assert_no_active_content(tree, html)
    text = text_of(tree.getroot() if hasattr(tree, "getroot") else tree)
    assert SCRIPT in text and PROBE in text and JS_URL in text  # shown, as text
    assert "⟨U+202E⟩" in text and "⟨U+200B⟩" in text  # bidi and invisible made visible
    assert BIDI not in text
    # the http address in the note is a link; the javascript: one is not
    hrefs = {a.get("href") for a in elements(tree, "a")}
    assert "https://exemple.fr/aide" in hrefs
    # the problem and the block are highlighted rows
    classes = [tr.get("class") or "" for tr in elements(tree, "tr")]
    assert any("problem" in c for c in classes) and any("blocked" in c for c in classes)


def test_folder_page_rows_counts_and_unusable_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = folder_of_users(tmp_path / "suivi")
    hostile_state(folder / "f-hostile.toml")
    out = tmp_path / "suivi.html"
    result = cli("check", str(folder), "--html", str(out))
    assert result.code == 2, result.err  # an unusable file, as check
    assert out.stat().st_mode & 0o777 == 0o600
    html = out.read_text("utf-8")
    tree = parse(out)
    assert_no_active_content(tree, html)
    users = next(t for t in elements(tree, "table") if "users" in (t.get("class") or ""))
    headers = [text_of(th) for th in users.iter(NS + "th")]
    assert len(headers) == 10 and headers[0] == "Nom" and headers[-1] == "Fichier"
    assert "Bloqué parce que" in headers and "Dernier problème signalé (guichet)" in headers
    rows = list(next(iter(users.iter(NS + "tbody"))))
    names = [text_of(row[0]) for row in rows]
    # what needs action first: the blocked ones, the one waiting for the control body,
    # the one in progress, the one who has access last
    order = ["BLOQUÉ", "ATTENTE", "ENCOURS", "FINI"]
    positions = [next(i for i, n in enumerate(names) if word in n) for word in order]
    assert positions == sorted(positions), names
    waiting = next(row for row in rows if "ATTENTE" in text_of(row[0]))
    assert text_of(waiting[7]).strip().isdigit()  # days since the authorisation request
    assert "Certipaq" in text_of(waiting[4])  # who must act
    counts = text_of(next(s for s in elements(tree, "section") if s.get("id") == "effectifs"))
    assert "authorisation-requested" in counts and "Toutes les étapes faites" in counts
    unusable = text_of(next(s for s in elements(tree, "section") if s.get("id") == "inutilisables"))
    assert "e-casse.toml" in unusable and "TOML invalide" in unusable


def test_folder_page_exit_codes_follow_check(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = folder_of_users(tmp_path / "suivi", broken=False)
    assert cli("check", str(folder), "--html", str(tmp_path / "a.html")).code == 1
    done = folder / "d-fini.toml"
    assert cli("check", str(done), "--html", str(tmp_path / "b.html")).code == 0


@pytest.mark.parametrize("target", ["folder", "input"])
def test_folder_page_never_replaces_an_input(cli, tmp_path: Path, target: str) -> None:  # type: ignore[no-untyped-def]
    folder = folder_of_users(tmp_path / "suivi", broken=False)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = folder if target == "folder" else folder / "a-bloque.toml"
    result = cli("check", str(folder), "--html", str(out))
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_page_written_over_a_symlink_replaces_the_link_not_its_target(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    write_state(state, until="traces.home")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", "utf-8")
    out = tmp_path / "rapport.html"
    out.symlink_to(victim)
    assert cli("replay", str(state), "--html", str(out)).code == 0
    assert victim.read_text("utf-8") == "keep"
    assert not out.is_symlink() and out.stat().st_mode & 0o777 == 0o600


def test_a_folder_that_cannot_be_written_is_one_clear_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    write_state(state, until="traces.home")
    for args in (
        ("replay", str(state), "--html", str(tmp_path / "absent" / "r.html")),
        ("replay", str(state), "--redact", str(tmp_path / "absent" / "r.toml")),
        ("check", str(state), "--html", str(tmp_path / "absent" / "r.html")),
    ):
        result = cli(*args)
        assert result.code == 2 and result.err.count("\n") == 1, result.err
        assert "absent" in result.err and "Traceback" not in result.err


def test_reading_commands_do_not_load_jinja(tmp_path: Path) -> None:
    state = tmp_path / "s.toml"
    write_state(state, until="traces.home")
    assert modules_loaded_by(["check", "--json", str(state)], 1, ("jinja2",)) == []
    assert modules_loaded_by(["status", "--json", "--state", str(state)], 0, ("jinja2",)) == []
    assert modules_loaded_by(
        ["check", str(state), "--html", str(tmp_path / "r.html")], 1, ("jinja2",)
    ) == ["jinja2"]


def _section(tree: Any, anchor: str) -> Any:
    return next(s for s in elements(tree, "section") if s.get("id") == anchor)


def test_folder_page_shows_who_asked_for_help_and_the_required(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from html_states import thirty_clients

    folder = thirty_clients(tmp_path / "clients")
    out = tmp_path / "suivi.html"
    result = cli("check", str(folder), "--html", str(out), "--require", "access-granted")
    assert result.code == 1, result.err
    tree = parse(out)
    # who asked for help: a group of its own, each with the entry and the desk that acts
    helped = _section(tree, "problemes")
    rows = list(next(iter(helped.iter(NS + "tbody"))))
    assert len(rows) == 8  # thirty_clients reports a problem for one in four
    for row in rows:
        name, entry, desk = (text_of(cell) for cell in row[:3])
        assert "@negoce-bio.fr" in name
        assert entry == "« Ma demande d'autorisation reste en attente » (pending-long)"
        assert "Certipaq BIO" in desk
    toc = [a.get("href") for a in elements(tree, "a")]
    assert "#problemes" in toc
    # the users' table: the problem column and the required milestone's column
    users = next(t for t in elements(tree, "table") if "users" in (t.get("class") or ""))
    headers = [text_of(th) for th in users.iter(NS + "th")]
    assert "Jalon exigé « access-granted »" in headers
    column = headers.index("Jalon exigé « access-granted »")
    cells = [text_of(row[column]) for row in next(iter(users.iter(NS + "tbody")))]
    assert cells.count("✔ atteint") == 4 and cells.count("✖ non atteint") == 26
    problem = headers.index("Dernier problème signalé (guichet)")
    problems = [text_of(row[problem]) for row in next(iter(users.iter(NS + "tbody")))]
    assert sum("pending-long" in cell for cell in problems) == 8
    counts = " ".join(text_of(_section(tree, "effectifs")).split())
    assert "4 sur 30 ont atteint le jalon exigé « access-granted »" in counts
    # without --require, no such column, no such sentence
    plain = tmp_path / "plain.html"
    cli("check", str(folder), "--html", str(plain))
    assert "Jalon exigé" not in plain.read_text("utf-8")


def test_folder_page_counts_are_french_plurals(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = folder_of_users(tmp_path / "suivi")  # one of each, and one unusable file
    out = tmp_path / "one.html"
    cli("check", str(folder), "--html", str(out))
    counts = " ".join(text_of(_section(parse(out), "effectifs")).split())
    assert "1 bloqué " in counts and "1 attend l'organisme de contrôle" in counts
    assert "1 fichier inutilisable" in counts and "1 a obtenu l'accès" in counts
    assert "Suivi de 5 fichiers d'état" in text_of(elements(parse(out), "title")[0])
    from html_states import thirty_clients

    many = thirty_clients(tmp_path / "clients")
    out = tmp_path / "many.html"
    cli("check", str(many), "--html", str(out))
    counts = " ".join(text_of(_section(parse(out), "effectifs")).split())
    assert re.search(r"\b\d+ bloqués\b", counts) and "0 fichier inutilisable" in counts
    assert re.search(r"\b\d+ attendent l'organisme de contrôle", counts)
    assert not re.search(r"\b([2-9]|\d\d+) (bloqué|fichier|attend)\b", counts), counts


# --- the folder page of many files: drawn by the workers, the same page ------------------------

HOSTILE_NAME = f'{SCRIPT}&"{BIDI}\x1b[31m.toml'.replace("/", "⁄")  # no folder separator


def hostile_folder(folder: Path) -> Path:
    """Users at every point, thirty clients, a hostile user under a hostile file name and
    a broken file."""
    from html_states import thirty_clients

    folder_of_users(folder)
    thirty_clients(folder)
    hostile_state(folder / HOSTILE_NAME)
    return folder


def folder_pages(
    paths: list[Path], require: str | None, monkeypatch: pytest.MonkeyPatch, **parallel: int
) -> tuple[tuple[str, int], tuple[str, int]]:
    """The page made in the main process, then the page made through the forked workers
    (``check`` with *parallel*'s ``PARALLEL_MIN`` and ``_CHUNK``), at the same moment."""
    from datetime import UTC, datetime

    from tracesguide.content import load
    from tracesguide.reports import check
    from tracesguide.views.html import folder_page

    now = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
    with monkeypatch.context() as serial:
        serial.setattr(check, "PARALLEL_MIN", 10**9)
        alone = folder_page.page(load(), paths, require, now)
    with monkeypatch.context() as forked:
        for name, value in parallel.items():
            forked.setattr(check, name, value)
        assert sum(1 for _ in check.targets(paths)) >= check.PARALLEL_MIN
        shared = folder_page.page(load(), paths, require, now)
    return alone, shared


@pytest.mark.parametrize("require", [None, "access-granted"])
def test_folder_page_drawn_by_the_workers_is_the_page_drawn_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, require: str | None
) -> None:
    """Past ``PARALLEL_MIN`` files the workers draw the rows: the same page, byte for
    byte (rows, order, counts, problems, unusable files, escaping), hostile names too."""
    folder = hostile_folder(tmp_path / "suivi")
    paths = [folder, tmp_path / "absent.toml"]  # a missing file: judged in the parent
    alone, shared = folder_pages(paths, require, monkeypatch, PARALLEL_MIN=2, _CHUNK=3)
    assert shared == alone
    html, code = shared
    assert code == 2  # the broken and the missing files, as check
    out = tmp_path / "page.html"
    out.write_text(html, "utf-8")
    tree = parse(out)
    assert_no_active_content(tree, html)
    text = text_of(tree.getroot() if hasattr(tree, "getroot") else tree)
    assert SCRIPT in text and "⟨U+202E⟩" in text and PROBE in text  # shown, as text
    users = next(t for t in elements(tree, "table") if "users" in (t.get("class") or ""))
    assert len(list(next(iter(users.iter(NS + "tbody"))))) == 4 + 30 + 1
    problems = next(t for t in elements(tree, "table") if "problems" in (t.get("class") or ""))
    assert len(list(next(iter(problems.iter(NS + "tbody"))))) >= 2


def test_folder_page_of_two_thousand_files_is_the_page_drawn_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the real threshold (``PARALLEL_MIN`` files, chunks of ``_CHUNK``): the same page."""
    from tracesguide.reports import check

    models = sorted(hostile_folder(tmp_path / "models").glob("*.toml"))
    folder = tmp_path / "suivi"
    folder.mkdir()
    for index in range(check.PARALLEL_MIN + 100):
        model = models[index % len(models)]
        (folder / f"{index:05d}-{model.name}").hardlink_to(model)
    alone, shared = folder_pages([folder], None, monkeypatch)
    assert shared == alone
    assert shared[0].count('<tr class="problem">') > 100
