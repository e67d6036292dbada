"""The console script's entry point: Ctrl-C is ours from the first instant.

``tracesguide`` starts here, not in ``tracesguide.cli``: this module imports nothing
heavy, installs the SIGINT handler, then imports the command line. A Ctrl-C while the
program is still loading (the first 100 ms) is the same one French line and exit 130 as
anywhere else. After the first Ctrl-C, the next ones are ignored: the cleanup under way
(a temporary file removed, a lock released, the line printed) always completes, so a
second Ctrl-C never leaves a half-written file. ``kill`` and Ctrl-\\ still stop it.
"""

import signal
import sys

# Nothing else at import: every module loaded before ``install`` is time a Ctrl-C would
# still meet Python's own handler (and print a traceback).

EXIT_INTERRUPTED = 130


def _interrupt(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the second Ctrl-C waits for the cleanup
    raise KeyboardInterrupt


def install() -> None:
    """Our SIGINT handler (the main thread only: elsewhere Python cannot install one)."""
    try:
        signal.signal(signal.SIGINT, _interrupt)
    except ValueError:  # not the main thread: Python installs no handler there
        return


def interrupted() -> None:
    """The one line of a Ctrl-C that came before the command line could say it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from tracesguide import i18n
    from tracesguide.i18n import t

    i18n.set_language(i18n.from_environment())
    print(t("cli.error", message=t("cli.interrupted")), file=sys.stderr)
    sys.exit(EXIT_INTERRUPTED)


def main() -> None:
    install()
    try:
        from tracesguide.cli import main as run
    except KeyboardInterrupt:
        interrupted()
    run()
