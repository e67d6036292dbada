"""The wizard's own screens around the steps: preparation, the line before each
question, the waiting screen and the summary at the end.

Words from the catalog (``i18n.t``), facts from the content; values from the state
go through ``render`` (inert).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path

from rich.console import Group, RenderableType
from rich.text import Text

from tracesguide.content import OPERATOR_KIND, Content, Question, Step
from tracesguide.engine import NOT_APPLICABLE, Situation, position
from tracesguide.i18n import t
from tracesguide.i18n.wording import moment
from tracesguide.state import State
from tracesguide.system.sanitize import inert
from tracesguide.views.render import frame, personalise, screen_panel, source_text, values
from tracesguide.views.situation import user_lines


def progress_line(content: Content, step: Step, answers: Mapping[str, str]) -> str:
    """« Étape 12 sur 27 · Second facteur d'authentification »."""
    number, total = position(content, answers, step)
    return t("screens.progress", number=number, total=total, stage=content.stage(step.stage).title)


def step_header(
    content: Content, step: Step, answers: Mapping[str, str], url: bool = True
) -> RenderableType:
    """What must stay on the screen at a step's question (80×24): where you are, the
    step's title once, its whole instruction, the button, the page's address (*url*,
    unless the page is drawn just above) and the warning that matters most."""
    text = Text(progress_line(content, step, answers), style="bold cyan")
    text.append("\n")
    text.append(t("screens.doing", title=step.title), style="bold")
    do = personalise(step.do, answers)
    text.append("\n" + do)
    # the button and the address once: not again when the instruction already says them
    action = personalise(step.action, answers) if step.action else ""
    if action and not _says(do, action):
        text.append("\n" + t("render.click"))
        text.append(action, style="bold reverse")
    if url and step.screen.url and not _says(do, step.screen.url):
        text.append("\n" + t("screens.page", url=step.screen.url), style="dim")
    if step.warnings:
        text.append("\n⚠ " + personalise(step.warnings[0], answers), style="yellow")
    return text


def _says(text: str, words: str) -> bool:
    """Whether *text* already holds *words* (spaces and line breaks aside)."""
    return " ".join(words.split()) in " ".join(text.split())


def step_page(content: Content, step: Step, answers: Mapping[str, str]) -> RenderableType:
    """The rest of a step, one choice away when it does not fit: the page as the user
    will see it, the other warnings, the sources."""
    parts: list[RenderableType] = [screen_panel(step, answers)]
    for warning in step.warnings[1:]:
        parts.append(Text("⚠ " + personalise(warning, answers), style="yellow"))
    parts.append(source_text(content, step))
    return Group(*parts)


def preparation(content: Content) -> RenderableType:
    """The first run's screen: how many steps, about how long, what to have ready."""
    _, total = position(content, {}, content.steps[0])
    return frame(
        Text(t("screens.prepare", steps=total, stages=len(content.stages))),
        t("screens.prepare_title"),
    )


def _duration(elapsed: timedelta) -> str:
    days = elapsed.days
    hours = elapsed.seconds // 3600
    if days:
        return t("screens.days", days=days, hours=hours)
    if hours:
        return t("screens.hours", hours=hours)
    return t("screens.minutes", minutes=max(0, elapsed.seconds // 60))


def waiting(elapsed: timedelta, files: list[Path]) -> RenderableType:
    """On a resume while the control body validates the request."""
    text = Text(t("screens.waiting", elapsed=_duration(elapsed)))
    for file in files:
        text.append("\n" + t("screens.reminder_ready", path=inert(str(file), single_line=True)))
    return frame(text, t("screens.waiting_title"))


def summary(content: Content, seen: Situation, state: State, files: list[Path]) -> RenderableType:
    """The end: what was set up (the content's ``summary``), the milestones reached and
    when (the situation's), where the message is, what to do next."""
    answers = state.answers
    filled = values(answers)

    def shown(match: re.Match[str]) -> str:
        key = match.group(1)
        question = content.question(key)
        if question is not None and question.choices:
            choice = question.choice(answers.get(key, ""))
            return choice.label if choice else t("screens.not_given")
        return filled.get(key) or inert(answers.get(key, ""), single_line=True)

    # A line whose every answer is asked only by steps the path rules out (the second
    # factor and the role, for someone who already uses TRACES NT) is left out.
    on_path = {
        key
        for status in seen.progress.steps
        if status.reason != NOT_APPLICABLE
        for question in status.step.ask
        for key in (question.key, *(stored for _, stored in question.stores))
    }
    lines = [
        line
        for line in content.summary.split("\n")
        if not (keys := re.findall(r"\{([a-z_]+)\}", line)) or any(k in on_path for k in keys)
    ]
    text = Text(re.sub(r"\{([a-z_]+)\}", shown, "\n".join(lines)))
    if seen.milestones:
        reached = ", ".join(
            t("screens.milestone_on", milestone=content.milestone_name(name), day=moment(at))
            for name, at in seen.milestones
        )
        text.append("\n" + t("screens.milestones", milestones=reached), style="dim")
    for file in files:
        text.append("\n" + t("screens.summary_file", path=inert(str(file), single_line=True)))
    text.append("\n\n" + t("screens.next"))
    return frame(text, t("screens.summary_title"))


def shown_value(content: Content, question: Question, answers: Mapping[str, str]) -> str:
    """An answer as the user knows it: a choice's label, the masked phone, the operator."""
    role, key = question.stores[0]
    if question.kind == OPERATOR_KIND:
        filled = values(answers)
        return f"{filled[question.stored('name')]} ({filled[key]})"
    if role != "value":  # the phone: its masked form, as the placeholder shows it
        return values(answers)[key]
    choice = question.choice(answers.get(key, ""))
    if choice is not None:
        return choice.label
    return inert(answers.get(key, ""), single_line=True) or t("screens.not_given")


def answers_listing(
    content: Content,
    state: State,
    seen: Situation,
    answered: Callable[[Question, dict[str, str]], bool],
) -> RenderableType:
    """``edit``'s listing: where the user stands (the situation), then each answer."""
    text = Text()
    if seen.step:
        stage = content.stage(seen.stage).title
        where = t("screens.progress", number=seen.number, total=seen.total, stage=stage)
        text.append(where + "\n", style="cyan")
    elif seen.complete:
        text.append(t("status.complete") + "\n", style="green")
    for line in user_lines(content, seen):
        text.append(line + "\n", style="yellow")
    for step in content.steps:
        for question in step.ask:
            if answered(question, state.answers):
                value = shown_value(content, question, state.answers)
                text.append(t("edit.line", key=question.name, value=value) + "\n")
    text.rstrip()
    return text
