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
    assert text.strip().splitlines()[-1].startswith("tracesguide: erreur : interrompu.")
    FAULT_COUNTS["signals, Ctrl-C outside the handlers"] = 1


@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "latin-1"},
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""},
    ],
)
@pytest.mark.parametrize("command", [["troubleshoot"], ["status"], ["operators", "info"]])
def test_any_stdout_encoding_works(env: dict[str, str], command: list[str]) -> None:
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
