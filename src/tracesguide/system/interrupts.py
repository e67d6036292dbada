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


def hold() -> set[int | signal.Signals] | None:
    """Hold Ctrl-C back (at the OS level) until :func:`release`: a file created in
    between is always known to the code that must remove it. Returns the mask to give
    back; ``None`` where signals cannot be masked (not the main thread, no
    ``pthread_sigmask``)."""
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (AttributeError, ValueError, OSError):
        return None


def release(held: set[int | signal.Signals] | None) -> None:
    """Let Ctrl-C through again; one that came meanwhile is raised now, by the caller."""
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
