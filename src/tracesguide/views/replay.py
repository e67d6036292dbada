"""``tracesguide replay``: show support staff exactly where a user is, read-only.

The report is built from someone else's state file, which is untrusted: every
string from it goes through ``sanitize.inert`` and into ``rich.text.Text``
objects, never into markup. Nothing here writes the state file or anything
beside it: the file is read once with ``state.load``. Printing happens only in
``print_report`` (to the console it is given) and ``write_html`` (to the path the
user named).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from tracesguide.content import Content, Step
from tracesguide.content import load as load_content
from tracesguide.engine import StepStatus
from tracesguide.i18n import t, wording
from tracesguide.reports.replay import Entry, replay
from tracesguide.reports.status import require_step
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.system.errors import StateError
from tracesguide.system.sanitize import inert
from tracesguide.views.render import STYLES, reason, status_label, step_view
from tracesguide.views.replay_text import (
    answer_rows,
    clock,
    clock_heading,
    cut,
    day,
    detail,
    detail_rows,
    gap_text,
)
from tracesguide.views.replay_text import kind_label as kind_words

TITLE_NAME = 28  # the title stays on one line at 80 columns (« Qui » gives the name whole)
KIND_STYLES = {
    "done": "green",
    "skipped": "dim",
    "blocked": "red",
    "problem": "bold red",
    "later": "yellow",
}


def kind_label(kind: str) -> str:
    """An event's kind in words; a kind this version does not know, as it is (inert)."""
    return kind_words(kind, clean)


def clean(value: str) -> str:
    """An untrusted one-line string, made inert."""
    return inert(value, single_line=True)


def format_time(moment: datetime) -> str:
    """A date and time in UTC (the state file's times carry their zone)."""
    return wording.moment(moment, utc=True)


def seen_steps(content: Content, state: State) -> list[Step]:
    """The steps the user was shown or has a status for, in the procedure's order."""
    seen = {e.step for e in state.events if e.kind == "shown"} | set(state.steps)
    return [s for s in content.steps if s.id in seen]


def answers_table(state: State) -> Table:
    table = Table(title=t("replay.answers"), title_justify="left", expand=False)
    table.add_column(t("replay.key"), style="bold")
    table.add_column(t("replay.value"), overflow="fold")
    for key, value in sorted(state.answers.items()):
        table.add_row(Text(clean(key)), Text(clean(value)))
    return table


def step_section(content: Content, state: State, status: StepStatus) -> list[RenderableType]:
    """One step's screen as the user saw it (in the user's language), with its status and
    what happened there."""
    seen = user_content(content, state)
    step = seen.step(status.step.id) if seen.has_step(status.step.id) else status.step
    content = seen
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


def user_content(content: Content, state: State) -> Content:
    """The procedure in the language the user saw it in (the file's), for their screens."""
    from tracesguide.content import LANGUAGES

    if state.language == content.language or state.language not in LANGUAGES:
        return content
    return load_content(state.language)


def answer_grid(rows: list[tuple[str, str]]) -> Table:
    """Label and value rows; values wrap at spaces (ids are never cut: none has one)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        grid.add_row(Text(label), Text(value))
    return grid


MARKS = {"problem": "⚠ ", "blocked": "⏸ ", "back": "↩ ", "edit": "✎ ", "reopened": "✎ "}


def chronology_lines(
    content: Content, entries: tuple[Entry, ...], width: int
) -> list[RenderableType]:
    """The chronology at *width* columns: one line per entry when the step id fits beside
    the time and the event, else the step id on its own line (stacked); a step id is never
    cut, a detail wraps at spaces below it; long gaps and notable events stand out."""
    lines: list[RenderableType] = []
    current = ""
    for entry in entries:
        today = day(entry.at)
        if entry.long_gap and entry.gap is not None:
            lines.append(Text(t("replay_text.long_gap", gap=gap_text(entry.gap)), style="bold"))
        if today != current:
            current = today
            lines.append(Text(f"── {today} ──", style="dim"))
        style = KIND_STYLES.get(entry.kind, "")
        head = Text(clock(entry.at), style="")
        head.append(f"  {gap_text(entry.gap):>9}", style="bold" if entry.long_gap else "dim")
        mark = MARKS.get(entry.kind, "» " if entry.notable else "  ")
        head.append(
            f"  {mark}{kind_label(entry.kind)}", style=style or ("bold" if entry.notable else "")
        )
        step = clean(entry.step)
        if step:
            unknown = "" if entry.known_step else t("replay.unknown_step")
            if head.cell_len + 2 + len(step) + len(unknown) <= width:
                head.append("  " + step, style="bold" if entry.notable else "")
                head.append(unknown, style="dim")
                lines.append(head)
            else:
                lines.append(head)
                below = Text("    " + step, style="bold" if entry.notable else "", no_wrap=True)
                below.append(unknown, style="dim")
                lines.append(below)
        else:
            lines.append(head)
        text = detail(content, entry, clean)
        if text:
            below = Text(text, style="dim" if not entry.notable else "")
            lines.append(Padding(below, (0, 0, 0, 4)))
    if not entries:
        lines.append(Text(t("replay.no_event"), style="dim"))
    return lines


def print_report(
    console: Console,
    content: Content,
    path: Path,
    state: State,
    step_id: str | None = None,
    full: bool = False,
    now: datetime | None = None,
) -> None:
    """Print the replay: the answer to the ticket first (it fits the first 80×24 screen),
    then the compact chronology; *full*: every event, the answers and the screens seen.

    With *step_id*, only that step: its events and its screen.
    """
    from datetime import UTC

    model = replay(content, path, state, now or datetime.now(UTC), step_id)
    summary = model.summary
    name = cut(clean(summary.name), TITLE_NAME) or t("replay_html.no_name")
    console.print(Text(t("replay_text.title", name=name), style="bold underline"))
    console.print(answer_grid(answer_rows(content, summary, clean, short=True)))
    console.print()
    width = console.size.width
    title = t("replay_text.chronology", clock=clock_heading())
    if step_id is not None:
        title = t("replay.events_of", step=step_id) + " — " + clock_heading()
    console.print(Text(title, style="bold underline"))
    if not full and step_id is None:
        console.print(Text(t("replay_text.compact_hint"), style="dim"))
    entries = model.events if (full or step_id is not None) else model.chronology
    for line in chronology_lines(content, entries, width):
        console.print(line)
    console.print()
    where = model.situation.progress
    if step_id is not None:
        for part in step_section(content, state, where.status_of(step_id)):
            console.print(part)
        return
    if not full:
        return
    console.print(Text(t("replay_text.details"), style="bold underline"))
    console.print(
        answer_grid(detail_rows(summary, str(path), state.language, state.tool_version, clean))
    )
    console.print()
    if state.answers:
        console.print(answers_table(state))
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
    import os

    if not os.path.lexists(path):  # never raises (a name too long, a loop)
        return t("replay_html.missing_file_hint")
    if hint and "setup" in hint:
        return t("replay_html.unusable_file_hint")
    return hint


def load_for_replay(path: Path, step_id: str | None) -> tuple[Content, State]:
    """Read the file (never write it) and the content in the language of the replay's
    own words: ``--lang``, else the reader's locale (support staff read it, not the
    user), so that titles, reasons and desks never mix two languages with the messages."""
    from tracesguide.i18n import language

    try:
        state = state_module.load(path)
    except StateError as error:
        raise StateError(error.message, staff_hint(path, error.hint)) from None
    content = load_content(language())
    if step_id is not None:
        require_step(content, step_id)
    return content, state
