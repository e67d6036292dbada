"""Ctrl-C outside the tool's own handlers, and terminals that cannot show every character."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FAULT_COUNTS


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **extra}


def test_ctrl_c_in_a_long_check_is_one_french_line_and_exit_130(tmp_path: Path) -> None:
    folder = tmp_path / "suivi"
    folder.mkdir()
    for number in range(20_000):
        (folder / f"f{number}.toml").write_text("version = 1\n", encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-m", "tracesguide", "check", "--json", str(folder)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    child.stdout.readline()  # the first record: the loop is running
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130
    text = err.decode()
    assert "Traceback" not in text
    assert text.strip().splitlines()[-1].startswith("tracesguide: Interrompu.")
    FAULT_COUNTS["signals, Ctrl-C outside the handlers"] = 1


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "latin-1"},
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""},
    ],
)
@pytest.mark.parametrize(
    "command",
    [["troubleshoot"], ["status"], ["operators", "info"], ["replay"], ["doctor"]],
    ids=lambda command: " ".join(command),
)
def test_any_stdout_encoding_works(env: dict[str, str], command: list[str], tmp_path: Path) -> None:
    if command == ["replay"]:  # a state whose name is outside ASCII and latin-1
        from helpers import APP_ANSWERS, write_state

        state = tmp_path / "s.toml"
        write_state(state, {**APP_ANSWERS, "first_name": "Łucja Żółć"}, until="traces.choose-role")
        command = ["replay", str(state)]
    done = subprocess.run(
        [sys.executable, "-m", "tracesguide", *command],
        env=_env(**env),
        capture_output=True,
    )
    assert b"Traceback" not in done.stderr
    assert b"UnicodeEncodeError" not in done.stderr
    assert done.returncode in (0, 1, 2)
    assert done.stdout or done.stderr
    FAULT_COUNTS["encodings, stdout"] = FAULT_COUNTS.get("encodings, stdout", 0) + 1


def _big_csv(path: Path, rows: int = 150_000) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("name,traces_number,country\n")
        for number in range(rows):
            out.write(f"Coopérative du moulin {number},FR-BIO-{number},FR\n")
    return path


@pytest.mark.parametrize("after", [0.0, 0.05, 0.2, 0.5])
def test_a_second_ctrl_c_during_cleanup_leaves_no_half_written_file(
    tmp_path: Path, after: float
) -> None:
    """A real import, interrupted twice in a row once its temporary index is being
    written: exit 130, one French line, no temporary file, the previous index intact."""
    import sqlite3
    import time

    data = tmp_path / "data"
    env = _env(TRACESGUIDE_DATA_DIR=str(data))
    small = tmp_path / "small.csv"
    small.write_text("name,traces_number,country\nALPRO,BE-ORG-OP-5,BE\n", encoding="utf-8")
    first = subprocess.run(
        [sys.executable, "-m", "tracesguide", "operators", "import", str(small)],
        env=env,
        capture_output=True,
    )
    assert first.returncode == 0, first.stderr
    index = data / "operators-index.sqlite"
    before = index.read_bytes()
    big = _big_csv(tmp_path / "big.csv")
    child = subprocess.Popen(
        [sys.executable, "-m", "tracesguide", "operators", "import", str(big)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    while child.poll() is None and not list(data.glob(".*.tmp")):
        time.sleep(0.005)  # waits for the import to be writing, whatever the load
    time.sleep(after)
    child.send_signal(signal.SIGINT)
    child.send_signal(signal.SIGINT)  # at once: while the first one's cleanup runs
    _, err = child.communicate(timeout=120)
    text = err.decode()
    if child.returncode == 0:  # the import ended before the signals: nothing to clean
        pytest.skip("the import finished before Ctrl-C")
    assert child.returncode == 130, text
    assert "Traceback" not in text
    assert text.strip().splitlines()[-1].startswith("tracesguide: Interrompu.")
    assert [p.name for p in data.iterdir() if p.name.endswith(".tmp")] == []
    assert index.read_bytes() == before
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
        assert db.execute("SELECT count(*) FROM operators").fetchone() == (1,)
    FAULT_COUNTS["signals, two Ctrl-C during an import's cleanup"] = (
        FAULT_COUNTS.get("signals, two Ctrl-C during an import's cleanup", 0) + 1
    )


# A real SIGINT sent by the process to itself the moment one of these starts: the gap
# between the entry point's import of the command line and the command's own handlers.
_AT_CALL = """
import os, signal, sys
sys.argv = ["tracesguide", "status"]
def at_call(frame, event, arg):
    if event == "call" and frame.f_code.co_name == {where!r}:
        sys.settrace(None)
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)  # a second one, at once
    return None
from tracesguide.entry import main
sys.settrace(at_call)
main()
"""


@pytest.mark.parametrize("where", ["_replace_unshowable", "_choose_language", "from_environment"])
def test_ctrl_c_before_the_commands_handlers_is_one_french_line(where: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _AT_CALL.format(where=where)],
        env=_env(),
        capture_output=True,
        timeout=120,
    )
    text = done.stderr.decode()
    assert "Traceback" not in text, text
    assert done.returncode == 130, text
    assert text.strip().splitlines()[-1].startswith("tracesguide: Interrompu.")
    FAULT_COUNTS["signals, Ctrl-C before the command's handlers"] = (
        FAULT_COUNTS.get("signals, Ctrl-C before the command's handlers", 0) + 1
    )
