"""``tracesguide replay``: show support staff exactly where a user is, read-only.

The report is built from someone else's state file, which is untrusted: every
string from it goes through ``sanitize.inert`` and into ``rich.text.Text``
objects, never into markup. Nothing here writes the state file or anything
beside it: the file is read once with ``state.load``. Printing happens only in
``print_report`` (to the console it is given) and ``write_html`` (to the path the
user named).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from tracesguide.content import Content, Step
from tracesguide.content import load as load_content
from tracesguide.engine import OPERATOR_NOT_FOUND, StepStatus, progress
from tracesguide.i18n import t, wording
from tracesguide.reports.status import require_step, status_report
from tracesguide.state import Event, State
from tracesguide.state import store as state_module
from tracesguide.system.errors import StateError
from tracesguide.system.sanitize import inert
from tracesguide.views.render import STYLES, reason, status_label, step_view
from tracesguide.views.status import print_status

KIND_STYLES = {
    "done": "green",
    "skipped": "dim",
    "blocked": "red",
    "problem": "bold red",
    "later": "yellow",
}


@dataclass(frozen=True)
class TimelineRow:
    """One event, ready to print: every text already inert."""

    at: datetime
    gap: str  # time since the previous event, e.g. "+19 min"; "" for the first
    kind: str
    step: str
    detail: str


def kind_label(kind: str) -> str:
    """An event's kind in words; a kind this version does not know, as it is (inert)."""
    labels = {
        "shown": t("replay.kind_shown"),
        "done": t("replay.kind_done"),
        "skipped": t("replay.kind_skipped"),
        "blocked": t("replay.kind_blocked"),
        "problem": t("replay.kind_problem"),
        "note": t("replay.kind_note"),
        "answer": t("replay.kind_answer"),
        "later": t("replay.kind_later"),
        "back": t("replay.kind_back"),
        "edit": t("replay.kind_edit"),
        "reopened": t("replay.kind_reopened"),
        "solved": t("replay.kind_solved"),
    }
    return labels.get(kind) or clean(kind)


def clean(value: str) -> str:
    """An untrusted one-line string, made inert."""
    return inert(value, single_line=True)


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


def format_time(moment: datetime) -> str:
    """A date and time in UTC (the state file's times carry their zone)."""
    return wording.moment(moment, utc=True)


def event_detail(content: Content, event: Event, make_inert: Callable[[str], str] = clean) -> str:
    """What an event's detail means: a known problem's label, else the detail itself
    (made inert by *make_inert*: ``clean`` for a terminal, ``html.visible`` for a page)."""
    detail = make_inert(event.detail)
    if event.kind == "problem" and content.has_step(event.step):
        problem = next((p for p in content.step(event.step).problems if p.id == event.detail), None)
        if problem is not None:
            return t("replay.problem_detail", label=problem.label, id=detail)
    if event.kind in ("answer", "edit", "reopened") and detail:
        return t("replay.answer_detail", key=detail)
    if event.kind == "later" and event.detail == OPERATOR_NOT_FOUND:
        return t("replay.operator_not_found")
    return detail


def timeline(content: Content, events: list[Event]) -> list[TimelineRow]:
    """The event log with the time spent between consecutive events."""
    rows: list[TimelineRow] = []
    previous: datetime | None = None
    for event in events:
        gap = "" if previous is None else format_gap((event.at - previous).total_seconds())
        previous = event.at
        rows.append(
            TimelineRow(
                at=event.at,
                gap=gap,
                kind=event.kind,
                step=clean(event.step),
                detail=event_detail(content, event),
            )
        )
    return rows


def seen_steps(content: Content, state: State) -> list[Step]:
    """The steps the user was shown or has a status for, in the procedure's order."""
    seen = {e.step for e in state.events if e.kind == "shown"} | set(state.steps)
    return [s for s in content.steps if s.id in seen]


def header(path: Path, state: State) -> Text:
    """Who, which language and version, when: every value from the file made inert."""
    answers = state.answers
    name = " ".join(
        part
        for part in (clean(answers.get("first_name", "")), clean(answers.get("last_name", "")))
        if part
    )
    rows = (
        (t("replay.file"), clean(str(path))),
        (t("replay.name"), name or t("replay.not_given")),
        (t("replay.email"), clean(answers.get("email", "")) or t("replay.not_given")),
        (t("replay.phone"), clean(answers.get("phone_masked", "")) or t("replay.none")),
        (t("replay.language"), clean(state.language)),
        (t("replay.version"), clean(state.tool_version)),
        (t("replay.created"), t("replay.utc", time=format_time(state.created))),
        (t("replay.updated"), t("replay.utc", time=format_time(state.updated))),
    )
    text = Text()
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        text.append(f"{label:<{width}}  ", style="bold")
        text.append(value)
        text.append("\n")
    text.rstrip()
    return text


def answers_table(state: State) -> Table:
    table = Table(title=t("replay.answers"), title_justify="left", expand=False)
    table.add_column(t("replay.key"), style="bold")
    table.add_column(t("replay.value"), overflow="fold")
    for key, value in sorted(state.answers.items()):
        table.add_row(Text(clean(key)), Text(clean(value)))
    return table


def timeline_table(content: Content, rows: list[TimelineRow], title: str) -> Table:
    table = Table(title=t("replay.timeline_title", title=title), title_justify="left", expand=False)
    table.add_column(t("replay.column_time"), no_wrap=True)
    table.add_column(t("replay.column_gap"), justify="right", no_wrap=True)
    table.add_column(t("replay.column_event"), no_wrap=True)
    table.add_column(t("replay.column_step"), overflow="fold")
    table.add_column(t("replay.column_detail"), overflow="fold")
    for row in rows:
        known = content.has_step(row.step)
        step = Text(row.step, style="" if known or not row.step else "dim")
        if row.step and not known:
            step.append(t("replay.unknown_step"), style="dim")
        table.add_row(
            Text(format_time(row.at)),
            Text(row.gap, style="bold" if row.gap.endswith(("min", "h", "j")) else "dim"),
            Text(kind_label(row.kind), style=KIND_STYLES.get(row.kind, "")),
            step,
            Text(row.detail),
        )
    if not rows:
        table.add_row(
            Text(t("replay.no_event"), style="dim"), Text(""), Text(""), Text(""), Text("")
        )
    return table


def step_section(content: Content, state: State, status: StepStatus) -> list[RenderableType]:
    """One step's screen as the user saw it, with its status and what happened there."""
    step = status.step
    heading = Text("─" * 3 + " ", style="dim")
    heading.append(f"{step.id}  ", style="bold")
    heading.append(status_label(status.status), style=STYLES[status.status] or "dim")
    record = state.steps.get(step.id)
    if record is not None:
        heading.append(t("replay.step_time", time=format_time(record.at)), style="dim")
    parts: list[RenderableType] = [heading]
    if status.reason:
        parts.append(Text(t("replay.reason"), style="bold") + Text(clean(reason(status.reason))))
    if not any(e.step == step.id and e.kind == "shown" for e in state.events):
        parts.append(Text(t("replay.never_shown"), style="dim"))
    parts.append(step_view(content, step, state.answers))
    parts.append(Text(""))
    return parts


def print_report(
    console: Console, content: Content, path: Path, state: State, step_id: str | None = None
) -> None:
    """Print the report: who, answers, timeline, where the user stands, the screens seen.

    With *step_id*, only that step: its events and its screen.
    """
    where = progress(content, state)
    console.print(Text(t("replay.title"), style="bold underline"))
    console.print(header(path, state))
    console.print()
    if step_id is not None:
        events = [e for e in state.events if e.step == step_id]
        console.print(
            timeline_table(content, timeline(content, events), t("replay.events_of", step=step_id))
        )
        console.print()
        for part in step_section(content, state, where.status_of(step_id)):
            console.print(part)
        return
    if state.answers:
        console.print(answers_table(state))
        console.print()
    console.print(timeline_table(content, timeline(content, state.events), t("replay.timeline")))
    console.print()
    console.print(Text(t("replay.where"), style="bold underline"))
    report = status_report(content, path, state)
    print_status(console, content, report, for_user=False, seen=report.situation)
    console.print()
    steps = seen_steps(content, state)
    console.print(Text(t("replay.screens_seen", count=len(steps)), style="bold underline"))
    console.print()
    for step in steps:
        for part in step_section(content, state, where.status_of(step.id)):
            console.print(part)
    unknown = sorted(set(state.steps) - {s.id for s in content.steps})
    if unknown:
        console.print(
            Text(t("replay.unknown_steps", steps=", ".join(clean(s) for s in unknown)), style="dim")
        )


def staff_hint(path: Path, hint: str | None) -> str | None:
    """Advice for support staff about a file they received, instead of the user's own
    ("Lancez tracesguide setup" means nothing to them); other hints (update the tool) stay."""
    try:
        missing = not path.exists() and not path.is_symlink()
    except OSError:  # a name too long, a loop: the reader's error says why
        missing = False
    if missing:
        return t("replay_html.missing_file_hint")
    if hint and "setup" in hint:
        return t("replay_html.unusable_file_hint")
    return hint


def load_for_replay(path: Path, step_id: str | None) -> tuple[Content, State]:
    """Read the file (never write it) and the content in the user's language."""
    try:
        state = state_module.load(path)
    except StateError as error:
        raise StateError(error.message, staff_hint(path, error.hint)) from None
    content = load_content(state.language)
    if step_id is not None:
        require_step(content, step_id)
    return content, state
