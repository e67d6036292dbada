"""Every "resume with" hint is a command the user can type as it is printed."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import write_state
from tracesguide.system import hints
from tracesguide.system.paths import default_state_path

VENV_BIN = Path(sys.executable).parent


def executable(folder: Path, name: str = "tracesguide") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return program


def test_the_name_alone_when_it_is_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = executable(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(program.parent))
    assert hints.command("setup", argv0="tracesguide") == "tracesguide setup"
    assert hints.command("setup", argv0=str(program)) == "tracesguide setup"


def test_the_program_as_started_when_not_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = executable(tmp_path / "mon projet" / ".venv" / "bin")
    other = executable(tmp_path / "ailleurs")  # another tracesguide on the PATH
    monkeypatch.setenv("PATH", str(other.parent))
    assert hints.command("setup", argv0=str(program)) == f"{shlex.quote(str(program))} setup"
    monkeypatch.chdir(tmp_path / "mon projet")
    assert hints.command("setup", argv0=".venv/bin/tracesguide") == ".venv/bin/tracesguide setup"


def test_python_dash_m_when_started_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no python3 there: the interpreter's path
    main = str(Path(hints.__file__).parents[1] / "__main__.py")
    python = shlex.quote(sys.executable)
    assert hints.command("setup", argv0=main) == f"{python} -m tracesguide setup"
    # named, not on the PATH, not a file: still something that runs
    assert hints.command("setup", argv0="tracesguide") == f"{python} -m tracesguide setup"


def test_state_is_added_quoted_unless_default(tmp_path: Path) -> None:
    named = tmp_path / "suivi de l'équipe" / "dupont.toml"
    line = hints.command("setup", named, argv0="tracesguide")
    assert shlex.split(line)[-2:] == ["--state", str(named)]
    assert "--state" not in hints.command("setup", default_state_path(), argv0="tracesguide")
    assert "--state" not in hints.command("setup", None, argv0="tracesguide")
    # a file named like the default but elsewhere is not it; a link to the default is it
    lookalike = tmp_path / "tracesguide" / "state.toml"
    assert "--state" in hints.command("setup", lookalike, argv0="tracesguide")
    default_state_path().parent.mkdir(parents=True, exist_ok=True)
    default_state_path().touch()
    link = tmp_path / "lien.toml"
    link.symlink_to(default_state_path())
    assert "--state" not in hints.command("setup", link, argv0="tracesguide")


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60
    )


@pytest.mark.parametrize("started", ["script", "module"])
def test_the_printed_hint_runs_as_is(tmp_path: Path, started: str) -> None:
    """reset prints how to start again: typed in a shell (with --help), it works and
    names the same state file."""
    state = tmp_path / "dossier avec espaces" / "état.toml"
    state.parent.mkdir()
    write_state(state)
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # the venv is not on the PATH
    program = (
        [str(VENV_BIN / "tracesguide")]
        if started == "script"
        else [sys.executable, "-m", "tracesguide"]
    )
    done = run([*program, "reset", "--yes", "--state", str(state)], env)
    assert done.returncode == 0, done.stderr
    hint = done.stdout.strip().rsplit("Recommencez avec : ", 1)[1]
    assert "--state" in hint and not hint.startswith("tracesguide ")
    again = run(["sh", "-c", f"{hint} --help"], {**env, "COLUMNS": "80"})
    assert again.returncode == 0 and "Utilisation :" in again.stdout, again.stderr
    write_state(state)
    refused = run(["sh", "-c", hint.replace(" setup", " reset", 1)], env)  # no terminal
    assert refused.returncode == 2
    assert "reset --yes --state" in refused.stderr


def test_status_says_how_to_resume_this_state(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "suivi dupont.toml"
    write_state(state, until="second-factor.choose-method")
    out = " ".join(cli("status", "--state", str(state)).out.split())
    expected = hints.command("setup", state, argv0="tracesguide")
    assert f"Reprendre : {expected}" in out and "--state" in expected
    fresh = " ".join(cli("steps").out.split())  # nothing saved at the default place
    assert f"Commencez par : {hints.command('setup', argv0='tracesguide')}" in fresh
