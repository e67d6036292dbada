"""What the ``operators`` commands share: plain lines on stderr, numbers and counts in
the user's language, directory text made inert, the progress bar and the rows skipped.

Directory text is untrusted: every string goes through ``clean`` (``inert``) and is
printed as plain text (rich ``Text``, never markup). rich is imported only for the
progress bar, so ``--json`` starts fast.
"""

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tracesguide.system.sanitize import inert

if TYPE_CHECKING:
    from tracesguide.operators import RowProblem
    from tracesguide.operators.formats import ProgressCallback

EXIT_NO_MATCH = 1
SHOWN_PROBLEMS = 10


def say(text: str) -> None:
    """One line for the user on stderr (source used, skipped rows, notes)."""
    print(text, file=sys.stderr)


def number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def plural(count: int, singular: str, plural: str) -> str:
    """*count* with the word of the catalog: *singular* and *plural* are texts of it."""
    return f"{number(count)} {plural if count > 1 else singular}"


def operators(count: int) -> str:
    from tracesguide.i18n import t

    return plural(count, t("operators.operator"), t("operators.operators"))


def clean(value: str) -> str:
    return inert(value, single_line=True).strip()


@contextmanager
def reading_progress(label: str) -> Iterator["ProgressCallback | None"]:
    """A progress bar on stderr while a file is read, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, 1))

        yield update


def report_problems(
    problems: Sequence["RowProblem"], skipped: int | None = None, shown: int = SHOWN_PROBLEMS
) -> None:
    """The first rows skipped, then how many more (``skipped`` counts them all)."""
    skipped = len(problems) if skipped is None else skipped
    if not skipped:
        return
    from tracesguide.i18n import t

    count = plural(skipped, t("operators.invalid_row"), t("operators.invalid_rows"))
    say(t("operators.invalid_rows_heading", count=count))
    for problem in problems[:shown]:
        say(
            t(
                "operators.problem_line",
                location=clean(problem.location),
                message=clean(problem.message),
            )
        )
    if skipped > shown:
        more = skipped - min(shown, len(problems))
        say(t("operators.more_problems", count=number(more)))


def date_text(iso: str) -> str:
    from tracesguide.i18n.wording import moment

    try:
        return moment(iso)
    except ValueError:
        return clean(iso)


def slice_line(country: object, status: object, records: object, total: object) -> str:
    from tracesguide.i18n import t

    return t(
        "fetch.slice_line",
        slice=clean(f"{country} {status}"),
        records=number(records) if isinstance(records, int) else "?",
        total=number(total) if isinstance(total, int) else "?",
    )
