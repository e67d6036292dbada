"""steps, show and status, as a user runs them: output, exit codes, bad state files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import corpus_files
from helpers import APP_ANSWERS, HEAVY, modules_loaded_by, write_state
from tracesguide.content import load
from tracesguide.i18n import t
from tracesguide.state import store as state_module
from tracesguide.system import hints

CONTENT = load()


def flat(text: str) -> str:
    """Text with rich's line wrapping undone."""
    return " ".join(text.split())


READING = [["steps"], ["show", "eu-login.form"], ["status"], ["status", "--json"]]


def test_steps_lists_the_five_stages_and_every_step(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("steps")
    assert result.code == 0
    for stage in CONTENT.stages:
        assert f"{stage.number}. {stage.title}" in result.out
    for step in CONTENT.steps:
        assert step.id in result.out
    assert "tracesguide setup" in result.out  # nothing saved yet


def test_steps_marks_progress(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, until="operator.certificate")
    out = cli("steps", "--state", str(path)).out
    assert "✔" in out and "➜" in out
    line = next(x for x in out.splitlines() if "operator.certificate" in x)
    assert line.lstrip().startswith("➜")


@pytest.mark.parametrize("step_id", [s.id for s in CONTENT.steps])
def test_show_renders_every_step(cli, step_id: str) -> None:  # type: ignore[no-untyped-def]
    step = CONTENT.step(step_id)
    result = cli("show", step_id)
    assert result.code == 0, result.err
    assert step.title in result.out
    assert step.screen.title in result.out
    assert "Source :" in result.out
    assert "{" not in result.out.replace("{{", "")  # every placeholder filled


def test_show_is_personalised_from_the_state(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, until="eu-login.create-account")
    out = cli("show", "eu-login.form", "--state", str(path)).out
    assert "Camille" in out and "camille.exemple@exemple.fr" in out
    assert "prenom.nom@exemple.fr" not in out
    # without a state, the neutral placeholders
    assert "prenom.nom@exemple.fr" in cli("show", "eu-login.form").out


def test_show_unknown_step_names_the_closest(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "second-factor.sms.add-numbr")
    assert result.code == 2
    assert "second-factor.sms.add-number" in result.err
    assert result.out == ""


def test_the_command_to_start_is_never_cut_by_a_line_break(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A hint to copy stays on one line, however narrow the terminal (it wraps, visually)."""
    monkeypatch.setenv("COLUMNS", "30")
    monkeypatch.setenv("PATH", "/nonexistent")  # not on the PATH: « /path/to/python -m … »
    for args in (["steps"], ["status"]):
        result = cli(*args)
        assert result.code == 0
        expected = hints.command("setup")  # the program as this run was started
        assert any(expected in line for line in result.out.splitlines()), result.out


def test_status_without_state_says_not_started(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("status")
    assert result.code == 0
    assert "tracesguide setup" in result.out
    data = json.loads(cli("status", "--json").out)
    assert data["started"] is False and data["complete"] is False
    assert data["next_step"] == CONTENT.steps[0].id
    assert data["state_path"].endswith("tracesguide/state.toml")


def test_status_json_fields(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, until="operator.request-authorisation")
    data = json.loads(cli("status", "--json", "--state", str(path)).out)
    assert data["state_path"] == str(path)
    assert data["complete"] is False
    assert data["next_step"] == "operator.request-authorisation"
    assert set(data["milestones"]) == set(load().milestones)
    assert data["milestones"]["traces-role"] is True
    assert data["milestones"]["authorisation-requested"] is False
    assert [s["id"] for s in data["stages"]] == [s.id for s in CONTENT.stages]
    assert data["updated"].startswith("2026-01-31T")


def test_status_names_the_milestones_as_the_user_reads_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, until="operator.request-authorisation")
    out = flat(cli("status", "--state", str(path)).out)
    for milestone in CONTENT.milestones:
        assert CONTENT.milestone_name(milestone) in out  # « compte EU Login créé »…
    assert "eu-login-account" not in out and "traces-role" not in out  # not the ids


def test_status_env_variable_and_completion(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, APP_ANSWERS)
    monkeypatch.setenv("TRACESGUIDE_STATE", str(path))
    data = json.loads(cli("status", "--json").out)
    assert data["complete"] is True and data["next_step"] is None
    assert flat(t("status.complete")) in flat(cli("status").out)


def test_status_shows_a_blocked_reason(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, {**APP_ANSWERS, "has_certificate": "no"})
    result = cli("status", "--state", str(path))
    assert "Organic Import" in flat(result.out) and "operator.certificate" in result.out


@pytest.mark.parametrize("args", READING)
def test_named_state_file_that_does_not_exist_is_an_error(cli, tmp_path: Path, args) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args, "--state", str(tmp_path / "missing.toml"))
    assert result.code == 2
    assert "introuvable" in result.err and "tracesguide setup" in result.err


def _good_text() -> str:
    return state_module.dumps(state_module.State.new()).decode()


BAD_FILES = {
    "empty": b"",
    "blank": b"  \n\n",
    "truncated": _good_text().encode()[:40],
    "not-utf8": _good_text().encode("utf-8").replace(b'language = "fr"', b'language = "\xe9"'),
    "not-toml": b"\x89PNG\r\n\x1a\n binary",
    "wrong-type": _good_text().replace("schema_version = 1", 'schema_version = "1"').encode(),
    "wrong-answers": (_good_text() + "\n[answers]\nfirst_name = 3\n").encode(),
    "local-time": _good_text().replace("+00:00\n", "\n", 1).encode(),
    "unknown-key": ("surprise = true\n" + _good_text()).encode(),
    "newer-schema": _good_text().replace("schema_version = 1", "schema_version = 7").encode(),
    "oversized": _good_text().encode() + b"# " + b"x" * (state_module.MAX_BYTES + 10) + b"\n",
    "deep": b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
}


def assert_one_clear_error(result, path: Path | None = None, before: bytes | None = None) -> None:  # type: ignore[no-untyped-def]
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracesguide: erreur : ")
    if path is not None and before is not None:
        assert path.read_bytes() == before


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("args", READING)
def test_bad_state_files_are_refused_untouched(cli, tmp_path: Path, name: str, args) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.toml"
    path.write_bytes(BAD_FILES[name])
    os.utime(path, (1_000_000_000, 1_000_000_000))
    before = path.read_bytes()
    result = cli(*args, "--state", str(path))
    assert_one_clear_error(result, path, before)
    assert path.stat().st_mtime == 1_000_000_000


@pytest.mark.parametrize("args", READING)
def test_a_folder_or_a_fifo_is_not_a_state_file(cli, tmp_path: Path, args) -> None:  # type: ignore[no-untyped-def]
    assert_one_clear_error(cli(*args, "--state", str(tmp_path)))
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    assert_one_clear_error(cli(*args, "--state", str(fifo)))


def test_every_toml_test_file_is_refused_by_every_reading_command(cli) -> None:  # type: ignore[no-untyped-def]
    files = corpus_files()  # skipped, with the reason, when TRACESGUIDE_TOML_TEST_CORPUS is unset
    assert len(files) > 700, "the toml-test corpus (TRACESGUIDE_TOML_TEST_CORPUS) looks incomplete"
    for path in files:
        before = path.read_bytes()
        for args in READING:
            result = cli(*args, "--state", str(path))
            assert result.code == 2, (path, args, result.out[:200])
            assert_one_clear_error(result, path, before)


def test_reading_commands_load_neither_questionary_nor_keyring(tmp_path: Path) -> None:
    # nor platformdirs, with --state: the default path is not looked up to tell that a
    # file elsewhere is not it (the hints); nor tomli: toml_rs reads a good file
    path = tmp_path / "s.toml"
    write_state(path, until="traces.choose-role")
    for args in READING:
        loaded = modules_loaded_by(
            [*args, "--state", str(path)], watch=(*HEAVY, "platformdirs", "tomli")
        )
        assert loaded == [], args


def test_status_shows_hostile_text_from_a_state_file_inert(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    st = write_state(path, until="traces.choose-role")
    hostile = "[bold red]x[/] \x1b]8;;http://evil\x07lien\x1b]8;;\x07 \x9b2J \u202egnp.exe\u2028ok"
    st.record("blocked", "traces.choose-role", hostile)
    state_module.save(st, path)
    for args in (["status"], ["status", "--json"], ["steps"]):
        out = cli(*args, "--state", str(path)).out
        assert not any(c in out for c in "\x1b\x07\x9b\u202e\u2028"), args
    assert "[bold red]x[/]" in cli("status", "--state", str(path)).out
    data = json.loads(cli("status", "--json", "--state", str(path)).out)
    assert data["blocked_steps"][0]["reason"] == hostile  # exact, escaped as JSON


def test_show_takes_the_number_a_screen_shows(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tracesguide.content import load
    from tracesguide.engine import numbered_steps, position

    content = load("fr")
    third = numbered_steps(content, {})[2]
    assert position(content, {}, third) == (3, len(numbered_steps(content, {})))
    by_number = cli("show", "3")
    assert by_number.code == 0 and by_number.out == cli("show", third.id).out
    wrong = cli("show", "99")
    assert wrong.code == 2
    assert "pas d'étape numéro 99" in wrong.err and len(wrong.err.strip().splitlines()) == 1
