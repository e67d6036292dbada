"""Turn content and progress into rich renderables; the one place that personalises.

Values from a state file are untrusted (support staff replay other people's
files): every one goes through ``sanitize.inert`` and is put into ``Text``
objects, never into markup strings, so ``[bold]`` and escape sequences stay inert.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tracesguide.content import Content, Step
from tracesguide.engine import (
    BLOCKED,
    DONE,
    IN_PROGRESS,
    NOT_APPLICABLE,
    SKIPPED,
    TO_DO,
    Progress,
    Situation,
)
from tracesguide.i18n import t
from tracesguide.state import State
from tracesguide.system.sanitize import inert
from tracesguide.views.situation import user_lines

# Screen-reader mode (``setup --accessible``): no boxes, a title line and the text.
_plain = False


def set_plain(plain: bool) -> None:
    global _plain
    _plain = plain


def frame(
    body: RenderableType,
    title: str | Text = "",
    subtitle: str | Text = "",
    style: str = "cyan",
    padding: tuple[int, int] = (0, 1),
) -> RenderableType:
    """A box around *body*; in screen-reader mode, the title, the body, the subtitle."""
    if _plain:
        parts: list[RenderableType] = [title] if title else []
        parts.append(body)
        if subtitle:
            parts.append(subtitle)
        return Group(*parts)
    return Panel(
        body,
        title=title or None,
        subtitle=subtitle or None,
        border_style=style,
        padding=padding,
    )


MARKS = {DONE: "✔", TO_DO: "·", BLOCKED: "✖", SKIPPED: "–", IN_PROGRESS: "…"}
STYLES = {DONE: "green", TO_DO: "", BLOCKED: "red", SKIPPED: "dim", IN_PROGRESS: "yellow"}


def say_line(console: Console, text: str, style: str = "") -> None:
    """*text* as it is (no markup read in it) and never cut by a line break: the terminal
    wraps it, so a command in it can be copied whole."""
    from tracesguide.system.sanitize import inert

    # A command in it may name a file: what the file's name holds never reaches the
    # terminal raw (``hints.quote`` writes such a name as ``$'…'``).
    console.print(inert(text), style=style or None, markup=False, highlight=False, soft_wrap=True)


def values(answers: Mapping[str, str]) -> dict[str, str]:
    """The placeholder values: the user's answers (made inert) or the content's neutral
    values (``[placeholders]``)."""
    from tracesguide.content import load
    from tracesguide.content.placeholders import values as filled

    return filled(load(), answers)


def status_label(status: str) -> str:
    """A step or stage status (``done``, ``todo``…) in words."""
    labels = {
        DONE: t("status.done"),
        TO_DO: t("status.todo"),
        BLOCKED: t("status.blocked"),
        SKIPPED: t("status.skipped"),
        IN_PROGRESS: t("status.in-progress"),
    }
    return labels[status]


def reason(text: str) -> str:
    """A status reason in words: the engine's codes rendered, other reasons as they are."""
    return t("engine.not-applicable") if text == NOT_APPLICABLE else text


def personalise(text: str, answers: Mapping[str, str]) -> str:
    from tracesguide.content import load
    from tracesguide.content.placeholders import fill

    return fill(load(), text, answers)


def screen_panel(step: Step, answers: Mapping[str, str]) -> RenderableType:
    """The page the user sees at *step*, drawn as a panel."""
    screen = step.screen
    body = Text()
    for line in screen.lines:
        body.append(personalise(line, answers) + "\n")
    if screen.fields:
        if screen.lines:
            body.append("\n")
        width = max(len(f.label) for f in screen.fields)
        for f in screen.fields:
            body.append(f"{f.label:<{width}}  ", style="bold")
            body.append(f"[ {personalise(f.value, answers) or ' ' * 12} ]", style="cyan")
            body.append("\n")
    if screen.links:
        body.append("\n")
        for link in screen.links:
            body.append("→ ", style="dim")
            body.append(personalise(link, answers) + "\n", style="underline blue")
    if screen.buttons:
        body.append("\n")
        for i, button in enumerate(screen.buttons):
            if i:
                body.append("  ")
            body.append(f" {button} ", style="reverse bold")
        body.append("\n")
    body.rstrip()
    return frame(
        body,
        title=Text(screen.title, style="bold"),
        subtitle=Text(screen.url, style="dim") if screen.url else "",
        style="blue",
    )


def source_text(content: Content, step: Step) -> Text:
    """The step's sources in one short line: their short names (``show --sources``: all)."""
    names = dict.fromkeys(
        content.source(ref.source).short or content.source(ref.source).title for ref in step.source
    )
    return Text(t("render.source", sources=t("render.source_separator").join(names)), style="dim")


def sources_text(content: Content, step: Step) -> Text:
    """The step's sources in full: each document's title and the place in it."""
    parts = [
        t("render.source_where", title=content.source(ref.source).title, where=ref.where)
        for ref in step.source
    ]
    return Text(t("render.source", sources=t("render.source_separator").join(parts)), style="dim")


def step_view(
    content: Content,
    step: Step,
    answers: Mapping[str, str],
    heading: str = "",
    full_sources: bool = False,
    ids: bool = True,
) -> RenderableType:
    """A whole step: heading, what to do, the screen, the button, warnings, source. The
    step's id is for staff and ``show`` (*ids*); the wizard's screens leave it out."""
    stage = content.stage(step.stage)
    parts: list[RenderableType] = []
    title = Text()
    title.append(
        heading or t("render.stage_heading", number=stage.number, title=stage.title), style="dim"
    )
    title.append("\n")
    title.append(step.title, style="bold")
    if ids:
        title.append(f"  ({step.id})", style="dim")
    parts.append(title)
    parts.append(Text(personalise(step.do, answers)))
    parts.append(screen_panel(step, answers))
    if step.action:
        action = Text(t("render.click"))
        action.append(personalise(step.action, answers), style="bold reverse")
        parts.append(action)
    for warning in step.warnings:
        parts.append(Text("⚠ " + personalise(warning, answers), style="yellow"))
    parts.append(sources_text(content, step) if full_sources else source_text(content, step))
    return Group(*parts)


def steps_table(content: Content, progress: Progress | None) -> Group:
    """The procedure as stages and steps, with marks when a state exists."""
    parts: list[RenderableType] = []
    for stage in content.stages:
        heading = Text(f"{stage.number}. {stage.title}", style="bold")
        if progress is not None:
            stage_status = next(s for s in progress.stages if s.stage.id == stage.id)
            heading.append(
                f"  [{status_label(stage_status.status)}]", style=STYLES[stage_status.status]
            )
        parts.append(heading)
        table = Table.grid(padding=(0, 1))
        table.add_column(width=2)
        table.add_column()
        table.add_column(style="dim")
        for step in content.steps_of(stage.id):
            mark, style = "·", ""
            note = ""
            if progress is not None:
                status = progress.status_of(step.id)
                mark, style = MARKS[status.status], STYLES[status.status]
                if status.status == BLOCKED:
                    note = inert(status.reason, single_line=True)
                if progress.next_step is not None and progress.next_step.id == step.id:
                    mark, style = "➜", "bold cyan"
            table.add_row(Text(mark, style=style), Text(step.title, style=style), Text(step.id))
            if note:
                table.add_row(Text(""), Text("  " + note, style="red"), Text(""))
        parts.append(table)
        parts.append(Text(""))
    return Group(*parts)


def welcome(content: Content, state: State, path: Path, seen: Situation) -> RenderableType:
    """The wizard's first panel: how it works on a first run; on a resume, what is done
    and where the user stands (the engine's situation: the step, who must act, the last
    problem)."""
    if not any(record.status == DONE for record in state.steps.values()):
        from tracesguide.system.hints import command

        resume = command("setup", path)
        shown = inert(str(path), single_line=True)  # the file's own name: never raw
        text = Text(inert(t("wizard.welcome", title=content.title, path=shown, command=resume)))
        return frame(text, style="cyan")
    report = seen.progress
    lines = Text(t("wizard.already_done"), style="bold")
    for stage in report.stages:
        mine = [s for s in report.steps if s.step.stage == stage.stage.id]
        count = sum(1 for s in mine if s.status == DONE)
        if stage.status == DONE:
            lines.append(t("wizard.stage_done", stage=stage.stage.title, count=count), "green")
        elif count:  # begun: how far, without the ✔ of a stage done
            total = sum(1 for s in mine if s.status not in (SKIPPED, NOT_APPLICABLE))
            lines.append(t("wizard.stage_begun", stage=stage.stage.title, count=count, total=total))
    if report.next_step is not None:
        lines.append(t("wizard.resume_at", step=report.next_step.title), style="bold")
        where = t(
            "screens.progress",
            number=seen.number,
            total=seen.total,
            stage=content.stage(seen.stage).title,
        )
        lines.append("\n" + where, style="cyan")
    for line in user_lines(content, seen):
        lines.append("\n" + line, style="yellow")
    return frame(lines, style="green")


def problem_panel(text: str) -> RenderableType:
    """What to check for a problem the user reported."""
    return frame(Text(text), t("wizard.what_to_check"), style="yellow")


def message_panel(title: str, text: str) -> RenderableType:
    """A message ready to send, as the step prepared it."""
    return frame(Text(text), title)
