"""Domain errors: each carries the one-line message, a hint and the exit code.

The CLI turns them into a message on stderr and an exit code in one place
(``tracesguide.cli.main``); no other module prints an error or calls ``sys.exit``.
"""

# Exit codes, a documented contract (docs/scripting.md).
EXIT_OK = 0
EXIT_INCOMPLETE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class TracesguideError(Exception):
    """A mistake or a condition the user can act on: never shown as a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class StateError(TracesguideError):
    """The state file is missing, unreadable, invalid or from a newer version."""


class TooLong(TracesguideError):
    """A value longer than the state file allows: refused before it is written."""


class ContentError(TracesguideError):
    """A content file (the procedure) is invalid: a bug in the package, not the user's."""


class DirectoryError(TracesguideError):
    """An operator directory file cannot be used."""


class AnswersError(TracesguideError):
    """An answers file (setup --answers) is missing a key or has a wrong value."""


class WriteError(TracesguideError):
    """A file could not be written (disk full, read-only, no permission...); the previous
    file, if any, is intact."""


class Interrupted(TracesguideError):
    """The user pressed Ctrl-C: everything done so far is saved."""

    exit_code = EXIT_INTERRUPTED


def shorten(text: str, limit: int = 60) -> str:
    """*text* cut to a readable length for a one-line message: an ellipsis says it was cut,
    and its whole length follows (``xxx… (100 000 caractères)``)."""
    if len(text) <= limit:
        return text
    from tracesguide.i18n import language, t

    separator = "\u202f" if language() == "fr" else ","
    length = f"{len(text):,}".replace(",", separator)
    return text[: max(1, limit - 1)] + "…" + t("errors.cut", length=length)


# A value quoted whole in an error (a path, an unknown command) is cut past this many
# characters without a space, and a message past the second number: the safety net of
# ``bounded``, for the values no caller cut.
MAX_RUN = 120
MAX_LINE = 1000
_RUN = None


def bounded(text: str) -> str:
    """*text* with every run of more than ``MAX_RUN`` non-space characters cut (``shorten``,
    its length said), then the whole cut to ``MAX_LINE``: no error line quotes a value whole."""
    global _RUN
    import re

    if _RUN is None:
        _RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")
    cut = _RUN.sub(lambda match: shorten(match.group(), MAX_RUN), text)
    return shorten(cut, MAX_LINE)
