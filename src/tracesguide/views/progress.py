"""A download's progress bar: records received / announced on stderr, only when stderr
is a terminal. ``operators fetch`` and the wizard's operator step both draw it."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def fetch_progress() -> Iterator["Callable[[str, int, int], None] | None"]:
    """Records received / announced on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=None)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=max(total, done, 1))

        yield update
