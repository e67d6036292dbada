"""Ctrl-C: the first one raises ``KeyboardInterrupt``, the next ones wait for the cleanup.

After the first Ctrl-C, SIGINT is ignored: the cleanup under way (a temporary file
removed, a lock released, the one line printed) always completes, so a second Ctrl-C
never leaves a half-written file. ``kill`` and Ctrl-\\ still stop the process.
"""

import signal


def _interrupt(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the second Ctrl-C waits for the cleanup
    raise KeyboardInterrupt


def install() -> None:
    """Our SIGINT handler (the main thread only: Python installs none elsewhere)."""
    try:
        signal.signal(signal.SIGINT, _interrupt)
    except ValueError:
        return


def ignore() -> None:
    """Once the program is leaving on a Ctrl-C: no further one interrupts the exit."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:
        return
