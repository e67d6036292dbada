"""Commands to type again: "resume with …" hints a user can copy as they are.

A hint names the program as it was started when ``tracesguide`` is not on the PATH
(``.venv/bin/tracesguide setup``, ``/usr/bin/python3 -m tracesguide setup``), and
carries ``--state PATH`` (shell-quoted) whenever the state file is not the default
one, so that following it opens the same progress.
"""

from __future__ import annotations

import os
from pathlib import Path

from tracesguide.i18n.program import PROGRAM, program

__all__ = ["PROGRAM", "command", "program", "resume_hint"]


def command(subcommand: str, state: Path | None = None, *, argv0: str | None = None) -> str:
    """``PROGRAM SUBCOMMAND [--state PATH]``: *state* is added unless it is the default."""
    line = f"{program(argv0)} {subcommand}"
    if state is not None and not _is_default_state(state):
        line += f" --state {quote(str(state))}"
    return line


def quote(text: str) -> str:
    """*text* quoted for a POSIX shell, ready to copy: ``shlex.quote``, or, when it holds a
    character that is not plain printable text (an escape, a control, an invisible
    character, a byte that was not UTF-8), bash's ``$'…'`` with every such byte as
    ``\\xNN``: the command still names the file, and nothing raw reaches a terminal."""
    from tracesguide.system.sanitize import inert

    if inert(text) == text:
        import shlex

        return shlex.quote(text)
    data = os.fsencode(text) if isinstance(text, str) else text
    out = []
    for byte in data:
        char = chr(byte)
        if 0x20 <= byte < 0x7F and char not in "\\'":
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    return "$'" + "".join(out) + "'"


def _is_default_state(state: Path) -> bool:
    from tracesguide.system.paths import APP_NAME, DEFAULT_STATE_NAME

    try:
        resolved = state.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        resolved = state
    if not any(
        p.name == DEFAULT_STATE_NAME and p.parent.name == APP_NAME for p in (state, resolved)
    ):
        # the default is always ``…/tracesguide/state.toml``: no need to ask platformdirs
        # (4 ms of start-up) where it is
        return False
    from tracesguide.system.paths import default_state_path

    default = default_state_path()
    try:
        return resolved == default.resolve()
    except (OSError, RuntimeError):
        return state == default


def resume_hint(state: Path | None = None) -> str:
    """« Reprenez avec : COMMAND » for the setup of *state*."""
    from tracesguide.i18n import t

    return t("hint.resume", command=command("setup", state))
