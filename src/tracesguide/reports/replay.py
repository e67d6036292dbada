"""The replay of one user's state file for support staff, as typed data (no drawing).

``replay(content, path, state, now)`` gathers what staff need to answer a ticket, the
answer first (``Summary``: who, where, who must act and what blocks, the last problem
and its desk, what the user chose or typed for the operator, waiting since, the next
action), then the chronology (``Entry``): compact (a step shown then done is one line)
or full (one line per event). Every value is the engine's situation or the file's own
text, raw: the terminal view (``views.replay``) and the web page
(``views.html.replay_page``) make it inert their own way and lay it out, nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import NamedTuple

from tracesguide.content import Content
from tracesguide.engine import (
    BLOCKED_ANSWER,
    DONE,
    OPERATOR_NOT_FOUND,
    SKIPPED,
    Situation,
    situation,
)
from tracesguide.state import Event, State

# The zone staff compare with a phone call: the procedure is French.
LOCAL_ZONE = "Europe/Paris"
# A gap this long between two lines stands out (and a step shown then done that long
# after is two lines, not one).
LONG_GAP = timedelta(hours=1)
# Events that stand out in the chronology.
NOTABLE_KINDS = frozenset({"problem", "back", "edit", "reopened", "blocked", "later", "note"})
_FOLDED = frozenset({"shown", "answer"})  # what a step's one line takes in before its end
_ENDS = frozenset({DONE, SKIPPED})
SEARCHES_SHOWN = 3  # the answer shows the last queries typed in the directory


@cache
def local_zone() -> tzinfo | None:
    """Europe/Paris, or None where the system has no zone database (Windows without the
    ``tzdata`` package): then only UTC is shown."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(LOCAL_ZONE)
    except (ImportError, LookupError, OSError, ValueError):
        return None


class Moment(NamedTuple):
    """A moment in UTC, and in Paris time when the zone is known."""

    utc: datetime
    local: datetime | None

    @classmethod
    def of(cls, at: datetime) -> Moment:
        from datetime import UTC

        zone = local_zone()
        return cls(at.astimezone(UTC), at.astimezone(zone) if zone is not None else None)


class OperatorChoice(NamedTuple):
    """What the user chose or typed at the operator step (raw texts from the file)."""

    name: str
    number: str
    origin: str  # "search" (chosen in the directory), "typed", or "" (not answered)
    not_found: bool  # the last "later" there says the company was not found


class Problem(NamedTuple):
    """The last problem reported, still current (the engine's), with its words."""

    id: str
    label: str  # the entry's or the step's problem label ("" when unknown)
    step: str
    desk: str
    desk_name: str
    at: Moment


class Summary(NamedTuple):
    """The answer to a ticket, first on the screen and on the page."""

    name: str
    email: str
    phone_masked: str
    operator: OperatorChoice
    stage: str  # the stage id, "" when none
    stage_title: str
    stage_number: int
    step: str
    step_title: str
    number: int
    total: int
    actor: str  # the engine's actor code
    blocker: str  # the engine's blocker code ("" when nothing blocks)
    blocked_step: str
    blocked_reason: str  # for an answer that blocks: the content's text
    problem: Problem | None
    problems: int  # how many problems were reported in all
    note: str  # the last note the user wrote ("" when none)
    searches: tuple[str, ...]  # the last queries typed in the directory (distinct, oldest first)
    waiting_since: Moment | None
    waiting_days: int | None
    next_action: str  # the engine's next action code ("" when none)
    next_step: str
    next_title: str
    ended: str  # the step whose answer ends the guide
    ended_reason: str
    complete: bool
    milestones: tuple[tuple[str, Moment], ...]
    milestone_total: int
    last: Entry | None  # the last event
    created: Moment
    updated: Moment
    control_body: str = ""  # the user's control body (the certificate's, else the default)


class Entry(NamedTuple):
    """One line of the chronology."""

    at: Moment  # when it ended (the "done" of a step shown then done)
    started: Moment | None  # when a folded line began (the step shown), else None
    gap: timedelta | None  # since the previous line ended (None for the first)
    kind: str  # the event's kind (a folded line: its end, done or skipped)
    step: str
    detail: str  # raw
    label: str  # a problem's label (the entry's or the step's), else ""
    answered: tuple[str, ...]  # the answer keys a folded line took in
    notable: bool
    long_gap: bool
    known_step: bool


class Replay(NamedTuple):
    path: Path
    state: State
    situation: Situation
    summary: Summary
    chronology: tuple[Entry, ...]  # compact
    events: tuple[Entry, ...]  # one line per event (--full)


def _problem_label(content: Content, problem_id: str, step_id: str) -> str:
    entry = next((e for e in content.troubleshooting if e.id == problem_id), None)
    if entry is not None:
        return entry.label
    if content.has_step(step_id):
        found = next((p for p in content.step(step_id).problems if p.id == problem_id), None)
        if found is not None:
            return found.label
    return ""


def _desk_name(content: Content, desk: str, answers: Mapping[str, str]) -> str:
    from tracesguide.content.placeholders import fill

    return next((fill(content, d.name, answers) for d in content.desks if d.id == desk), desk)


def operator_choice(content: Content, state: State) -> OperatorChoice:
    """The operator as the user chose or typed it (the answers ``[who]`` names)."""
    answers, who = state.answers, content.person
    keys = (who.operator_name, who.operator_number, who.operator_origin)
    name, number, origin = (answers.get(key, "") for key in keys)
    step = ""
    for event in state.events:
        if event.kind == "answer" and event.detail == who.operator_name:
            step = event.step
    not_found = False
    for event in state.events:
        if event.kind == "later" and event.detail == OPERATOR_NOT_FOUND:
            not_found, step = True, event.step
        elif event.kind in _ENDS and event.step == step:
            not_found = False
    return OperatorChoice(name, number, origin, not_found)


def _line(event: Event, content: Content) -> Entry:
    return Entry(
        at=Moment.of(event.at),
        started=None,
        gap=None,
        kind=event.kind,
        step=event.step,
        detail=event.detail,
        label=_problem_label(content, event.detail, event.step) if event.kind == "problem" else "",
        answered=(),
        notable=event.kind in NOTABLE_KINDS,
        long_gap=False,
        known_step=not event.step or content.has_step(event.step),
    )


def _with_gap(entries: list[Entry]) -> tuple[Entry, ...]:
    result: list[Entry] = []
    previous: datetime | None = None
    for entry in entries:
        begin = (entry.started or entry.at).utc
        gap = None if previous is None else begin - previous
        long_gap = gap is not None and gap >= LONG_GAP
        result.append(entry._replace(gap=gap, long_gap=long_gap))
        previous = entry.at.utc
    return tuple(result)


def chronology(content: Content, events: list[Event], compact: bool = True) -> tuple[Entry, ...]:
    """The event log as lines; *compact*: a step shown (and answered) then done or
    skipped within ``LONG_GAP`` is one line."""
    lines: list[Entry] = []
    i, count = 0, len(events)
    while i < count:
        event = events[i]
        if compact and event.kind in _FOLDED and event.step:
            j = i
            while j < count and events[j].step == event.step and events[j].kind in _FOLDED:
                j += 1
            end = events[j] if j < count else None
            if (
                end is not None
                and end.step == event.step
                and end.kind in _ENDS
                and end.at - event.at < LONG_GAP
            ):
                keys = tuple(e.detail for e in events[i:j] if e.kind == "answer" and e.detail)
                lines.append(
                    _line(end, content)._replace(started=Moment.of(event.at), answered=keys)
                )
                i = j + 1
                continue
        lines.append(_line(event, content))
        i += 1
    return _with_gap(lines)


def summary(content: Content, state: State, seen: Situation, last: Entry | None) -> Summary:
    answers = state.answers
    stage = content.stage(seen.stage) if seen.stage else None
    step = content.step(seen.step) if seen.step and content.has_step(seen.step) else None
    problem = None
    if seen.last_problem is not None:
        lp = seen.last_problem
        problem = Problem(
            id=lp.id,
            label=_problem_label(content, lp.id, lp.step),
            step=lp.step,
            desk=lp.desk,
            desk_name=_desk_name(content, lp.desk, answers) if lp.desk else "",
            at=Moment.of(lp.at),
        )
    blocked_reason = ""
    if seen.blocked is not None and seen.blocked.code == BLOCKED_ANSWER:
        blocked_reason = seen.progress.status_of(seen.blocked.step).reason
    next_step = seen.next_action.step if seen.next_action else ""
    note, searches = "", list[str]()
    for event in state.events:
        if event.kind == "note":
            note = event.detail
        elif event.kind == "search" and event.detail:
            if event.detail in searches:
                searches.remove(event.detail)
            searches.append(event.detail)
    ended_reason = seen.progress.ended if seen.ended else ""
    who = content.person
    return Summary(
        name=" ".join(
            p for p in (answers.get(who.first_name, ""), answers.get(who.last_name, "")) if p
        ),
        email=answers.get(who.email, ""),
        phone_masked=answers.get(who.phone, ""),
        operator=operator_choice(content, state),
        stage=seen.stage,
        stage_title=stage.title if stage else "",
        stage_number=stage.number if stage else 0,
        step=seen.step,
        step_title=step.title if step else "",
        number=seen.number,
        total=seen.total,
        actor=seen.actor,
        blocker=seen.blocked.code if seen.blocked else "",
        blocked_step=seen.blocked.step if seen.blocked else "",
        blocked_reason=blocked_reason,
        problem=problem,
        problems=sum(1 for e in state.events if e.kind == "problem"),
        note=note,
        searches=tuple(searches[-SEARCHES_SHOWN:]),
        waiting_since=Moment.of(seen.waiting_since) if seen.waiting_since else None,
        waiting_days=seen.waiting_days,
        next_action=seen.next_action.code if seen.next_action else "",
        next_step=next_step,
        next_title=content.step(next_step).title if content.has_step(next_step) else "",
        ended=seen.ended,
        ended_reason=ended_reason,
        complete=seen.complete,
        milestones=tuple((m, Moment.of(at)) for m, at in seen.milestones),
        milestone_total=len(content.milestones),
        last=last,
        created=Moment.of(state.created),
        updated=Moment.of(state.updated),
        control_body=seen.control_body,
    )


def replay(
    content: Content, path: Path, state: State, now: datetime, step_id: str | None = None
) -> Replay:
    """The replay of *state* (read from *path*) at *now*; *step_id*: that step's events."""
    seen = situation(content, state, now)
    events = state.events if step_id is None else [e for e in state.events if e.step == step_id]
    every = chronology(content, events, compact=False)
    last = chronology(content, state.events[-1:], compact=False)
    return Replay(
        path=path,
        state=state,
        situation=seen,
        summary=summary(content, state, seen, last[0] if last else None),
        chronology=chronology(content, events),
        events=every,
    )
