"""The console script's entry point: Ctrl-C is ours from the first instant.

``tracesguide`` starts here, not in ``tracesguide.cli``: this module imports nothing
heavy, installs the SIGINT handler, then imports the command line. A Ctrl-C while the
program is still loading (the first 100 ms) is the same one French line and exit 130 as
anywhere else; after it, the next ones wait for the cleanup (``system.interrupts``).
"""

import sys

from tracesguide.system.interrupts import ignore, install

# Nothing else at import: every module loaded before ``install`` is time a Ctrl-C would
# still meet Python's own handler (and print a traceback).

EXIT_INTERRUPTED = 130


def interrupted() -> None:
    """The one line of a Ctrl-C that came before the command line could say it."""
    ignore()
    from tracesguide import i18n
    from tracesguide.i18n import t

    i18n.set_language(i18n.from_environment())
    print(t("cli.stopped", message=t("cli.interrupted")), file=sys.stderr)
    sys.exit(EXIT_INTERRUPTED)


def main() -> None:
    install()
    try:
        from tracesguide.cli import main as run

        # the command's own handlers start inside ``run``: a Ctrl-C before them (while
        # the language is chosen, the streams set up) is caught here, the same line
        run()
    except KeyboardInterrupt:
        interrupted()
