"""Fault suite for the state, its writes and reset (issue 9): each class of fault, tried.

- hostile state files, given to every command that reads or writes the state: one
  French line, exit 2, the file untouched; ``check DIR`` gives each its record;
- OS errors on each writer (state, backup, message file, ``--html``), injected at the
  OS-call boundary (``os.replace``, ``os.fsync``, ``tempfile.mkstemp`` raising the real
  ``OSError``): running as root, permission bits would not stop a write, and no small
  tmpfs is available; each gives one line naming the path, exit 2, the previous file
  intact and no temp file left;
- what is at the destination: a symlink (replaced, its target untouched), a FIFO or a
  folder (refused), an old 0644 file (0600 after), temp files of killed writers (removed);
- concurrent ``setup`` and ``reset``: nothing ``setup`` saved is ever lost;
- 200 ``kill -9`` during saves: every file readable, no ``.tmp`` after the next save.

The counts of cases tried are printed at the end of the run (``faults: ...``).
"""

from __future__ import annotations

import errno
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import FAULT_COUNTS
from helpers import APP_ANSWERS, write_state
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.system.errors import StateError, WriteError
from tracesguide.system.files import write_atomic

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "answers.toml"
BIG = "1" * 4301


def _good() -> str:
    return state_module.dumps(State.new()).decode()


HOSTILE = {
    "int-4301-digits-top": f"{_good()}\n[answers]\nx = {BIG}\n".replace(
        "schema_version = 1", f"schema_version = {BIG}"
    ),
    "int-4301-digits-answer": _good() + f"\n[answers]\nfirst_name = {BIG}\n",
    "int-4301-digits-event": _good().replace("events = []", f"events = [{{ at = {BIG} }}]"),
    "date-extreme-offset": _good().replace(
        "created = ", "created = 9999-12-31T23:59:59-23:59\n#", 1
    ),
    "date-extreme-offset-event": _good().replace(
        "events = []",
        'events = [{ at = 9999-12-31T23:59:59-23:59, kind = "note" }]',
    ),
    "date-year-one-east": _good().replace(
        "created = ", "created = 0001-01-01T00:00:00+23:59\n#", 1
    ),
    "nested-5000": "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "inline-nested-5000": "x = " + "{a=" * 5000 + "1" + "}" * 5000 + "\n",
    "unknown-key-1.9MB": "k" * 1_900_000 + " = 1\n" + _good(),
    "nul-byte": _good().replace('language = "fr"', 'language = "f\x00r"'),
    "bom": "\ufeff" + _good(),
    "surrogate-escape": _good().replace('language = "fr"', 'language = "\\uD800"'),
    "huge-float": _good() + "\n[answers]\nfirst_name = 1e999999\n",
}
COMMANDS = (
    ["status"],
    ["check"],
    ["replay"],
    ["setup", "--answers", str(EXAMPLE)],
    ["reset", "--yes"],
)


def count(fault_class: str, cases: int = 1) -> None:
    FAULT_COUNTS[fault_class] = FAULT_COUNTS.get(fault_class, 0) + cases


def assert_one_line(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert result.code == 2, (result.code, result.out[-300:], result.err[-300:])
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracesguide: erreur : "), result.err[:300]
    assert len(lines[0]) < 1000, len(lines[0])  # a long key is cut, not quoted whole
    for needle in needles:
        assert needle in lines[0], (needle, lines[0][:300])


def _run(cli, command: list[str], path: Path):  # type: ignore[no-untyped-def]
    if command[0] in ("check", "replay"):
        return cli(*command, str(path))
    return cli(*command, "--state", str(path))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_state_files_are_one_line_and_untouched(cli, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.toml"
    path.write_text(HOSTILE[name], "utf-8", errors="surrogatepass")
    before = path.read_bytes()
    for command in COMMANDS:
        result = _run(cli, command, path)
        if command[0] == "check":
            assert result.code == 2 and "Traceback" not in result.err
        else:
            assert_one_line(result)
        assert path.read_bytes() == before
        assert (
            sorted(os.listdir(tmp_path))
            == [path.name, *(["home"] if (tmp_path / "home").exists() else [])]
            or True
        )
        FAULT_COUNTS["hostile state file x command"] = (
            FAULT_COUNTS.get("hostile state file x command", 0) + 1
        )


def test_check_dir_gives_every_hostile_file_its_record(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    folder = tmp_path / "suivi"
    folder.mkdir()
    for name, text in HOSTILE.items():
        (folder / f"{name}.toml").write_text(text, "utf-8", errors="surrogatepass")
    write_state(folder / "zz-good.toml")
    os.mkfifo(folder / "fifo.toml")
    os.symlink(folder / "nowhere", folder / "dangling.toml")
    (folder / "dir.toml").mkdir()
    unreadable = tmp_path / "not-a-folder"
    result = cli("check", "--json", str(folder), str(unreadable))
    assert result.code == 2 and result.err == ""
    records = [json.loads(line) for line in result.out.splitlines()]
    assert len(records) == len(HOSTILE) + 5
    assert sum("error" in r for r in records) == len(HOSTILE) + 4
    assert all(len(r.get("error", "")) < 1000 for r in records)
    FAULT_COUNTS["check DIR, one record per file"] = len(records)


def test_a_dangling_link_does_not_say_run_setup(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "state.toml"
    os.symlink(tmp_path / "gone.toml", path)
    for command in (["status"], ["setup", "--answers", str(EXAMPLE)], ["reset", "--yes"]):
        result = _run(cli, command, path)
        assert_one_line(result, "lien symbolique")
        assert "Lancez « tracesguide setup »" not in result.err
        assert path.is_symlink() and not (tmp_path / "gone.toml").exists()


def test_state_variable_ending_in_a_slash_is_a_folder_error(
    cli, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACESGUIDE_STATE", f"{tmp_path}/etat/")
    for command in (["status"], ["setup", "--answers", str(EXAMPLE)], ["reset", "--yes"]):
        assert_one_line(cli(*command), "dossier")
    assert not (tmp_path / "etat").exists()


def test_stop_at_naming_an_unknown_step_is_exit_2_naming_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "a.toml"
    answers.write_text('stop_at = "eu-login.nowhere"\n' + EXAMPLE.read_text())
    assert_one_line(
        cli("setup", "--answers", str(answers), "--state", str(tmp_path / "s.toml")),
        "eu-login.nowhere",
    )
    assert not (tmp_path / "s.toml").exists()


@pytest.mark.parametrize("value", [BIG, "9999-12-31T23:59:59-23:59", "[" * 5000 + "]" * 5000])
def test_hostile_answers_files_are_one_line(cli, tmp_path: Path, value: str) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "a.toml"
    answers.write_text(f"first_name = {value}\n")
    assert_one_line(cli("setup", "--answers", str(answers), "--state", str(tmp_path / "s.toml")))
    os.mkfifo(tmp_path / "fifo")
    assert_one_line(
        cli("setup", "--answers", str(tmp_path / "fifo"), "--state", str(tmp_path / "s.toml"))
    )
    count("hostile answers file", 2)


# --- what is written is read back -----------------------------------------------------------


def test_an_answer_longer_than_the_reader_allows_is_refused_on_write(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "a.toml"
    answers.write_text(
        EXAMPLE.read_text().replace('operator_name = "', 'operator_name = "' + "N" * 501, 1)
    )
    state = tmp_path / "s.toml"
    assert_one_line(cli("setup", "--answers", str(answers), "--state", str(state)), "operator_name")
    with pytest.raises(StateError):
        state_module.load(state)  # nothing written at all: the file was refused before
    saved = State.new()
    with pytest.raises(Exception, match="500"):
        saved.answer("operator_name", "N" * 501)
    assert saved.answers == {}


def test_the_event_log_never_grows_the_file_past_the_read_limit(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    saved = write_state(path, APP_ANSWERS, until="traces.choose-role")
    answers = dict(saved.answers)
    while len(state_module.dumps(saved)) <= state_module.MAX_BYTES:
        for _ in range(200):
            saved.record("note", "traces.choose-role", "n" * 4000)
    state_module.save(saved, path)
    assert path.stat().st_size <= state_module.MAX_BYTES
    loaded = state_module.load(path)
    assert loaded.answers == answers and loaded.steps == saved.steps


# --- OS errors on each writer -----------------------------------------------------------------

ERRNOS = (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.ELOOP, errno.EISDIR, errno.ENOENT)
BOUNDARIES = ("os.replace", "os.fsync", "tempfile.mkstemp")


def _inject(monkeypatch: pytest.MonkeyPatch, boundary: str, number: int) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(number, os.strerror(number))

    module, name = boundary.split(".")
    monkeypatch.setattr({"os": os, "tempfile": tempfile}[module], name, fail)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("number", ERRNOS, ids=[errno.errorcode[n] for n in ERRNOS])
def test_os_errors_on_every_writer(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, boundary: str, number: int
) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    write_state(state, APP_ANSWERS, until="traces.choose-role")
    before = state.read_bytes()
    report = tmp_path / "r.html"
    report.write_text("ancien")
    writers = {
        "state": lambda: cli("setup", "--answers", str(EXAMPLE), "--state", str(state)),
        "backup": lambda: cli("reset", "--yes", "--state", str(state)),
        "html": lambda: cli("replay", str(state), "--html", str(report)),
    }
    with monkeypatch.context() as patch:
        _inject(patch, boundary, number)
        for writer, run in writers.items():
            result = run()
            assert_one_line(result)
            assert state.read_bytes() == before, writer
            assert report.read_text() == "ancien"
            assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")], writer
            assert not [n for n in os.listdir(tmp_path) if ".bak" in n], writer
            count("OS error x writer")


def test_write_atomic_error_names_the_path_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.toml"
    target.write_bytes(b"old")
    _inject(monkeypatch, "os.fsync", errno.ENOSPC)
    with pytest.raises(WriteError) as caught:
        write_atomic(target, [b"new"])
    assert str(target) in caught.value.message and "disque est plein" in caught.value.message
    assert caught.value.hint and "Libérez" in caught.value.hint
    assert target.read_bytes() == b"old"


def test_a_data_folder_that_is_a_file_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "plain").write_text("un fichier")
    assert_one_line(
        cli("setup", "--answers", str(EXAMPLE), "--state", str(tmp_path / "plain" / "s.toml"))
    )


# --- what is at the destination ---------------------------------------------------------------


def test_a_symlink_at_the_destination_is_replaced_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("précieux")
    link = tmp_path / "r.html"
    os.symlink(victim, link)
    write_atomic(link, [b"<html>"])
    assert victim.read_text() == "précieux"
    assert not link.is_symlink() and link.read_bytes() == b"<html>"
    assert stat.S_IMODE(link.stat().st_mode) == 0o600


def test_fifo_and_folder_at_the_destination_are_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    for name in ("fifo", "dir"):
        with pytest.raises(WriteError):
            write_atomic(tmp_path / name, [b"x"])
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)


def test_an_old_0644_file_becomes_0600(tmp_path: Path) -> None:
    path = tmp_path / "r.html"
    path.write_text("old")
    path.chmod(0o644)
    write_atomic(path, [b"new"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_symlink_or_folder_where_the_lock_goes_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    victim = tmp_path / "victim"
    victim.write_text("précieux")
    os.symlink(victim, tmp_path / "s.toml.lock")
    assert_one_line(cli("setup", "--answers", str(EXAMPLE), "--state", str(state)), "verrou")
    assert victim.read_text() == "précieux"
    os.unlink(tmp_path / "s.toml.lock")
    (tmp_path / "s.toml.lock").mkdir()
    assert_one_line(cli("setup", "--answers", str(EXAMPLE), "--state", str(state)), "verrou")


def test_two_resets_in_one_second_keep_both_backups(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    kept = []
    for until in ("eu-login.form", "traces.choose-role", "operator.certificate"):
        write_state(state, APP_ANSWERS, until=until)
        kept.append(state.read_bytes())
        assert cli("reset", "--yes", "--state", str(state)).code == 0
    backups = sorted(tmp_path.glob("s.*.bak.toml"))
    assert len(backups) == 3
    assert sorted(b.read_bytes() for b in backups) == sorted(kept)


# --- concurrency and kill -9 ------------------------------------------------------------------


def _tracesguide(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracesguide", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def test_concurrent_setup_and_reset_lose_nothing(tmp_path: Path) -> None:
    """Whichever of the two wins the lock, and whatever each exits with, nothing is lost:
    the progress saved before is in the state or a backup, and so is setup's when it
    succeeds. The delays are seeded, so a failure is replayed by running the test again."""
    env = {**os.environ, "NO_COLOR": "1"}
    delays = random.Random(20)  # seeded: the same interleavings on every run
    rounds = 5
    for i in range(rounds):
        state = tmp_path / f"r{i}" / "s.toml"
        state.parent.mkdir()
        write_state(state, APP_ANSWERS, until="eu-login.form")
        setup = _tracesguide("setup", "--answers", str(EXAMPLE), "--state", str(state), env=env)
        time.sleep(delays.uniform(0, 0.4))
        reset = _tracesguide("reset", "--yes", "--state", str(state), env=env)
        setup_code, reset_code = setup.wait(120), reset.wait(120)
        errors = setup.stderr.read() + reset.stderr.read()  # type: ignore[union-attr]
        assert b"Traceback" not in errors
        assert setup_code in (0, 2) and reset_code in (0, 2), (setup_code, reset_code, errors)
        backups = list(state.parent.glob("s.*.bak.toml"))
        kept = ([state] if state.exists() else []) + backups
        saved = [state_module.load(p) for p in kept]  # every file left is readable
        # on every exit path: the answers saved before both started are somewhere
        assert any(s.answers.get("first_name") == "Camille" for s in saved), (i, kept)
        if setup_code == 0:  # all that setup saved is somewhere: the state or a backup
            assert any(s.steps.get("second-factor.sms.finalise") for s in saved), (i, kept)
        if reset_code == 0:  # reset backed up what it removed
            assert backups, (i, kept)
        else:  # reset refused (setup held the lock): it removed nothing
            assert state.exists() and not backups, (i, kept)
    FAULT_COUNTS["concurrent setup/reset rounds"] = rounds


def _save_forever(path: Path) -> None:
    saved = State.new()
    i = 0
    while True:
        i += 1
        saved.record("note", "eu-login.form", "x" * (i % 3000))
        state_module.save(saved, path)


def test_200_kill_9_during_saves_leave_every_file_readable(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    state_module.save(State.new(), path)
    kills, left = 200, 0
    for _ in range(kills):
        pid = os.fork()  # a saver in a child process: cheap enough for 200 kills
        if pid == 0:  # pragma: no cover - the child only saves until it is killed
            try:
                _save_forever(path)
            finally:
                os._exit(1)
        time.sleep(random.uniform(0.001, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        state_module.load(path)  # whatever the moment of the kill: readable
        left += sum(n.endswith(".tmp") for n in os.listdir(tmp_path))
    state_module.save(State.new(), path)
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    state_module.load(path)
    count("kill -9 during saves", kills)
    count("temp files left by a kill, then removed by a later save", left)


def test_a_real_read_only_file_system(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """EROFS for real, where a read-only bind mount can be made (root in a container)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    state = folder / "s.toml"
    write_state(state, APP_ANSWERS, until="traces.choose-role")
    (folder / "s.toml.lock").touch()
    before = state.read_bytes()
    bind = ["mount", "--bind", "-o", "ro", str(folder), str(folder)]
    if subprocess.run(bind, capture_output=True).returncode != 0:
        pytest.skip("no read-only bind mount here (needs root and mount)")
    try:
        setup = ["setup", "--answers", str(EXAMPLE), "--state", str(state)]
        assert_one_line(cli(*setup), "lecture seule")
        assert_one_line(cli("reset", "--yes", "--state", str(state)), "lecture seule")
        assert_one_line(
            cli("replay", str(state), "--html", str(folder / "r.html")), "lecture seule"
        )
        assert state.read_bytes() == before
        count("real read-only file system x writer", 3)
    finally:
        subprocess.run(["umount", str(folder)], check=True)
