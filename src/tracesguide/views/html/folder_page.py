"""``check PATH... --html OUT``: one page on a folder of state files, for a control body.

One row per user (who, operator, stage, next step and who must act, why blocked, days
waiting since the authorisation request, last update, file), the rows that need action
first; counts per stage and per milestone above; unusable files listed with their
reason. The rows are drawn from ``check.run``'s records, as ``check --json`` writes them:
the same workers, the same progress per position, the same order and exit code.

Each file's rows are drawn where it was judged (``check.run_drawn``: in the forked
workers past ``check.PARALLEL_MIN`` files), with the macros of ``folder_rows.html.j2``
(compiled once before the fork, autoescape on), as UTF-8 bytes; the main process keeps
only those bytes, the sort key and the counts, sorts, and writes the page with the rows
spliced in (see benchmarks/bench_check_html.py). The same ``Drawer`` draws the rows of a
small folder in the main process: the page is the same either way, byte for byte.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

from tracesguide import __version__
from tracesguide.content import USER_ACTOR, Content
from tracesguide.engine import BLOCKED_ANSWER, DONE, SKIPPED, Progress
from tracesguide.i18n import t
from tracesguide.i18n.wording import moment as people_moment
from tracesguide.reports.check import (
    Checked,
    Result,
    Tally,
    Unusable,
    check_milestone,
    run_drawn,
    targets,
)
from tracesguide.reports.status import SituationFields
from tracesguide.views.html import environment, refuse_target, visible, write_private
from tracesguide.views.situation import BLOCKER_KEYS, actor_text, desk_text

# What needs action first: blocked, then waiting on someone else (the control body),
# then in progress, not started, stopped by the guide, complete.
BLOCKED_RANK, WAITING_RANK, PROGRESS_RANK, NEW_RANK, ENDED_RANK, COMPLETE_RANK = range(6)
RANK_KEYS = {
    BLOCKED_RANK: "check_html.rank_blocked",
    WAITING_RANK: "check_html.rank_waiting",
    PROGRESS_RANK: "check_html.rank_progress",
    NEW_RANK: "check_html.rank_new",
    ENDED_RANK: "check_html.rank_ended",
    COMPLETE_RANK: "check_html.rank_complete",
}
RANK_CLASSES = {
    BLOCKED_RANK: "blocked",
    WAITING_RANK: "in-progress",
    PROGRESS_RANK: "todo",
    NEW_RANK: "todo",
    ENDED_RANK: "skipped",
    COMPLETE_RANK: "done",
}
# The counts above the rows, each with its plural (« 1 bloqué », « 3 bloqués »).
COUNT_KEYS = {
    BLOCKED_RANK: "check_html.count_blocked",
    WAITING_RANK: "check_html.count_waiting",
    PROGRESS_RANK: "check_html.count_progress",
    NEW_RANK: "check_html.count_new",
    ENDED_RANK: "check_html.count_ended",
    COMPLETE_RANK: "check_html.count_complete",
}
LABEL_KEYS = (
    "html.toc",
    "check_html.kicker",
    "check_html.counts",
    "check_html.by_stage",
    "check_html.by_milestone",
    "check_html.users",
    "check_html.unusable",
    "check_html.col_name",
    "check_html.col_email",
    "check_html.col_operator",
    "check_html.col_stage",
    "check_html.col_next",
    "check_html.col_blocked",
    "check_html.col_problem",
    "check_html.problems",
    "check_html.problems_lead",
    "check_html.col_reported",
    "check_html.col_entry",
    "check_html.col_desk",
    "check_html.col_waiting",
    "check_html.col_updated",
    "check_html.col_file",
    "check_html.none",
)


@dataclass(slots=True)  # kept for every file, to be sorted: no __dict__ each
class UserRow:
    rank: int
    name: str
    email: str
    operator: str
    stage: str
    stage_id: str
    state_label: str
    state_class: str
    next_step: str
    next_title: str
    actor: str
    blocked: str
    problem: str  # the last problem still current: its entry's words and id ("" when none)
    problem_id: str
    desk: str  # the desk that can act on it
    reported: str  # when it was reported (UTC)
    reached: bool | None  # the --require milestone reached (None without --require)
    waiting: int | None
    updated: str
    updated_at: datetime | None
    file: str
    folder: str  # the file's folder, as given, with its separator (the page prints it small)
    file_name: str
    milestones: dict[str, bool]
    ok: bool

    def sort_key(self) -> tuple[int, int, datetime, str]:
        oldest = self.updated_at or datetime.max.replace(tzinfo=UTC)
        return (self.rank, -(self.waiting or 0), oldest, self.file)


def shown_answers(content: Content) -> tuple[str, ...]:
    """The answers a row shows (who, the operator), as the content names them (``[who]``):
    carried by ``check.run``'s records."""
    who = content.person
    return (who.first_name, who.last_name, who.email, who.operator_name, who.operator_number)


def current_stage(content: Content, where: Progress) -> tuple[str, str]:
    """The first stage not done yet (its id and title), or ("", "") when all are."""
    for status in where.stages:
        if status.status not in (DONE, SKIPPED):
            return status.stage.id, f"{status.stage.number}. {status.stage.title}"
    return "", ""


def _blocker_line(content: Content, seen: SituationFields) -> str:
    """What blocks, from the situation's codes that ``check.run`` gives ("" when an
    answer blocks: its reason is the step's own, given with it)."""
    problem = seen.last_problem
    if seen.blocker is None or seen.blocker[0] == BLOCKED_ANSWER:
        return ""
    desk = desk_text(content, problem[1], seen.control_body) if problem else ""
    return t(BLOCKER_KEYS[seen.blocker[0]], desk=desk)  # the column says « bloqué parce que »


def problem_words(content: Content, problem_id: str) -> str:
    """A problem in words: its troubleshooting entry's label and id, else the id."""
    entry = next((e for e in content.troubleshooting if e.id == problem_id), None)
    shown = visible(problem_id)
    return t("check_html.problem_value", label=entry.label, id=shown) if entry else shown


def stage_titles(content: Content) -> dict[str, str]:
    """Each stage's title as the page shows it ("3. Première connexion…"), by stage id."""
    return {stage.id: f"{stage.number}. {stage.title}" for stage in content.stages}


def user_row(content: Content, result: Checked, titles: dict[str, str]) -> UserRow:
    """The page's row of one file, drawn from ``check.run``'s record of it."""
    seen = result.situation
    first, last, email, operator_name, operator_number = result.kept
    nxt = None if result.ended else result.next_step
    if not result.started or seen is None:
        rank = NEW_RANK
    elif result.complete:
        rank = COMPLETE_RANK
    elif (result.blocked or seen.blocker is not None) and not result.ended:
        rank = BLOCKED_RANK
    elif result.ended:
        rank = ENDED_RANK
    elif nxt is not None and seen.actor != USER_ACTOR:
        rank = WAITING_RANK
    else:
        rank = PROGRESS_RANK
    operator = visible(operator_name)
    number = visible(operator_number)
    problem = seen.last_problem if seen else None
    blocker = _blocker_line(content, seen) if seen else ""
    return UserRow(
        rank=rank,
        name=visible(" ".join(part for part in (first, last) if part)).strip(),
        email=visible(email),
        operator=f"{operator} ({number})" if number else operator,
        stage=titles.get(result.stage, ""),
        stage_id=result.stage,
        state_label=t(RANK_KEYS[rank]),
        state_class=RANK_CLASSES[rank],
        next_step=nxt or "",
        next_title=content.step(nxt).title if nxt else "",
        actor=(
            actor_text(content, seen.actor, seen.control_body)
            if seen
            else actor_text(content, USER_ACTOR)
        )
        if nxt
        else "",
        blocked=" ; ".join(
            [visible(reason) for _, reason in result.blocked] + ([blocker] if blocker else [])
        ),
        problem=problem_words(content, problem[0]) if problem else "",
        problem_id=visible(problem[0]) if problem else "",
        desk=(
            desk_text(content, problem[1], seen.control_body if seen else "")
            if problem[1]
            else t("check_html.no_desk")
        )
        if problem
        else "",
        reported=people_moment(problem[2], utc=True) if problem else "",
        reached=result.milestones.get(result.required) if result.required else None,
        waiting=seen.waiting_days if seen else None,
        updated=people_moment(result.updated, utc=True) if result.updated else "",
        updated_at=result.updated,
        file=visible(str(result.path)),
        folder=visible(str(result.path)[: -len(result.path.name)]) if result.path.name else "",
        file_name=visible(result.path.name or str(result.path)),
        milestones=result.milestones,
        ok=result.ok,
    )


class RowDrawn(NamedTuple):
    """A usable file as the page needs it: where it sorts, what it counts for, its rows."""

    key: tuple[int, int, datetime, str]  # ``UserRow.sort_key``
    rank: int
    stage_id: str
    milestones: tuple[bool, ...]  # each of the content's milestones reached, in its order
    reached: bool | None
    ok: bool
    html: bytes  # its row of the users' table (UTF-8)
    problem: bytes  # its row of the problems' table (b"" without a current problem)


class UnusableDrawn(NamedTuple):
    file: str  # visible
    why: str  # visible


class Drawer:
    """Draws each of ``check.run``'s results as the page's rows (``RowDrawn``), or an
    unusable file as its line; made before ``run_drawn`` forks its workers, which call it.
    Everything it draws with (the content, the words, the compiled macros) is theirs from
    the fork."""

    def __init__(self, content: Content, require: str | None, labels: dict[str, str]) -> None:
        self.content = content
        self.titles = stage_titles(content)
        self.milestones = tuple(content.milestones)
        from tracesguide.views.html.words import with_words

        # the fixed words compiled in (escaped once, not in every row); any other is read
        # from ``L`` as an attribute (a dict's getattr fails first: an exception each time)
        rows = with_words(labels).get_template("folder_rows.html.j2")
        words = SimpleNamespace(**labels)
        macros: Any = rows.make_module({"L": words, "require": require})  # its macros
        self.user_html: Callable[[UserRow], str] = macros.user_row
        self.problem_html: Callable[[UserRow], str] = macros.problem_row

    def __call__(self, result: Result) -> RowDrawn | UnusableDrawn:
        if isinstance(result, Unusable):
            return UnusableDrawn(visible(str(result.path)), visible(result.error))
        row = user_row(self.content, result, self.titles)
        return RowDrawn(
            row.sort_key(),
            row.rank,
            row.stage_id,
            tuple(row.milestones[name] for name in self.milestones),
            row.reached,
            row.ok,
            self.user_html(row).encode("utf-8"),
            self.problem_html(row).encode("utf-8") if row.problem else b"",
        )


# Where the rows go in the page's text (``folder.html.j2``): no text drawn on the page
# holds a NUL (``visible`` removes it, the catalog and the content have none).
_HELPED_ROWS = "\0helped-rows\0"
_USER_ROWS = "\0user-rows\0"


def page_chunks(
    content: Content,
    paths: Sequence[Path],
    require: str | None = None,
    now: datetime | None = None,
) -> tuple[list[bytes], int]:
    """The page as UTF-8 chunks, in order, and check's exit code."""
    from markupsafe import Markup

    check_milestone(content, require)
    moment = now or datetime.now(UTC)
    labels = {key.split(".", 1)[1]: t(key) for key in LABEL_KEYS}
    if require is not None:
        labels["col_required"] = t("check_html.col_required", name=require)
        labels["reached"] = t("check_html.reached")
        labels["not_reached"] = t("check_html.not_reached")
    drawer = Drawer(content, require, labels)
    kept: list[tuple[tuple[int, int, datetime, str], bytes, bytes]] = []
    unusable: list[tuple[str, str]] = []
    by_stage: Counter[str] = Counter()
    ranks: Counter[int] = Counter()
    milestones = [0] * len(drawer.milestones)
    reached = 0
    tally = Tally()
    drawn_files = run_drawn(content, paths, require, drawer, shown_answers(content), moment)
    for drawn in drawn_files:
        if isinstance(drawn, UnusableDrawn):
            tally.count(unusable=True)
            unusable.append(drawn)
            continue
        tally.count(ok=drawn.ok)
        kept.append((drawn.key, drawn.html, drawn.problem))
        by_stage[drawn.stage_id] += 1
        ranks[drawn.rank] += 1
        for index, done in enumerate(drawn.milestones):
            milestones[index] += done
        reached += bool(drawn.reached)
    kept.sort(key=itemgetter(0))
    users = len(kept)
    helped = any(problem for _, _, problem in kept)
    stages = [(f"{s.number}. {s.title}", by_stage.get(s.id, 0)) for s in content.stages]
    stages.append((t("check_html.all_done"), by_stage.get("", 0)))
    counts = [
        (t(COUNT_KEYS[rank], count=ranks.get(rank, 0)), ranks.get(rank, 0), RANK_CLASSES[rank])
        for rank in RANK_KEYS
    ]
    counts.append((t("check_html.count_unusable", count=len(unusable)), len(unusable), "blocked"))
    required = None
    if require is not None:
        required = t("check_html.required_count", count=reached, total=users, name=require)
    toc = [("effectifs", labels["counts"])]
    if helped:
        toc.append(("problemes", labels["problems"]))
    toc.append(("utilisateurs", labels["users"]))
    if unusable:
        toc.append(("inutilisables", labels["unusable"]))
    stamp = people_moment(moment, utc=True)
    text = (
        environment()
        .get_template("folder.html.j2")
        .render(
            L=labels,
            version=__version__,
            kicker=labels["kicker"],
            title=t("check_html.title", count=users + len(unusable), date=stamp[:10]),
            footer=t("html.footer", version=__version__, at=stamp),
            counts=counts,
            stages=stages,
            milestones=list(zip(drawer.milestones, milestones, strict=True)),
            helped=helped,
            helped_rows=Markup(_HELPED_ROWS),
            rows=users > 0,
            user_rows=Markup(_USER_ROWS),
            require=require,
            required=required,
            unusable=unusable,
            toc=toc,
            wide=True,
        )
    )
    head, rest = _around(text, _HELPED_ROWS) if helped else (None, text)
    middle, tail = _around(rest, _USER_ROWS) if users else (rest, None)
    chunks: list[bytes] = []
    if head is not None:
        chunks.append(head.encode("utf-8"))
        chunks += [problem for _, _, problem in kept if problem]
    chunks.append(middle.encode("utf-8"))
    if tail is not None:
        chunks += [html for _, html, _ in kept]
        chunks.append(tail.encode("utf-8"))
    return chunks, tally.code


def _around(text: str, marker: str) -> tuple[str, str]:
    """The text before and after the one *marker* in it."""
    before, found, after = text.partition(marker)
    if not found or marker in after:
        raise AssertionError(f"the page must hold {marker!r} once")
    return before, after


def page(
    content: Content,
    paths: Sequence[Path],
    require: str | None = None,
    now: datetime | None = None,
) -> tuple[str, int]:
    """The page's text and check's exit code."""
    chunks, code = page_chunks(content, paths, require, now)
    return b"".join(chunks).decode("utf-8"), code


def write(content: Content, paths: Sequence[Path], require: str | None, out: Path) -> int:
    """Write the page to *out* (0600, atomically) and return check's exit code."""
    # a folder given stands for its files: the page may not replace one of them
    refuse_target(out, [path for path, _, _ in targets(paths)], "--html")
    chunks, code = page_chunks(content, paths, require)
    write_private(out, chunks)
    return code
