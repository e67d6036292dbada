"""The program's name as the messages print it (the catalog's ``{program}``).

A message naming a command the user can type again names the program as it was started:
``tracesguide`` when that is what the PATH finds, else the path typed
(``.venv/bin/tracesguide``) or ``python3 -m tracesguide``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys

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
