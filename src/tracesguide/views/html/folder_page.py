"""``check PATH... --html OUT``: one page on a folder of state files, for a control body.

One row per user (who, operator, stage, next step and who must act, why blocked, days
waiting since the authorisation request, last update, file), the rows that need action
first; counts per stage and per milestone above; unusable files listed with their
reason. Each file costs one fast ``state.load`` and one ``engine.progress``, as in
``check --json`` (see benchmarks/bench_check_html.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tracesguide import __version__
from tracesguide.content import Content
from tracesguide.engine import DONE, SKIPPED, Progress, progress
from tracesguide.engine import situation as engine_situation
from tracesguide.i18n import t
from tracesguide.i18n.wording import moment as people_moment
from tracesguide.reports.check import check_milestone, load_state, targets
from tracesguide.state import State
from tracesguide.system.errors import StateError
from tracesguide.views.html import refuse_target, render, visible, write_private
from tracesguide.views.html.replay_page import full_name
from tracesguide.views.situation import actor_text, staff_lines

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
    "check_html.col_waiting",
    "check_html.col_updated",
    "check_html.col_file",
    "check_html.none",
)


@dataclass
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
    waiting: int | None
    updated: str
    updated_at: datetime | None
    file: str
    milestones: dict[str, bool]
    ok: bool

    def sort_key(self) -> tuple[int, int, datetime, str]:
        oldest = self.updated_at or datetime.max.replace(tzinfo=UTC)
        return (self.rank, -(self.waiting or 0), oldest, self.file)


def current_stage(content: Content, where: Progress) -> tuple[str, str]:
    """The first stage not done yet (its id and title), or ("", "") when all are."""
    for status in where.stages:
        if status.status not in (DONE, SKIPPED):
            return status.stage.id, f"{status.stage.number}. {status.stage.title}"
    return "", ""


def user_row(
    content: Content, path: Path, saved: State | None, now: datetime, require: str | None
) -> UserRow:
    where = progress(content, saved)
    answers = saved.answers if saved else {}
    stage_id, stage = current_stage(content, where)
    nxt = None if where.ended else where.next_step
    seen = engine_situation(content, saved, now, known=where)
    days = seen.waiting_days
    if saved is None:
        rank = NEW_RANK
    elif where.complete:
        rank = COMPLETE_RANK
    elif (where.blocked or seen.blocked is not None) and not where.ended:
        rank = BLOCKED_RANK
    elif where.ended:
        rank = ENDED_RANK
    elif nxt is not None and seen.actor != "user":
        rank = WAITING_RANK
    else:
        rank = PROGRESS_RANK
    operator = visible(answers.get("operator_name", ""))
    number = visible(answers.get("operator_traces_number", ""))
    return UserRow(
        rank=rank,
        name=full_name(answers),
        email=visible(answers.get("email", "")),
        operator=f"{operator} ({number})" if number else operator,
        stage=stage,
        stage_id=stage_id,
        state_label=t(RANK_KEYS[rank]),
        state_class=RANK_CLASSES[rank],
        next_step=nxt.id if nxt else "",
        next_title=nxt.title if nxt else "",
        actor=actor_text(content, seen.actor) if nxt else "",
        blocked=" ; ".join(
            [visible(reason) for _, reason in where.blocked]
            + [visible(line) for line in staff_lines(content, seen, actor=False)]
        ),
        waiting=days,
        updated=people_moment(saved.updated, utc=True) if saved else "",
        updated_at=saved.updated if saved else None,
        file=visible(str(path)),
        milestones=where.milestones,
        ok=saved is not None and (where.complete if require is None else where.milestones[require]),
    )


def collect(
    content: Content, paths: Sequence[Path], now: datetime, require: str | None = None
) -> tuple[list[UserRow], list[tuple[str, str]]]:
    """A row per usable file, and (file, reason) for each unusable one."""
    rows: list[UserRow] = []
    unusable: list[tuple[str, str]] = []
    files = list(targets(paths))
    fast = len(files) > 1
    for path, explicit, problem in files:
        if problem:
            unusable.append((visible(str(path)), visible(problem)))
            continue
        if not explicit and not path.exists() and not path.is_symlink():
            rows.append(user_row(content, path, None, now, require))
            continue
        saved = load_state(path, fast)
        if isinstance(saved, StateError):
            unusable.append((visible(str(path)), visible(saved.message)))
            continue
        rows.append(user_row(content, path, saved, now, require))
    rows.sort(key=UserRow.sort_key)
    return rows, unusable


def page(
    content: Content,
    paths: Sequence[Path],
    require: str | None = None,
    now: datetime | None = None,
) -> tuple[str, list[UserRow], list[tuple[str, str]]]:
    """The page, the rows and the unusable files (for the exit code)."""
    check_milestone(content, require)
    moment = now or datetime.now(UTC)
    rows, unusable = collect(content, paths, moment, require)
    labels = {key.split(".", 1)[1]: t(key) for key in LABEL_KEYS}
    by_stage = Counter(r.stage_id for r in rows)
    stages = [(f"{s.number}. {s.title}", by_stage.get(s.id, 0)) for s in content.stages]
    stages.append((t("check_html.all_done"), by_stage.get("", 0)))
    milestones = [(m, sum(1 for r in rows if r.milestones[m])) for m in content.milestones]
    ranks = Counter(r.rank for r in rows)
    counts = [(t(RANK_KEYS[rank]), ranks.get(rank, 0), RANK_CLASSES[rank]) for rank in RANK_KEYS]
    counts.append((labels["unusable"], len(unusable), "blocked"))
    toc = [("effectifs", labels["counts"]), ("utilisateurs", labels["users"])]
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
        unusable=unusable,
        toc=toc,
        wide=True,
    )
    return html, rows, unusable


def write(content: Content, paths: Sequence[Path], require: str | None, out: Path) -> int:
    """Write the page to *out* (0600, atomically) and return check's exit code."""
    from tracesguide.system.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE

    # a folder given stands for its files: the page may not replace one of them
    refuse_target(out, [path for path, _, _ in targets(paths)], "--html")
    html, rows, unusable = page(content, paths, require)
    write_private(out, html.encode("utf-8"))
    if unusable:
        return EXIT_USAGE
    return EXIT_OK if all(r.ok for r in rows) else EXIT_INCOMPLETE
