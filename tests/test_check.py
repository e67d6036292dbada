"""tracesguide check: exit codes, --require, folders, JSON lines, hostile and bad files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import corpus_files
from helpers import APP_ANSWERS, HEAVY, T0, advance, modules_loaded_by, write_state
from test_reading_commands import BAD_FILES
from tracesguide.content import load
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.system.paths import default_state_path

CONTENT = load()
MILESTONES = CONTENT.milestones  # declared by the content
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def app_path_after(step_id: str) -> str | None:
    """The step that follows *step_id* on the app path (None if it is the last)."""
    saved = advance(State.new(now=T0), CONTENT, APP_ANSWERS, until=step_id)
    saved.record("done", step_id, now=T0)
    from tracesguide.engine import progress

    nxt = progress(CONTENT, saved).next_step
    return nxt.id if nxt else None


# --- exit codes -----------------------------------------------------------------------------


def test_complete_file_exits_0(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "done.toml"
    write_state(path)
    result = cli("check", str(path))
    assert result.code == 0, result.err
    assert "1 complet, 0 incomplet, 0 inutilisable" in result.out
    [record] = lines(cli("check", "--json", str(path)).out)
    assert record["complete"] is True and record["ok"] is True and record["next_step"] is None


def test_incomplete_file_exits_1(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "half.toml"
    write_state(path, until="traces.choose-role")
    result = cli("check", str(path))
    assert result.code == 1
    assert "0 complet, 1 incomplet, 0 inutilisable" in result.out
    assert cli("check", "--json", str(path)).code == 1


def test_missing_named_file_exits_2_without_crashing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", "--json", str(tmp_path / "missing.toml"))
    assert result.code == 2 and result.err == ""
    [record] = lines(result.out)
    assert record["path"] == str(tmp_path / "missing.toml") and "introuvable" in record["error"]
    assert set(record) == {"path", "error"}


def test_default_state_missing_is_not_started(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check")
    assert result.code == 1
    assert "non commencé" in result.out and "tracesguide setup" in result.out
    [record] = lines(cli("check", "--json").out)
    assert record["started"] is False and record["ok"] is False
    assert record["next_step"] == CONTENT.steps[0].id
    assert "tracesguide setup" in record["hint"]
    assert record["path"] == str(default_state_path())


def test_default_state_present(cli) -> None:  # type: ignore[no-untyped-def]
    path = default_state_path()
    path.parent.mkdir(parents=True)
    write_state(path)
    assert cli("check").code == 0


def test_env_variable_names_the_file(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACESGUIDE_STATE", str(tmp_path / "missing.toml"))
    assert cli("check").code == 2  # named, so missing is unusable
    write_state(tmp_path / "missing.toml", until="eu-login.form")
    assert cli("check").code == 1


def test_unusable_wins_over_incomplete(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    half, done = tmp_path / "half.toml", tmp_path / "done.toml"
    write_state(half, until="eu-login.form")
    write_state(done)
    assert cli("check", str(done), str(half)).code == 1
    assert cli("check", str(done)).code == 0
    assert cli("check", str(half), str(tmp_path / "nope.toml"), str(done)).code == 2


def test_unknown_milestone_is_a_usage_error_listing_the_valid_ones(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "done.toml"
    write_state(path)
    for args in (["--require", "second-factr", str(path)], ["--json", "--require", "x"]):
        result = cli("check", *args)
        assert result.code == 2 and result.out == ""
        assert result.err.startswith("tracesguide: erreur : jalon inconnu")
        for milestone in MILESTONES:
            assert milestone in result.err


def test_usage_errors_exit_2(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", "--no-such-option")
    assert result.code == 2 and "tracesguide check --help" in result.err
    assert cli("check", "--require").code == 2


# --- --require ---------------------------------------------------------------------------------


@pytest.mark.parametrize("milestone", MILESTONES)
def test_require_each_milestone(cli, tmp_path: Path, milestone: str) -> None:  # type: ignore[no-untyped-def]
    step = next(
        s
        for s in CONTENT.steps
        if s.milestone == milestone
        and not {("second_factor_method", "sms"), ("traces_access", "existing")} & set(s.when)
    )
    before, after = tmp_path / "before.toml", tmp_path / "after.toml"
    write_state(before, until=step.id)
    write_state(after, until=app_path_after(step.id))
    assert cli("check", "--require", milestone, str(before)).code == 1
    result = cli("check", "--require", milestone, str(after))
    assert result.code == 0, (milestone, result.out)
    assert f"jalon exigé : {milestone}" in result.out
    records = lines(cli("check", "--json", "--require", milestone, str(before), str(after)).out)
    assert [r["ok"] for r in records] == [False, True]
    assert [r["milestones"][milestone] for r in records] == [False, True]
    assert all(r["required"] == milestone for r in records)
    # without --require, only the complete file would pass
    expected = 0 if milestone == MILESTONES[-1] else 1
    assert cli("check", str(after)).code == expected


# --- folders -------------------------------------------------------------------------------


def mixed_folder(root: Path) -> Path:
    folder = root / "suivi"
    folder.mkdir()
    write_state(folder / "b-complet.toml")
    write_state(folder / "a-incomplet.toml", {**APP_ANSWERS, "has_certificate": "no"})
    (folder / "c-casse.toml").write_bytes(BAD_FILES["truncated"])
    (folder / "notes.txt").write_text("pas un état")
    write_state(folder / "d-ancien.20260101T000000Z.bak.toml", until="eu-login.form")
    (folder / "sous-dossier").mkdir()
    write_state(folder / "sous-dossier" / "ignore.toml", until="eu-login.form")
    return folder


def test_mixed_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = mixed_folder(tmp_path)
    result = cli("check", "--json", str(folder))
    assert result.code == 2 and result.err == ""
    records = lines(result.out)
    assert [Path(r["path"]).name for r in records] == [
        "a-incomplet.toml",
        "b-complet.toml",
        "c-casse.toml",
    ]
    incomplete, complete, broken = records
    assert complete["complete"] is True and complete["ok"] is True
    assert incomplete["complete"] is False and incomplete["next_step"] == "operator.certificate"
    assert incomplete["blocked_steps"][0]["step"] == "operator.certificate"
    assert "Organic Import" in incomplete["blocked_steps"][0]["reason"]
    assert incomplete["milestones"] == {
        "eu-login-account": True,
        "second-factor": True,
        "traces-role": True,
        "authorisation-requested": False,
        "access-granted": False,
    }
    assert incomplete["updated"].startswith("2026-01-31T")
    assert set(broken) == {"path", "error"} and "TOML invalide" in broken["error"]
    text = cli("check", str(folder))
    assert text.code == 2
    assert "1 complet, 1 incomplet, 1 inutilisable" in text.out
    assert "TOML invalide" in text.out and "bloqué à operator.certificate" in text.out
    # without the broken file: incomplete wins
    (folder / "c-casse.toml").unlink()
    assert cli("check", str(folder)).code == 1
    assert cli("check", "--require", "traces-role", str(folder)).code == 0


def test_empty_folder_is_unusable(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "vide"
    folder.mkdir()
    result = cli("check", "--json", str(folder))
    assert result.code == 2
    [record] = lines(result.out)
    assert "aucun fichier" in record["error"]


# --- bad and hostile files --------------------------------------------------------------------


def test_every_bad_file_is_one_record_and_the_loop_goes_on(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = []
    for name, data in sorted(BAD_FILES.items()):
        path = tmp_path / f"{name}.toml"
        path.write_bytes(data)
        paths.append(path)
    good = tmp_path / "zz-good.toml"
    write_state(good)
    os.mkfifo(tmp_path / "fifo.toml")
    args = [str(p) for p in [*paths, tmp_path / "fifo.toml", good]]
    result = cli("check", "--json", *args)
    assert result.code == 2 and result.err == ""
    records = lines(result.out)
    assert [r["path"] for r in records] == args
    assert all("error" in r for r in records[:-1])
    assert records[-1]["complete"] is True
    for path, data in zip(paths, (BAD_FILES[n] for n in sorted(BAD_FILES)), strict=True):
        assert path.read_bytes() == data


def test_toml_test_corpus_gives_one_error_record_per_file(cli) -> None:  # type: ignore[no-untyped-def]
    files = corpus_files()
    assert len(files) > 700
    result = cli("check", "--json", *map(str, files))
    assert result.code == 2
    assert "Traceback" not in result.err and result.err == ""
    records = lines(result.out)
    assert [r["path"] for r in records] == [str(p) for p in files]
    assert all(set(r) == {"path", "error"} and r["error"] for r in records)
    text = cli("check", *map(str, files))
    assert text.code == 2
    assert f"0 complet, 0 incomplet, {len(files)} inutilisables" in text.out


def hostile_file(folder: Path) -> Path:
    """A file whose name and blocked reason carry escapes, markup, C1 and bidi."""
    name = "\x1b[31mrouge\x07\u202eevil\x9b2J.toml"
    path = folder / name
    saved = advance(State.new(now=T0), CONTENT, APP_ANSWERS, until="traces.choose-role")
    reason = "[bold red]x[/] [link=https://markup.example]clic[/link] \x1b]8;;https://osc.example\x1b\\lien\x1b]8;;\x1b\\\x1b[2J\x85\u202e"
    saved.record("blocked", "traces.choose-role", reason, now=T0)
    state_module.save(saved, path)
    return path


def test_hostile_names_and_reasons_are_inert_in_the_table(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "suivi"
    folder.mkdir()
    hostile_file(folder)
    (folder / "\x1b]0;titre\x07casse\u202e.toml").write_bytes(b"\x1b[31m")
    result = cli("check", str(folder))
    assert result.code == 2
    assert not FORBIDDEN.search(result.out), result.out
    assert "osc.example" not in result.out
    assert "[bold red]x[/]" in result.out
    assert "[link=https://markup.example]clic[/link]" in result.out


def test_hostile_names_and_reasons_in_json_are_exact_yet_escaped(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "suivi"
    folder.mkdir()
    path = hostile_file(folder)
    result = cli("check", "--json", str(folder))
    assert result.code == 1
    assert not FORBIDDEN.search(result.out) and result.out.isascii()
    [record] = lines(result.out)
    assert record["path"] == str(path)  # the exact name, for scripts
    assert record["blocked_steps"][0]["reason"].startswith("[bold red]x[/]")


def test_raw_stdout_of_a_real_process_has_no_control_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "suivi"
    folder.mkdir()
    hostile_file(folder)
    for args in (["check", str(folder)], ["check", "--json", str(folder)]):
        done = subprocess.run(
            [sys.executable, "-m", "tracesguide", *args], capture_output=True, env=os.environ
        )
        assert done.returncode == 1, done.stderr
        assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
        assert not FORBIDDEN.search(done.stdout.decode("utf-8"))


# --- read-only and imports ----------------------------------------------------------------------


def test_check_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = mixed_folder(tmp_path)
    for lock in folder.glob("*.lock"):
        lock.unlink()
    os.utime(folder / "b-complet.toml", ns=(10**18, 10**18))

    def snapshot() -> dict[str, tuple[bytes, int, int]]:
        return {
            p.name: (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir())
            if p.is_file()
        }

    before = (snapshot(), sorted(p.name for p in folder.iterdir()))
    cli("check", str(folder))
    cli("check", "--json", str(folder))
    assert (snapshot(), sorted(p.name for p in folder.iterdir())) == before


@pytest.mark.parametrize("json_output", [True, False])
def test_check_loads_neither_questionary_nor_keyring(tmp_path: Path, json_output: bool) -> None:
    path = tmp_path / "s.toml"
    write_state(path, until="traces.choose-role")
    args = ["check", *(["--json"] if json_output else []), str(path)]
    loaded = modules_loaded_by(args, code=1, watch=(*HEAVY, "rich"))
    assert loaded == ([] if json_output else ["rich"])


def test_many_files_are_checked_in_parallel_with_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``PARALLEL_MIN`` files, forked workers judge them: same records, same order."""
    from tracesguide.content import load
    from tracesguide.reports import check

    folder = tmp_path / "suivi"
    folder.mkdir()
    for i, until in enumerate(["eu-login.form", "operator.certificate", None] * 4):
        write_state(folder / f"u{i:02d}.toml", until=until)
    (folder / "zz-bad.toml").write_text("schema_version = 1\n", "utf-8")
    sequential = list(check.run(load(), [folder], None))
    monkeypatch.setattr(check, "PARALLEL_MIN", 2)
    monkeypatch.setattr(check, "_CHUNK", 3)
    parallel = list(check.run(load(), [folder], None))
    assert parallel == sequential
    assert isinstance(parallel[-1], check.Unusable) and len(parallel) == 13


# --- the table, for people ----------------------------------------------------------------------


def table(args: list[str], columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "24", "NO_COLOR": "1", "TZ": "UTC"}
    done = subprocess.run(
        [sys.executable, "-m", "tracesguide", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    return done.stdout


@pytest.mark.parametrize("columns", [60, 80, 160])
def test_the_table_names_each_user_dates_as_replay_and_keeps_ids_whole(
    tmp_path: Path, columns: int
) -> None:
    folder = mixed_folder(tmp_path)
    (folder / "c-casse.toml").unlink()
    out = table([str(folder)], columns)
    lines = out.splitlines()
    assert all(len(line) <= columns for line in lines), [len(line) for line in lines]
    header = lines[0]
    assert header.startswith("nom") and "mis à jour (Paris)" in out
    # a name column: each user named, on the line of their state
    row = next(line for line in lines if line.startswith("Camille EXEMPLE"))
    assert "incomplet" in row or "complet" in row
    # the dates of replay: 31/01/2026 11:00 at Paris's time (the files say 10:00 UTC)
    assert re.search(r"\b31/01/2026 1[01]:\d\d\b", out) and not re.search(r"2026-01-31", out)
    # the next step's id stands whole on one line, whatever the width
    assert any("operator.certificate" in line and "bloqué" not in line for line in lines)
    assert "1 complet, 1 incomplet, 0 inutilisable" in out


def test_the_table_counts_are_plurals_from_the_catalog(tmp_path: Path) -> None:
    folder = tmp_path / "trois"
    folder.mkdir()
    for name in ("a", "b", "c"):
        write_state(folder / f"{name}.toml", until="traces.choose-role")
    out = table([str(folder)], 80)
    assert "0 complet, 3 incomplets, 0 inutilisable" in out
    done = subprocess.run(
        [sys.executable, "-m", "tracesguide", "--lang", "en", "check", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        check=False,
    )
    assert "0 complete, 3 incomplete, 0 unusable" in done.stdout
    assert done.stdout.startswith("name")


def test_the_table_comes_from_the_records_of_json(tmp_path: Path) -> None:
    """The same pipeline: each record of --json is a row of the table, in order."""
    folder = mixed_folder(tmp_path)
    records = [
        json.loads(line)
        for line in subprocess.run(
            [sys.executable, "-m", "tracesguide", "check", "--json", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()
    ]
    out = table([str(folder)], 200)
    shown = [line for line in out.splitlines() if re.search(r"\.toml$", line)]
    assert [Path(line.split()[-1]).name for line in shown] == [
        Path(r["path"]).name for r in records
    ]
    for record, line in zip(records, shown, strict=True):
        if "error" in record:
            assert "inutilisable" in line
        else:
            assert (record["next_step"] or "") in line
