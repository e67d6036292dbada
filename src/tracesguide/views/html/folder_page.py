"""``check PATH... --html OUT``: one page on a folder of state files, for a control body.

One row per user (who, operator, stage, next step and who must act, why blocked, days
waiting since the authorisation request, last update, file), the rows that need action
first; counts per stage and per milestone above; unusable files listed with their
reason. The rows are drawn from ``check.run``'s records, as ``check --json`` writes them:
the same workers, the same progress per position, the same order and exit code; only
the rows are kept, to be sorted (see benchmarks/bench_check_html.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tracesguide import __version__
from tracesguide.content import USER_ACTOR, Content
from tracesguide.engine import BLOCKED_ANSWER, DONE, SKIPPED, Progress
from tracesguide.i18n import t
from tracesguide.i18n.wording import moment as people_moment
from tracesguide.reports.check import Checked, Tally, Unusable, check_milestone, run, targets
from tracesguide.reports.status import SituationFields
from tracesguide.views.html import refuse_target, render, visible, write_private
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


def collect(
    content: Content, paths: Sequence[Path], now: datetime, require: str | None = None
) -> tuple[list[UserRow], list[tuple[str, str]], int]:
    """A row per usable file, (file, reason) for each unusable one, and check's exit
    code: ``check.run``'s records (the same workers, order and exit code as ``--json``)."""
    rows: list[UserRow] = []
    unusable: list[tuple[str, str]] = []
    titles = {stage.id: f"{stage.number}. {stage.title}" for stage in content.stages}
    tally = Tally()
    for result in run(content, paths, require, keep=shown_answers(content), now=now):
        tally.add(result)
        if isinstance(result, Unusable):
            unusable.append((visible(str(result.path)), visible(result.error)))
        else:
            rows.append(user_row(content, result, titles))
    rows.sort(key=UserRow.sort_key)
    return rows, unusable, tally.code


def page(
    content: Content,
    paths: Sequence[Path],
    require: str | None = None,
    now: datetime | None = None,
) -> tuple[str, list[UserRow], list[tuple[str, str]], int]:
    """The page, the rows, the unusable files and check's exit code."""
    check_milestone(content, require)
    moment = now or datetime.now(UTC)
    rows, unusable, code = collect(content, paths, moment, require)
    labels = {key.split(".", 1)[1]: t(key) for key in LABEL_KEYS}
    by_stage = Counter(r.stage_id for r in rows)
    stages = [(f"{s.number}. {s.title}", by_stage.get(s.id, 0)) for s in content.stages]
    stages.append((t("check_html.all_done"), by_stage.get("", 0)))
    milestones = [(m, sum(1 for r in rows if r.milestones[m])) for m in content.milestones]
    ranks = Counter(r.rank for r in rows)
    counts = [
        (t(COUNT_KEYS[rank], count=ranks.get(rank, 0)), ranks.get(rank, 0), RANK_CLASSES[rank])
        for rank in RANK_KEYS
    ]
    counts.append((t("check_html.count_unusable", count=len(unusable)), len(unusable), "blocked"))
    helped = [r for r in rows if r.problem]
    required = None
    if require is not None:
        reached = sum(1 for r in rows if r.reached)
        required = t("check_html.required_count", count=reached, total=len(rows), name=require)
        labels["col_required"] = t("check_html.col_required", name=require)
        labels["reached"] = t("check_html.reached")
        labels["not_reached"] = t("check_html.not_reached")
    toc = [("effectifs", labels["counts"])]
    if helped:
        toc.append(("problemes", labels["problems"]))
    toc.append(("utilisateurs", labels["users"]))
    if unusable:
        toc.append(("inutilisables", labels["unusable"]))
    stamp = people_moment(moment, utc=True)
    html = render(
        "folder.html.j2",
        L=labels,
        version=__version__,
        kicker=labels["kicker"],
        title=t("check_html.title", count=len(rows) + len(unusable), date=stamp[:10]),
        footer=t("html.footer", version=__version__, at=stamp),
        counts=counts,
        stages=stages,
        milestones=milestones,
        rows=rows,
        helped=helped,
        require=require,
        required=required,
        unusable=unusable,
        toc=toc,
        wide=True,
    )
    return html, rows, unusable, code


def write(content: Content, paths: Sequence[Path], require: str | None, out: Path) -> int:
    """Write the page to *out* (0600, atomically) and return check's exit code."""
    # a folder given stands for its files: the page may not replace one of them
    refuse_target(out, [path for path, _, _ in targets(paths)], "--html")
    html, _, _, code = page(content, paths, require)
    write_private(out, html.encode("utf-8"))
    return code
