"""The wizard's own screens around the steps: preparation, the line before each
question, the waiting screen and the summary at the end.

Words from the catalog (``i18n.t``), facts from the content; values from the state
go through ``render`` (inert).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from rich.console import RenderableType
from rich.text import Text

from tracesguide.content import Content, Step
from tracesguide.engine import position
from tracesguide.i18n import t
from tracesguide.state import State
from tracesguide.system.sanitize import inert
from tracesguide.views.render import frame, personalise, values


def progress_line(content: Content, step: Step, answers: Mapping[str, str]) -> str:
    """« Étape 12 sur 27 · Second facteur d'authentification »."""
    number, total = position(content, answers, step)
    return t("screens.progress", number=number, total=total, stage=content.stage(step.stage).title)


def recap(content: Content, step: Step, answers: Mapping[str, str]) -> RenderableType:
    """The lines printed right before a question, so that on an 80×24 terminal the last
    screen holds where you are, what to do (the button and the page) and the question."""
    text = Text(progress_line(content, step, answers), style="bold cyan")
    text.append("\n")
    text.append(t("screens.doing", title=step.title), style="bold")
    if step.action:
        text.append("\n" + t("render.click"))
        text.append(personalise(step.action, answers), style="bold reverse")
    if step.screen.url:
        text.append("\n" + t("screens.page", url=step.screen.url), style="dim")
    return text


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


def summary(content: Content, state: State, files: list[Path]) -> RenderableType:
    """The end: what was set up, where the message is, what to do next."""
    answers = state.answers
    filled = values(answers)

    def label(key: str) -> str:
        question = content.question(key)
        choice = question.choice(answers.get(key, "")) if question else None
        return choice.label if choice else t("screens.not_given")

    text = Text(
        t(
            "screens.summary",
            email=filled["email"],
            method=label("second_factor_method"),
            role=label("role"),
            operator=filled["operator_name"],
            number=filled["operator_traces_number"],
        )
    )
    for file in files:
        text.append("\n" + t("screens.summary_file", path=inert(str(file), single_line=True)))
    text.append("\n\n" + t("screens.next"))
    return frame(text, t("screens.summary_title"))
