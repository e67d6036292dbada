"""``tracesguide check``: which state files are complete, for scripts.

Exit codes (a documented contract, docs/scripting.md): 0 every file is complete
(or has reached the ``--require`` milestone), 1 at least one is not, 2 at least
one is unusable (missing, invalid, from a newer schema, an unreadable folder) or
the command line is wrong. 2 wins over 1.

``run`` returns typed results, one per file, in order; it never prints. Two renderers
in ``check_view`` show them: a table, or JSON lines. Built for thousands of files: the
content is loaded once, the files go through ``state.fastread.load_many``, and this
module imports neither rich nor the wizard's libraries.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from tracesguide.content import Content
from tracesguide.engine import Progress, progress, progress_key, situation
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


Result = Checked | Unusable


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


def run(content: Content, paths: Sequence[Path], require: str | None) -> Iterator[Result]:
    """A result per file, in order; an unusable file never stops the others."""
    check_milestone(content, require)
    files = list(targets(paths))
    readable = [not problem and _present(path, explicit) for path, explicit, problem in files]
    checked = _check_all(
        content, [path for (path, _, _), read in zip(files, readable, strict=True) if read], require
    )
    for (path, _, problem), read in zip(files, readable, strict=True):
        if problem:
            yield Unusable(path, problem)
        elif not read:
            yield Checked(
                path,
                started=False,
                complete=False,
                required=require,
                ok=False,
                milestones=dict.fromkeys(content.milestones, False),
                next_step=content.steps[0].id,
                blocked=[],
                updated=None,
                next_action=next_action(content, content.steps[0]),
            )
        else:
            yield next(checked)


def texts_for(content: Content, language: str) -> Content:
    """The content whose texts a file's record gives: the language ``--lang`` chose, else
    the file's own, else the locale's (the rule of ``status``)."""
    from tracesguide.i18n import chosen

    if chosen() or language == content.language:
        return content
    from tracesguide.content import LANGUAGES, load

    return load(language) if language in LANGUAGES else content


def _checked(
    content: Content, path: Path, saved: State, where: Progress, require: str | None
) -> Checked:
    from tracesguide.state.model import utc_now

    seen = situation(content, saved, utc_now(), known=where)
    texts = texts_for(content, saved.language)
    # the reasons and explanations are the content's texts: in the file's language too
    told = where if texts is content else progress(texts, saved)
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
    )


# From this many files on, ``check`` reads and judges them in one process per CPU: the
# work per file (read, parse, validate, ``engine.progress``) is pure CPU, and starting the
# workers (forked, so nothing is imported again) costs a few milliseconds.
PARALLEL_MIN = 2000
_CHUNK = 250
# What forked workers judge with: the content, the milestone, the positions known.
_job: tuple[Content, str | None, dict[Hashable, Progress]] | None = None


def _check_all(content: Content, paths: list[Path], require: str | None) -> Iterator[Result]:
    """A result per path, in order: in parallel for many files where the OS can fork."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_MIN or workers < 2 or not hasattr(os, "fork"):
        yield from _check_paths(content, paths, require, fast=len(paths) > 1)
        return
    import multiprocessing

    global _job
    _job = (content, require, {})
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
            done = iter(paths)
            for packed in pool.imap(_check_chunk, chunks):
                for result in packed:
                    path = next(done)
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
                        dict(zip(content.milestones, reached, strict=True)),
                        next_step,
                        blocked,
                        updated,
                        *rest,
                    )
    finally:
        _job = None


# What a worker sends back for a file: the error of an unusable one, or the fields of
# ``Checked`` that are not known already (the path is the parent's): pickling and
# unpickling less is most of the parent's work.
_Rest = tuple[NextActionRecord | None, SituationFields | None, str | None]
Packed = (
    str
    | tuple[bool, bool, tuple[bool, ...], str | None, list[tuple[str, str]], datetime | None, _Rest]
)


def _check_chunk(paths: list[Path]) -> list[Packed]:
    assert _job is not None
    content, require, known = _job
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
            (result.next_action, result.situation, result.ended),
        )
        for result in _check_paths(content, paths, require, fast=True, known=known)
    ]


# Progress worked out per distinct position (``engine.progress_key``): users on the same
# path at the same step share it. Bounded, for folders of files that all differ.
_KNOWN_POSITIONS = 4096


def _check_paths(
    content: Content,
    paths: list[Path],
    require: str | None,
    fast: bool,
    known: dict[Hashable, Progress] | None = None,
) -> Iterator[Result]:
    """The states, through the fast reader when there are several (it pays for itself).

    *known*: the progress of each position seen so far (kept across a worker's chunks).
    """
    key_of = progress_key(content)
    known = {} if known is None else known
    if fast:
        from tracesguide.state.fastread import load_many

        states: Iterable[State | StateError] = load_many(paths)
    else:
        states = (load_state(path, fast=False) for path in paths)
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
        yield _checked(content, path, saved, where, require)


def load_state(path: Path, fast: bool) -> State | StateError:
    """One file's state or its error; *fast* (many files) uses ``fastread.load_many``."""
    if fast:
        from tracesguide.state.fastread import load_many

        return next(load_many([path]))
    from tracesguide.state.store import load

    try:
        return load(path)
    except StateError as error:
        return error


def exit_code(results: Iterable[Result]) -> int:
    """2 if any result is unusable, else 1 if any is not ok, else 0."""
    code = EXIT_OK
    for result in results:
        if isinstance(result, Unusable):
            return EXIT_USAGE
        if not result.ok:
            code = EXIT_INCOMPLETE
    return code
