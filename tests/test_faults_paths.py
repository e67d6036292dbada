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
        # setup's first panel names the file, then waits for Enter before the steps
        child.expect("Recommencer depuis le début" if args == ["reset"] else "Appuyez sur Entrée")
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


# --- output targets ------------------------------------------------------------------------


def _outputs(state: Path, out: Path) -> list[list[str]]:
    return [
        ["replay", str(state), "--html", str(out)],
        ["replay", str(state), "--redact", str(out)],
        ["replay", str(state), "--bundle", str(out)],
        ["check", str(state), "--html", str(out)],
        ["check", str(state), "--csv", str(out)],
    ]


def test_devices_and_standard_streams_are_refused_never_replaced(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    """Decision: refused (one line, exit 2), never written through nor replaced."""
    from helpers import APP_ANSWERS, write_state

    state = tmp_path / "s.toml"
    write_state(state, APP_ANSWERS, until="traces.choose-role")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    links = {}
    for name, target in (("to-stdout", "/dev/stdout"), ("to-fd", "/proc/self/fd/2")):
        links[name] = tmp_path / name
        links[name].symlink_to(target)
    chain = tmp_path / "chain"
    chain.symlink_to(links["to-stdout"])
    targets = [*links.values(), chain, fifo, Path("/dev/null"), Path("/dev/fd/1")]
    targets += [Path("/dev/stdout"), Path("/dev/stderr")]  # the real links, as root too
    before = {p: os.readlink(p) for p in (Path("/dev/stdout"), Path("/dev/stderr"))}
    for out in targets:
        for args in _outputs(state, out):
            result = cli(*args)
            assert result.code == 2, (args, result)
            assert "flux standard" in result.err and "Traceback" not in result.err
            assert len(result.err.strip().splitlines()) == 1
            FAULT_COUNTS["output targets, devices and std-stream links x option"] = (
                FAULT_COUNTS.get("output targets, devices and std-stream links x option", 0) + 1
            )
    for name, target in (("to-stdout", "/dev/stdout"), ("to-fd", "/proc/self/fd/2")):
        assert os.readlink(links[name]) == target  # still the link
    assert {p: os.readlink(p) for p in before} == before
    assert fifo.is_fifo()


def test_another_state_file_is_never_replaced_by_an_output(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    from helpers import APP_ANSWERS, write_state

    mine, theirs = tmp_path / "a.toml", tmp_path / "b.toml"
    write_state(mine, APP_ANSWERS, until="traces.choose-role")
    write_state(theirs, APP_ANSWERS, until="operator.search")
    link = tmp_path / "link.html"
    link.symlink_to(theirs)
    (tmp_path / "sub").mkdir()
    for out in (theirs, link, mine, tmp_path / "sub" / ".." / "a.toml"):
        before = {p: p.read_bytes() for p in (mine, theirs)}
        for args in _outputs(mine, out):
            result = cli(*args)
            assert result.code == 2, (args, result)
            assert "ne sera pas remplacé" in result.err
            assert {p: p.read_bytes() for p in (mine, theirs)} == before
            FAULT_COUNTS["output targets, a state file as output x option"] = (
                FAULT_COUNTS.get("output targets, a state file as output x option", 0) + 1
            )
    ok = cli("replay", str(mine), "--html", str(tmp_path / "r.html"))
    assert ok.code == 0 and (tmp_path / "r.html").read_bytes().startswith(b"<!")
