"""``tracesguide check``: which state files are complete, for scripts.

Exit codes (a documented contract, docs/scripting.md): 0 every file is complete
(or has reached the ``--require`` milestone), 1 at least one is not, 2 at least
one is unusable (missing, invalid, from a newer schema, an unreadable folder) or
the command line is wrong. 2 wins over 1.

``run`` returns typed results, one per file, in order; it never prints. Two renderers
in ``check_view`` show them: a table, or JSON lines. ``run_drawn`` gives each result
through a function the caller passes (a view's ``draw``): past ``PARALLEL_MIN`` files the
workers call it, so what a view makes of each file is made in parallel too and only that
comes back. Built for thousands of files: the content is loaded once, each file is
read by ``state.store.load``, and this module imports neither rich nor the
wizard's libraries (nor what a ``draw`` imports: it is given, never imported).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from tracesguide.content import Content
from tracesguide.engine import DONE, SKIPPED, Progress, progress, progress_key, situation
from tracesguide.reports.status import NextActionRecord, SituationFields, next_action
from tracesguide.state import State
from tracesguide.system.errors import (
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_USAGE,
    StateError,
    TracesguideError,
    shorten,
)
from tracesguide.system.paths import resolve_state_path

SKIPPED_SUFFIX = ".bak.toml"  # the copies `tracesguide reset` keeps are not users


class Unusable(NamedTuple):
    """A file (or folder) that cannot be checked, and why (one line, untrusted text)."""

    path: Path
    error: str


class Checked(NamedTuple):
    """Where one file stands (``started`` False: nothing saved at the default path)."""

    path: Path
    started: bool
    complete: bool
    required: str | None
    ok: bool
    milestones: dict[str, bool]
    next_step: str | None
    blocked: list[tuple[str, str]]  # (step id, reason)
    updated: datetime | None
    next_action: NextActionRecord | None  # what must happen next
    situation: SituationFields | None = None  # None: nothing saved
    ended: str | None = None  # why the guide ends here (a role it does not cover)
    stage: str = ""  # the first stage not done yet ("" when all are)
    kept: tuple[str, ...] = ()  # the answers ``run`` was asked to keep (``keep``), in order


Result = Checked | Unusable
Drawn = TypeVar("Drawn")


def check_milestone(content: Content, require: str | None) -> None:
    """Refuse an unknown milestone name, listing the valid ones."""
    if require is not None and require not in content.milestones:
        from tracesguide.i18n import t

        raise TracesguideError(
            t("check.unknown_milestone", name=shorten(require)),
            t("check.unknown_milestone_hint", names=", ".join(content.milestones)),
        )


def targets(paths: Sequence[Path]) -> Iterator[tuple[Path, bool, str]]:
    """Each file to check, whether it was named, and why it cannot be checked ("" if it can).

    A folder stands for every ``*.toml`` directly inside it, sorted by name (reset's
    ``*.bak.toml`` copies left out); no path means the default state. A missing named
    file is unusable; a missing default file means "not started"; a folder that cannot
    be listed is a record of its own, and the others go on.
    """
    if not paths:
        path, explicit = resolve_state_path(None)
        yield path, explicit, ""
        return
    for path in paths:
        try:
            is_folder = path.is_dir()
        except (OSError, ValueError):
            is_folder = False
        if not is_folder:
            yield path, True, ""
            continue
        try:
            with os.scandir(path) as entries:
                names = sorted(
                    e.name
                    for e in entries
                    if e.name.endswith(".toml") and not e.name.endswith(SKIPPED_SUFFIX)
                )
        except OSError as error:
            from tracesguide.i18n import t

            yield path, True, t("check.folder_unreadable", why=error.strerror or error)
            continue
        if not names:
            from tracesguide.i18n import t

            yield path, True, t("check.folder_empty")
        for name in names:
            yield path / name, True, ""


def _present(path: Path, explicit: bool) -> bool:
    return explicit or path.exists() or path.is_symlink()


def run(
    content: Content,
    paths: Sequence[Path],
    require: str | None,
    keep: Sequence[str] = (),
    now: datetime | None = None,
) -> Iterator[Result]:
    """A result per file, in order, as each is judged; an unusable file never stops the
    others. Nothing is kept once yielded: a caller that needs every result keeps them.

    *keep*: answers whose values each record carries (``Checked.kept``, "" when absent);
    *now*: the moment the waiting days are counted to (default: the clock).
    """
    return _run(content, paths, require, None, keep, now)


def run_drawn(
    content: Content,
    paths: Sequence[Path],
    require: str | None,
    draw: Callable[[Result], Drawn],
    keep: Sequence[str] = (),
    now: datetime | None = None,
) -> Iterator[Drawn]:
    """``draw`` of each of ``run``'s results, in the same order. Past ``PARALLEL_MIN``
    files the forked workers call *draw* (it is theirs from the fork: nothing it holds is
    pickled) and send back only what it returns, which must pickle; the results it is
    given are never sent. The same function of the same result: the same value whichever
    process drew it."""
    return _run(content, paths, require, draw, keep, now)


def _run(
    content: Content,
    paths: Sequence[Path],
    require: str | None,
    draw: Callable[[Result], Any] | None,
    keep: Sequence[str],
    now: datetime | None,
) -> Iterator[Any]:
    check_milestone(content, require)
    entries = targets(paths)
    head = list(islice(entries, PARALLEL_MIN))
    workers = min(os.cpu_count() or 1, 8)
    job = _Job(content, require, tuple(keep), now, {}, draw)
    if len(head) < PARALLEL_MIN or workers < 2 or not hasattr(os, "fork"):
        readable = [path for path, explicit, problem in head if _readable(path, explicit, problem)]
        checked = _check_paths(job, readable)
        yield from _in_order(job, head, checked if draw is None else map(draw, checked))
        return
    yield from _in_parallel(job, chain(head, entries), workers)


def _readable(path: Path, explicit: bool, problem: str) -> bool:
    return not problem and _present(path, explicit)


def _in_order(
    job: _Job, entries: Iterable[tuple[Path, bool, str]], checked: Iterator[Any]
) -> Iterator[Any]:
    """The result of each entry: its problem, "not started", or the next one checked.

    *checked* may be drawn already (by the workers): the results made here are then
    drawn here, with the job's ``draw``."""
    content = job.content
    draw = job.draw if job.draw is not None else _as_is
    for path, explicit, problem in entries:
        if problem:
            yield draw(Unusable(path, problem))
        elif not _present(path, explicit):
            yield draw(
                Checked(
                    path,
                    started=False,
                    complete=False,
                    required=job.require,
                    ok=False,
                    milestones=dict.fromkeys(content.milestones, False),
                    next_step=content.steps[0].id,
                    blocked=[],
                    updated=None,
                    next_action=next_action(content, content.steps[0]),
                    stage=content.stages[0].id if content.stages else "",
                    kept=("",) * len(job.keep),
                )
            )
        else:
            yield next(checked)


def _as_is(result: Result) -> Result:
    return result


class Tally:
    """The exit code of the results seen so far, and how many of each kind (``add``)."""

    def __init__(self) -> None:
        self.complete = self.incomplete = self.unusable = 0

    def add(self, result: Result) -> Result:
        if isinstance(result, Unusable):
            self.count(unusable=True)
        else:
            self.count(ok=result.ok)
        return result

    def count(self, *, unusable: bool = False, ok: bool = False) -> None:
        """Count one file known only by what it was (``run_drawn``'s callers)."""
        if unusable:
            self.unusable += 1
        elif ok:
            self.complete += 1
        else:
            self.incomplete += 1

    @property
    def code(self) -> int:
        """2 if any result is unusable, else 1 if any is not ok, else 0."""
        if self.unusable:
            return EXIT_USAGE
        return EXIT_INCOMPLETE if self.incomplete else EXIT_OK


def texts_for(content: Content, language: str) -> Content:
    """The content whose texts a file's record gives: the language ``--lang`` chose, else
    the file's own, else the locale's (the rule of ``status``)."""
    from tracesguide.i18n import chosen

    if chosen() or language == content.language:
        return content
    from tracesguide.content import LANGUAGES, load

    return load(language) if language in LANGUAGES else content


class _Job(NamedTuple):
    """What every file is judged with: the content, the milestone, the answers kept, the
    moment, the progress of each position seen so far (``engine.progress_key``), and what
    draws each result (``run_drawn``; None: the results themselves)."""

    content: Content
    require: str | None
    keep: tuple[str, ...]
    now: datetime | None
    known: dict[Hashable, Progress]
    draw: Callable[[Result], Any] | None = None


def _checked(job: _Job, path: Path, saved: State, where: Progress) -> Checked:
    from tracesguide.state.model import utc_now

    content, require = job.content, job.require
    seen = situation(content, saved, job.now or utc_now(), known=where)
    texts = texts_for(content, saved.language)
    # the reasons and explanations are the content's texts: in the file's language too
    told = where if texts is content else progress(texts, saved)
    answers = saved.answers
    return Checked(
        path,
        started=True,
        complete=where.complete,
        required=require,
        ok=where.complete if require is None else where.milestones[require],
        milestones=dict(where.milestones),
        next_step=where.next_step.id if where.next_step else None,
        blocked=list(told.blocked),
        updated=saved.updated,
        next_action=None
        if where.ended or where.next_step is None
        else next_action(texts, texts.step(where.next_step.id)),
        situation=SituationFields.of(seen),
        ended=told.ended or None,
        stage=next((s.stage.id for s in where.stages if s.status not in (DONE, SKIPPED)), ""),
        kept=tuple(answers.get(key, "") for key in job.keep),
    )


# From this many files on, ``check`` reads and judges them in one process per CPU: the
# work per file (read, parse, validate, ``engine.progress``) is pure CPU, and starting the
# workers (forked, so nothing is imported again) costs a few milliseconds.
PARALLEL_MIN = 2000
_CHUNK = 250
# Chunks in flight per worker: enough to keep them busy, few enough that memory stays
# flat whatever the number of files (results are written as they come back).
_AHEAD = 4
# What forked workers judge with (set before the fork).
_job: _Job | None = None


def _chunks(entries: Iterator[tuple[Path, bool, str]]) -> Iterator[list[tuple[Path, bool, str]]]:
    while chunk := list(islice(entries, _CHUNK)):
        yield chunk


def _in_parallel(
    job: _Job, entries: Iterator[tuple[Path, bool, str]], workers: int
) -> Iterator[Result]:
    """The results in order, the files judged by forked workers a chunk at a time."""
    import multiprocessing
    from collections import deque

    global _job
    _job = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque[tuple[list[tuple[Path, bool, str]], Any]] = deque()
            for chunk in _chunks(entries):
                paths = [
                    path for path, explicit, problem in chunk if _readable(path, explicit, problem)
                ]
                work = _check_chunk if job.draw is None else _draw_chunk
                pending.append((chunk, pool.apply_async(work, (paths,))))
                if len(pending) >= _AHEAD * workers:
                    yield from _unpacked(job, *pending.popleft())
            while pending:
                yield from _unpacked(job, *pending.popleft())
    finally:
        _job = None


def _unpacked(job: _Job, chunk: list[tuple[Path, bool, str]], done: Any) -> Iterator[Any]:
    if job.draw is not None:  # drawn by the worker, in the order of the readable entries
        yield from _in_order(job, chunk, iter(done.get()))
        return
    packed: list[Packed] = done.get()
    paths = iter(path for path, explicit, problem in chunk if _readable(path, explicit, problem))
    milestones = job.content.milestones
    require = job.require

    def results() -> Iterator[Result]:
        for result in packed:
            path = next(paths)
            if isinstance(result, str):
                yield Unusable(path, result)
                continue
            complete, ok, reached, next_step, blocked, updated, rest = result
            yield Checked(
                path,
                True,
                complete,
                require,
                ok,
                dict(zip(milestones, reached, strict=True)),
                next_step,
                blocked,
                updated,
                *rest,
            )

    yield from _in_order(job, chunk, results())


# What a worker sends back for a file: the error of an unusable one, or the fields of
# ``Checked`` that are not known already (the path is the parent's): pickling and
# unpickling less is most of the parent's work.
_Rest = tuple[NextActionRecord | None, SituationFields | None, str | None, str, tuple[str, ...]]
Packed = (
    str
    | tuple[bool, bool, tuple[bool, ...], str | None, list[tuple[str, str]], datetime | None, _Rest]
)


def _check_chunk(paths: list[Path]) -> list[Packed]:
    assert _job is not None
    return [
        result.error
        if isinstance(result, Unusable)
        else (
            result.complete,
            result.ok,
            tuple(result.milestones.values()),
            result.next_step,
            result.blocked,
            result.updated,
            (result.next_action, result.situation, result.ended, result.stage, result.kept),
        )
        for result in _check_paths(_job, paths)
    ]


def _draw_chunk(paths: list[Path]) -> list[Any]:
    assert _job is not None and _job.draw is not None
    # the whole chunk judged, then drawn: one kind of work at a time is ~10 % faster than
    # the two taking turns file by file (what each needs stays in the processor's caches)
    results = list(_check_paths(_job, paths))
    return list(map(_job.draw, results))


# Progress worked out per distinct position (``engine.progress_key``): users on the same
# path at the same step share it. Bounded, for folders of files that all differ.
_KNOWN_POSITIONS = 4096


def _check_paths(job: _Job, paths: list[Path]) -> Iterator[Result]:
    """The states of *paths*, each judged once per distinct position.

    ``job.known``: the progress of each position seen so far (kept across a worker's
    chunks).
    """
    content = job.content
    key_of = progress_key(content)
    known = job.known
    states = map(load_state, paths)
    for path, saved in zip(paths, states, strict=True):
        if isinstance(saved, StateError):
            yield Unusable(path, saved.message)
            continue
        key = key_of(saved)
        where = known.get(key)
        if where is None:
            if len(known) >= _KNOWN_POSITIONS:
                known.clear()
            where = known[key] = progress(content, saved)
        yield _checked(job, path, saved, where)


def load_state(path: Path) -> State | StateError:
    """One file's state or the error that makes it unusable."""
    from tracesguide.state.store import load

    try:
        return load(path)
    except StateError as error:
        return error


def exit_code(results: Iterable[Result]) -> int:
    """2 if any result is unusable, else 1 if any is not ok, else 0."""
    tally = Tally()
    for result in results:
        tally.add(result)
    return tally.code
