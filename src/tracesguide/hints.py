"""Commands to type again: "resume with …" hints a user can copy as they are.

A hint names the program as it was started when ``tracesguide`` is not on the PATH
(``.venv/bin/tracesguide setup``, ``/usr/bin/python3 -m tracesguide setup``), and
carries ``--state PATH`` (shell-quoted) whenever the state file is not the default
one, so that following it opens the same progress.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

PROGRAM = "tracesguide"


def program(argv0: str | None = None) -> str:
    """How to start tracesguide again from this shell, as a command line prefix."""
    invoked = sys.argv[0] if argv0 is None else argv0
    name = os.path.basename(invoked)
    if name in ("__main__.py", "-m", "-c", ""):  # python -m tracesguide, or embedded
        return f"{_python()} -m {PROGRAM}"
    on_path = shutil.which(name) if name == PROGRAM else None
    if on_path and (os.sep not in invoked or _same_file(on_path, invoked)):
        return PROGRAM
    if os.sep in invoked and os.path.exists(invoked):
        return shlex.quote(invoked)
    return f"{_python()} -m {PROGRAM}"


def command(subcommand: str, state: Path | None = None, *, argv0: str | None = None) -> str:
    """``PROGRAM SUBCOMMAND [--state PATH]``: *state* is added unless it is the default."""
    line = f"{program(argv0)} {subcommand}"
    if state is not None and not _is_default_state(state):
        line += f" --state {shlex.quote(str(state))}"
    return line


def _python() -> str:
    """This interpreter: ``python3`` when that name on the PATH is this one, else its path."""
    for name in ("python3", "python"):
        found = shutil.which(name)
        # the same folder too: a venv's python is a link to the system's, yet another
        if found and _same_file(found, sys.executable) and _same_folder(found, sys.executable):
            return name
    return shlex.quote(sys.executable)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _same_folder(a: str, b: str) -> bool:
    return os.path.dirname(os.path.abspath(a)) == os.path.dirname(os.path.abspath(b))


def _is_default_state(state: Path) -> bool:
    from tracesguide.paths import default_state_path

    default = default_state_path()
    try:
        return state.resolve() == default.resolve()
    except OSError:
        return state == default


def resume_hint(state: Path | None = None) -> str:
    """« Reprenez avec : COMMAND » for the setup of *state*."""
    from tracesguide.i18n import t

    return t("hint.resume", command=command("setup", state))
