"""tracesguide replay: the support view of someone else's file, read-only and inert."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import corpus_files
from helpers import APP_ANSWERS, T0, advance, modules_loaded_by, write_hostile_state, write_state
from test_reading_commands import BAD_FILES, assert_one_clear_error
from tracesguide.content import load
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.system.sanitize import inert
from tracesguide.views.replay_text import format_gap

CONTENT = load()

# Anything a terminal would act on: ESC, C0 (but tab and newline), DEL, C1, bidi controls.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

SMS_ANSWERS = {
    **APP_ANSWERS,
    "second_factor_method": "sms",
    "sms_route": "direct",
    "phone_masked": "+33 6 •• •• •• 78",
}

# Hostile strings: escape sequences, OSC 8 hyperlink, bell, cursor moves, C1, bidi, markup.
CSI_RED = "\x1b[31mROUGE\x1b[0m"
OSC8 = "\x1b]8;;https://osc.example/piege\x1b\\cliquez\x1b]8;;\x1b\\"
CURSOR = "\x1b[2J\x1b[H\x1b[5Aeffacé\x07\x07"
C1 = "\x9b31mhuit\x9d0;titre\x9c\x85fin"
BIDI = "abc\u202edcba\u2066x\u2069"
MARKUP = "[bold red]x[/]"
LINK = "[link=https://markup.example]clic[/link]"
SCRIPT = "<script>alert(1)</script>"


def hostile_state(path: Path) -> State:
    """A real state, written by the real code, whose every free string is hostile."""
    step = "operator.request-authorisation"
    answers = {
        "first_name": MARKUP + CSI_RED,
        "last_name": LINK + BIDI,
        "email": OSC8 + "@exemple.fr",
        "phone_masked": CURSOR + C1,
        "operator_name": SCRIPT,
    }
    events = [
        ("shown", step, "", 0),
        ("note", step, MARKUP + OSC8 + C1, 0),
        ("problem", CSI_RED + BIDI, LINK + CURSOR, 3),
        ("later", step, SCRIPT + CSI_RED, 0),
    ]
    return write_hostile_state(path, answers, events, "0.1\x1b[2K\u202e", timedelta(hours=1))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every entry of a folder: bytes, mode, mtime (ns)."""
    return {
        p.name: (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def assert_inert(out: str) -> None:
    found = FORBIDDEN.findall(out)
    assert not found, sorted({hex(ord(c)) for c in found})
    assert "osc.example" not in out  # the OSC 8 target never reaches the terminal


def flat(text: str) -> str:
    return " ".join(text.split())


# --- what it shows --------------------------------------------------------------------


def test_replay_shows_who_answers_where_and_each_seen_screen(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dupont.toml"
    write_state(path, {**APP_ANSWERS, "has_certificate": "no"})
    result = cli("replay", str(path), "--full")
    assert result.code == 0, result.err
    out = result.out
    assert "Camille EXEMPLE" in out and "camille.exemple@exemple.fr" in out
    assert "0.1.0" in out and "31/01/2026 10:00 UTC" in out
    # where the user stands and why it is blocked, first
    head = flat("\n".join(out.splitlines()[:24]))
    # the blocked step is where the user stands: « Où » names it, « Ce qui bloque » says why
    assert "Ce qui bloque" in head and "(operator.certificate)" in head
    assert "Organic Import" in flat(out)
    # each step with a status, rendered as the user saw it (personalised)
    for step_id in ("eu-login.welcome", "eu-login.form", "operator.certificate"):
        assert f"─── {step_id}" in out
    assert "[ Camille ]" in out
    assert "─── operator.search" not in out  # never reached
    assert result.err == ""


def test_timeline_shows_the_time_between_events(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sms.toml"
    saved = advance(State.new(now=T0), CONTENT, SMS_ANSWERS, until="second-factor.sms.finalise")
    sms = T0.replace(hour=14, minute=2)
    # dated, not the clock's: a run at 14:21 must not find this line for the problem's
    saved.answer(
        "phone_masked", SMS_ANSWERS["phone_masked"], "second-factor.sms.add-number", now=sms
    )
    saved.record("shown", "second-factor.sms.finalise", now=sms)
    saved.record(
        "problem", "second-factor.sms.finalise", "sms-not-received", now=sms.replace(minute=21)
    )
    saved.record("later", "second-factor.sms.finalise", now=sms.replace(hour=16, minute=30))
    state_module.save(saved, path)
    out = cli("replay", str(path), "--full").out
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("14:21 · 15:21"))
    assert "+19 min" in lines[at] and "problème signalé" in lines[at]
    assert "Je n'ai pas reçu le SMS" in lines[at + 1]  # its detail, below
    later_line = next(line for line in lines if line.startswith("16:30 · 17:30"))
    assert "+2 h 09" in later_line
    assert "+33 6 •• •• •• 78" in out  # the masked phone, in the header
    # the screen the user was on, shown and marked as such
    assert "─── second-factor.sms.finalise" in out
    section = out.split("─── second-factor.sms.finalise", 1)[1]
    assert "jamais affiché" not in section.split("───", 1)[0]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "+0 s"), (59, "+59 s"), (60, "+1 min"), (19 * 60 + 5, "+19 min"), (3600, "+1 h 00"),
     (2 * 3600 + 9 * 60, "+2 h 09"), (3 * 86400 + 4 * 3600, "+3 j 4 h"), (-120, "−2 min")],
)  # fmt: skip
def test_format_gap(seconds: int, text: str) -> None:
    assert format_gap(seconds) == text


def test_step_option_shows_one_step_and_its_events(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, until="traces.choose-role")
    result = cli("replay", str(path), "--step", "eu-login.form")
    assert result.code == 0, result.err
    assert "─── eu-login.form" in result.out and "[ Camille ]" in result.out
    assert "clé « email »" in result.out  # its events
    assert "─── eu-login.welcome" not in result.out
    assert "Chronologie" not in result.out


def test_step_option_unknown_id_names_the_closest(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, until="traces.choose-role")
    result = cli("replay", str(path), "--step", "eu-login.frm")
    assert_one_clear_error(result)
    assert "eu-login.form" in result.err and result.out == ""


def test_a_file_without_events_or_answers(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "new.toml"
    state_module.save(State.new(now=T0), path)
    result = cli("replay", str(path))
    assert result.code == 0, result.err
    assert "(aucun évènement)" in result.out and "(non renseigné)" in result.out


# --- untrusted content ------------------------------------------------------------------


def test_hostile_strings_are_printed_inert_and_markup_literally(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hostile.toml"
    hostile_state(path)
    raw = path.read_bytes()
    assert b"\\u001b" in raw  # the escapes really are in the file
    result = cli("replay", str(path))
    assert result.code == 0, result.err
    assert_inert(result.out)
    assert MARKUP in result.out and LINK in result.out and SCRIPT in result.out
    assert "ROUGE" in result.out and "cliquez@exemple.fr" in result.out
    # bidi overrides shown as visible escapes, never applied; the letters kept in order
    assert "abc⟨U+202E⟩dcba⟨U+2066⟩x⟨U+2069⟩" in result.out


def test_raw_c1_and_bidi_bytes_in_the_file_are_inert(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "raw.toml"
    write_state(path, until="traces.welcome")
    # C1 and bidi characters are legal, unescaped, in TOML strings: put them in raw.
    text = path.read_text("utf-8").replace('"Camille"', '"Ca\u0085mi\u009b2Jl\u202ele"')
    path.write_text(text, "utf-8")
    assert "\u202e" in path.read_text("utf-8")
    result = cli("replay", str(path))
    assert result.code == 0, result.err
    assert_inert(result.out)


def test_raw_bytes_on_stdout_from_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "hostile.toml"
    hostile_state(path)
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "tracesguide", "replay", str(path)], capture_output=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
    out = done.stdout.decode("utf-8")
    assert_inert(out)
    assert MARKUP in out


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_are_one_clear_error(cli, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.toml"
    path.write_bytes(BAD_FILES[name])
    result = cli("replay", str(path))
    assert_one_clear_error(result, path, BAD_FILES[name])
    assert result.out == ""


def test_wrong_types_and_missing_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, until="traces.welcome")
    good = path.read_text("utf-8")
    for bad in (
        good.replace('kind = "done"', "kind = 3", 1),
        good.replace('status = "done"', 'status = ["done"]', 1),
        good.replace('first_name = "Camille"', "first_name = { a = 1 }"),
        good.replace("created = 2026-01-31 10:00:00+00:00", "created = 2026-01-31"),
    ):
        assert bad != good
        path.write_text(bad, "utf-8")
        assert_one_clear_error(cli("replay", str(path)))
    assert_one_clear_error(cli("replay", str(tmp_path / "missing.toml")))
    assert_one_clear_error(cli("replay", str(tmp_path)))


def test_every_toml_test_file_is_one_clear_error(cli) -> None:  # type: ignore[no-untyped-def]
    files = corpus_files()
    assert len(files) > 700
    for path in files:
        result = cli("replay", str(path))
        assert result.code == 2, path
        assert_one_clear_error(result)
        assert result.out == ""


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_inert_never_lets_a_control_through(text: str) -> None:
    assert not FORBIDDEN.search(inert(text))
    one_line = inert(text, single_line=True)
    assert not FORBIDDEN.search(one_line) and "\n" not in one_line and "\t" not in one_line


@given(st.lists(st.sampled_from([CSI_RED, OSC8, CURSOR, C1, BIDI, "\x1b", "\x9b", "a", "é"])))
def test_inert_on_sequences_of_hostile_pieces(pieces: list[str]) -> None:
    assert not FORBIDDEN.search(inert("".join(pieces)))


# --- read-only ----------------------------------------------------------------------------


def test_replay_never_writes_the_file_or_anything_beside_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "user"
    folder.mkdir()
    path = folder / "state.toml"
    hostile_state(tmp_path / "written.toml")  # saving leaves a lock file: copy the bytes only
    path.write_bytes((tmp_path / "written.toml").read_bytes())
    path.chmod(0o644)
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = snapshot(folder)
    out_dir = tmp_path / "tickets"
    out_dir.mkdir()
    for args in (
        [],
        ["--step", "eu-login.form"],
        ["--step", "nope"],
        ["--html", str(out_dir / "r.html")],
    ):
        cli("replay", str(path), *args)
        assert snapshot(folder) == before, args
    assert not (folder / "state.toml.lock").exists()


def test_replay_of_a_read_only_file_in_a_read_only_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "state.toml"
    write_state(path, until="traces.welcome")
    path.chmod(0o400)
    folder.chmod(0o500)
    try:
        result = cli("replay", str(path))
        assert result.code == 0, result.err
    finally:
        folder.chmod(0o700)


# --- HTML -------------------------------------------------------------------------------------


def test_html_report_is_standalone_private_and_inert(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hostile.toml"
    hostile_state(path)
    out = tmp_path / "tickets" / "rapport.html"
    out.parent.mkdir()
    result = cli("replay", str(path), "--html", str(out))
    assert result.code == 0, result.err
    assert "rapport.html" in result.out
    html = out.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert out.stat().st_mode & 0o777 == 0o600
    lowered = html.lower()
    for active in ("<script", "<link", "<iframe", "<img", "src=", "javascript:"):
        assert active not in lowered, active
    # links: the table of contents and the content's own http(s) addresses only
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("#", "https://", "http://")), href
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)
    # the same report: who, timeline, where, the screens
    text = re.sub(r"<[^>]+>", "", html)
    for needle in ("Chronologie", "Réponse au ticket", "operator.search", "+3 min"):
        assert needle in text, needle
    assert "[bold red]x[/]" in text


def test_html_never_replaces_the_state_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "user"
    folder.mkdir()
    path = folder / "s.toml"
    write_state(tmp_path / "written.toml", until="traces.welcome")
    before = (tmp_path / "written.toml").read_bytes()
    path.write_bytes(before)
    (folder / "sub").mkdir()
    link = folder / "link.toml"
    link.symlink_to(path)
    for out in (path, folder / "sub" / ".." / "s.toml", link, folder / "sub"):
        result = cli("replay", str(path), "--html", str(out))
        assert_one_clear_error(result, path, before)
    assert sorted(p.name for p in folder.iterdir()) == ["link.toml", "s.toml", "sub"]


def test_replay_loads_neither_questionary_nor_keyring(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    write_state(path, until="traces.choose-role")
    assert modules_loaded_by(["replay", str(path)]) == []
