"""Commands to type again: "resume with …" hints a user can copy as they are.

A hint names the program as it was started when ``tracesguide`` is not on the PATH
(``.venv/bin/tracesguide setup``, ``/usr/bin/python3 -m tracesguide setup``), and
carries ``--state PATH`` (shell-quoted) whenever the state file is not the default
one, so that following it opens the same progress.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from tracesguide.i18n.program import PROGRAM, program

__all__ = ["PROGRAM", "command", "program", "resume_hint"]


def command(subcommand: str, state: Path | None = None, *, argv0: str | None = None) -> str:
    """``PROGRAM SUBCOMMAND [--state PATH]``: *state* is added unless it is the default."""
    line = f"{program(argv0)} {subcommand}"
    if state is not None and not _is_default_state(state):
        line += f" --state {shlex.quote(str(state))}"
    return line


def _is_default_state(state: Path) -> bool:
    from tracesguide.system.paths import default_state_path

    default = default_state_path()
    try:
        return state.resolve() == default.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return state == default


def resume_hint(state: Path | None = None) -> str:
    """« Reprenez avec : COMMAND » for the setup of *state*."""
    from tracesguide.i18n import t

    return t("hint.resume", command=command("setup", state))
