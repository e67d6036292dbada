"""Odd paths: a symlink loop, a too-long name, for the reading commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import FAULT_COUNTS


def test_a_symlink_loop_in_a_folder_is_a_record_and_the_others_follow(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "suivi"
    folder.mkdir()
    os.symlink("loop.toml", folder / "loop.toml")
    (folder / "z.toml").write_text("x = 1\n", encoding="utf-8")
    result = cli("check", "--json", str(folder))
    assert "Traceback" not in result.err
    assert result.err == ""
    records = [json.loads(line) for line in result.out.splitlines()]
    assert [Path(r["path"]).name for r in records] == ["loop.toml", "z.toml"]
    assert all(r.get("error") for r in records)
    for command in (
        ["check", str(folder / "loop.toml")],
        ["status", "--state", str(folder / "loop.toml")],
    ):
        one = cli(*command)
        assert one.code == 2
        assert "Traceback" not in one.err
        assert "loop.toml" in one.err + one.out
    FAULT_COUNTS["paths, symlink loop"] = 3


# --- the state file's own name, hostile -------------------------------------------------

HOSTILE_NAME = "s\x1b]0;pwn\x07\x9b31m\x1b[2J.toml"
RAW = ("\x1b]0;pwn", "\x07", "\x9b31m", "\x1b[2J")


def _hostile_state(tmp_path: Path) -> Path:
    from helpers import APP_ANSWERS, write_state

    state = tmp_path / HOSTILE_NAME
    write_state(state, APP_ANSWERS, until="traces.choose-role")
    return state


@pytest.mark.parametrize(
    "args",
    [
        ["reset", "--yes"],
        ["edit"],
        ["status"],
        ["setup", "--answers", str(Path(__file__).parents[1] / "docs/examples/answers.toml")],
    ],
    ids=["reset", "edit", "status", "setup"],
)
def test_the_state_files_own_name_reaches_no_terminal_raw(tmp_path: Path, args: list[str]) -> None:
    state = _hostile_state(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "tracesguide", *args, "--state", str(state)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    out = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert not any(raw in out for raw in RAW), out
    if args[0] in ("reset", "edit"):  # the command to copy still names the file
        assert "/s\\x1b]0;pwn\\x07\\xc2\\x9b31m\\x1b[2J.toml'" in out and "$'/" in out
    FAULT_COUNTS["paths, ESC/BEL/0x9B in the state file's name x command"] = (
        FAULT_COUNTS.get("paths, ESC/BEL/0x9B in the state file's name x command", 0) + 1
    )


@pytest.mark.parametrize("args", [["reset"], ["setup"]], ids=["reset-confirm", "setup-panel"])
def test_the_state_files_own_name_in_a_real_terminal(tmp_path: Path, args: list[str]) -> None:
    """In a pseudo-terminal: reset's question and setup's first panel name the file inert."""
    import pexpect

    state = tmp_path / HOSTILE_NAME
    if args == ["reset"]:
        _hostile_state(tmp_path)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "tracesguide", *args, "--state", str(state)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "TERM": "xterm"},
        dimensions=(40, 200),
        timeout=60,
        encoding="utf-8",
        codec_errors="replace",
    )
    try:
        child.expect("Recommencer depuis le début" if args == ["reset"] else "Étape précédente")
        seen = str(child.before) + str(child.after)
        child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=1)
        seen += str(child.before or "")
    finally:
        child.sendintr()
        child.close(force=True)
    assert "s.toml" in seen and not any(raw in seen for raw in ("\x1b]0;pwn", "\x9b31m", "\x1b[2J"))
    FAULT_COUNTS["paths, ESC/BEL/0x9B in the state file's name x command"] = (
        FAULT_COUNTS.get("paths, ESC/BEL/0x9B in the state file's name x command", 0) + 1
    )
