"""The words of a replay (``reports.replay.Replay``), shared by the terminal and the page.

The answer to the ticket as (label, value) rows, a chronology line's words, a moment in
UTC and Paris time. Every text from the file goes through *inert* (``sanitize.inert`` for
a terminal, ``html.visible`` for a page, which escapes later): the two renderings say
the same sentences because they come from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from tracesguide.content import Content
from tracesguide.engine import CONTACT_DESK, DO_STEP, OPERATOR_NOT_FOUND, WAIT
from tracesguide.i18n import t
from tracesguide.reports.replay import Entry, Moment, Summary
from tracesguide.views.situation import BLOCKER_KEYS, actor_text

Inert = Callable[[str], str]


# On the terminal's first screen, free text is cut (« … »): the whole answer fits 80×24;
# the chronology and --full give it whole.
SHORT_NAME, SHORT_OPERATOR, SHORT_SEARCH, SHORT_NOTE = 40, 60, 32, 120


def cut(text: str, limit: int | None) -> str:
    """*text*, cut to *limit* characters with « … » (None: whole)."""
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def format_gap(seconds: float) -> str:
    """The time between two events, for people: +45 s, +19 min, +2 h 05, +3 j 4 h."""
    if seconds < 0:
        return "−" + format_gap(-seconds).lstrip("+")
    total = int(seconds)
    if total < 60:
        return f"+{total} s"
    minutes = total // 60
    if minutes < 60:
        return f"+{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"+{hours} h {minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"+{days} j {hours} h"


def gap_text(gap: timedelta | None) -> str:
    return "" if gap is None else format_gap(gap.total_seconds())


def day(moment: Moment) -> str:
    """The day a chronology line belongs to: Paris's when known, else UTC's."""
    return (moment.local or moment.utc).strftime(t("replay_text.day_format"))


def clock(moment: Moment) -> str:
    """``10:21 · 11:21``: the UTC time, and Paris's beside it when the zone is known."""
    utc = moment.utc.strftime(t("replay_text.time_format"))
    if moment.local is None:
        return utc
    return t(
        "replay_text.clock", utc=utc, local=moment.local.strftime(t("replay_text.time_format"))
    )


def when(moment: Moment) -> str:
    """``31/01/2026 10:21 UTC (11:21 Paris)``."""
    utc = moment.utc.strftime(t("wording.date_format"))
    if moment.local is None:
        return t("replay_text.when_utc", utc=utc)
    local = moment.local.strftime(
        t("wording.date_format")
        if moment.local.date() != moment.utc.date()
        else t("replay_text.time_format")
    )
    return t("replay_text.when", utc=utc, local=local)


def clock_heading() -> str:
    from tracesguide.reports.replay import local_zone

    return t(
        "replay_text.clock_heading" if local_zone() is not None else "replay_text.clock_heading_utc"
    )


def kind_label(kind: str, inert: Inert) -> str:
    """An event's kind in words; a kind this version does not know, as it is (inert)."""
    labels = {
        "shown": "replay.kind_shown",
        "done": "replay.kind_done",
        "skipped": "replay.kind_skipped",
        "blocked": "replay.kind_blocked",
        "problem": "replay.kind_problem",
        "note": "replay.kind_note",
        "answer": "replay.kind_answer",
        "later": "replay.kind_later",
        "back": "replay.kind_back",
        "edit": "replay.kind_edit",
        "reopened": "replay.kind_reopened",
        "solved": "replay.kind_solved",
        "search": "replay.kind_search",
    }
    return t(labels[kind]) if kind in labels else inert(kind)


def detail(content: Content, entry: Entry, inert: Inert) -> str:
    """What a line's detail means: a known problem's label, an answer's key, the step shown
    first on a folded line; else the file's text, inert."""
    raw = inert(entry.detail)
    if entry.kind == "problem" and raw:
        return t("replay.problem_detail", label=entry.label, id=raw) if entry.label else raw
    if entry.kind in ("answer", "edit", "reopened") and raw:
        return t("replay.answer_detail", key=raw)
    if entry.kind == "later" and entry.detail == OPERATOR_NOT_FOUND:
        return t("replay.operator_not_found")
    if entry.kind in ("note", "search") and raw:
        return t("replay_text.note_value", note=raw)
    if entry.started is not None:
        parts = []
        if (entry.at.utc - entry.started.utc).total_seconds() >= 60:
            parts.append(t("replay_text.shown_at", time=clock(entry.started)))
        if entry.answered:
            parts.append(
                t("replay_text.answered", keys=", ".join(inert(k) for k in entry.answered))
            )
        if raw:
            parts.append(raw)
        return t("replay_text.separator").join(parts)
    return raw


def _operator(summary: Summary, inert: Inert, short: bool) -> str:
    choice = summary.operator
    name = cut(inert(choice.name), SHORT_OPERATOR if short else None)
    number = cut(inert(choice.number), SHORT_OPERATOR if short else None)
    if choice.not_found:
        return t("replay_text.operator_not_found")
    if not (name or number):
        return t("replay_text.operator_none")
    key = {"search": "replay_text.operator_search", "typed": "replay_text.operator_typed"}
    return t(
        key.get(choice.origin, "replay_text.operator_other"), name=name or "—", number=number or "—"
    )


def _where(summary: Summary, inert: Inert) -> str:
    if summary.complete:
        return t("replay_html.complete")
    if summary.ended:
        return t(
            "replay_text.where_ended", step=inert(summary.ended), reason=inert(summary.ended_reason)
        )
    if not summary.step:
        return t("replay_text.where_none")
    return t(
        "replay_text.where_value",
        stage_number=summary.stage_number,
        stage=summary.stage_title,
        number=summary.number,
        total=summary.total,
        title=summary.step_title,
        step=summary.step,
    )


def _blocker(content: Content, summary: Summary, inert: Inert) -> str:
    if not summary.blocker:
        return t("replay_text.blocker_none")
    if summary.blocker in BLOCKER_KEYS:
        desk = summary.problem.desk_name if summary.problem else ""
        what = t(BLOCKER_KEYS[summary.blocker], desk=desk)
    else:
        from tracesguide.views.render import reason

        what = inert(reason(summary.blocked_reason))
    if summary.blocked_step == summary.step:  # « Où » names it just above
        return what
    return t("replay_text.blocker_value", what=what, step=inert(summary.blocked_step))


def _problem(summary: Summary, inert: Inert) -> str:
    problem = summary.problem
    if problem is None:
        if summary.problems:
            return t("replay_text.problem_solved", count=summary.problems)
        return t("replay_text.problem_none")
    text = t(
        "replay_text.problem_here" if problem.step == summary.step else "replay_text.problem_value",
        label=problem.label or inert(problem.id),
        id=inert(problem.id),
        step=inert(problem.step),
        at=when(problem.at),
        desk=problem.desk_name or t("replay_text.no_desk"),
    )
    if summary.problems > 1:
        text += t("replay_text.problem_count", count=summary.problems)
    return text


def _next(content: Content, summary: Summary) -> str:
    if not summary.next_action:
        return t("replay_text.next_none")
    actor = actor_text(content, summary.actor, summary.control_body)
    key = {
        DO_STEP: "replay_text.next_do",
        WAIT: "replay_text.next_wait",
        CONTACT_DESK: "replay_text.next_contact_here"
        if summary.next_step == summary.step
        else "replay_text.next_contact",
    }[summary.next_action]
    return t(key, title=summary.next_title, step=summary.next_step, actor=actor)


def answer_rows(
    content: Content, summary: Summary, inert: Inert, short: bool = False
) -> list[tuple[str, str]]:
    """The answer to the ticket, row by row: who, where, who acts, what blocks, the last
    problem and its desk, the operator chosen or typed, waiting since, what next.

    *short* (the terminal's first screen): free text cut with « … », so that the whole
    answer fits 80×24; the page gives it whole.
    """

    def limit(size: int) -> int | None:
        return size if short else None

    who = cut(inert(summary.name), limit(SHORT_NAME)) or t("replay.not_given")
    if summary.email:
        email = cut(inert(summary.email), limit(SHORT_OPERATOR))
        who = t("replay_text.who_value", name=who, email=email)
    rows = [
        (t("replay_text.who"), who),
        (t("replay_text.operator"), _operator(summary, inert, short)),
        (t("replay_text.where"), _where(summary, inert)),
    ]
    if summary.searches:  # what they searched for, beside what they chose or typed
        quoted = (
            t("replay_text.note_value", note=cut(inert(q), limit(SHORT_SEARCH)))
            for q in summary.searches
        )
        searched = t("replay_text.searches_separator").join(quoted)
        rows.insert(2, (t("replay_text.searched"), searched))
    if not (summary.complete or summary.ended):
        rows.append(
            (t("replay_text.actor"), actor_text(content, summary.actor, summary.control_body))
        )
    rows.append((t("replay_text.blocker"), _blocker(content, summary, inert)))
    rows.append((t("replay_text.problem"), _problem(summary, inert)))
    if summary.note:
        note = cut(inert(summary.note), limit(SHORT_NOTE))
        rows.append((t("replay_text.note"), t("replay_text.note_value", note=note)))
    if summary.waiting_since is not None:
        rows.append(
            (
                t("replay_text.waiting"),
                t(
                    "replay_text.waiting_value",
                    at=when(summary.waiting_since),
                    days=summary.waiting_days,
                ),
            )
        )
    rows.append((t("replay_text.next"), _next(content, summary)))
    if summary.last is not None:
        last = summary.last
        here = last.step == summary.step or not last.step
        rows.append(
            (
                t("replay_text.last"),
                t(
                    "replay_text.last_here" if here else "replay_text.last_value",
                    at=when(last.at),
                    kind=kind_label(last.kind, inert),
                    step=inert(last.step) or "—",
                ),
            )
        )
    missing = [m for m in content.milestones if m not in dict(summary.milestones)]
    value = t(
        "replay_text.milestones_value",
        count=len(summary.milestones),
        total=summary.milestone_total,
    )
    if missing and summary.milestones:
        value += t("replay_text.milestones_missing", names=", ".join(missing))
    rows.append((t("replay_text.milestones"), value))
    return rows


def milestone_dates(summary: Summary, inert: Inert) -> str:
    """The milestones reached, each with its day (--full and the page's header)."""
    return ", ".join(
        f"{inert(m)} ({at.utc.strftime(t('replay_text.day_format'))})"
        for m, at in summary.milestones
    ) or t("replay.none")


def detail_rows(
    summary: Summary, path: str, language: str, version: str, inert: Inert
) -> list[tuple[str, str]]:
    """The file's own facts, after the answer (--full and the page's header)."""
    return [
        (t("replay.phone"), inert(summary.phone_masked) or t("replay.none")),
        (t("replay.language"), inert(language)),
        (t("replay.version"), inert(version)),
        (t("replay.created"), when(summary.created)),
        (t("replay.updated"), when(summary.updated)),
        (t("replay_text.milestones_reached"), milestone_dates(summary, inert)),
        (t("replay.file"), inert(path)),
    ]
