"""The interactive prompter: questionary prompts for the setup flow.

The only module that prompts. It asks what the flow needs and re-asks, with the
reason, anything invalid. It never asks for a password or a one-time code.
Ctrl-C and EOF propagate (``unsafe_ask``) so the CLI can say how to resume.
"""

from __future__ import annotations

from collections.abc import Callable

import questionary
from rich.console import Console, RenderableType
from rich.text import Text

from tracesguide.content import Question, Step
from tracesguide.flow import OperatorChoice
from tracesguide.i18n import t
from tracesguide.validate import Invalid

STYLE = questionary.Style([("qmark", "fg:ansicyan bold"), ("highlighted", "bold")])


def _validator(check: Callable[[str], str]) -> Callable[[str], bool | str]:
    def run(text: str) -> bool | str:
        try:
            check(text)
        except Invalid as error:
            return str(error)
        return True

    return run


class QuestionaryPrompter:
    def __init__(self, console: Console) -> None:
        self.console = console

    def present(self, step: Step, view: RenderableType) -> None:
        self.console.print()
        self.console.rule(style="dim")
        self.console.print(view)

    def value(
        self, question: Question, step: Step, check: Callable[[str], str], default: str
    ) -> str:
        if question.help:
            self.console.print(Text(question.help, style="dim"))
        answer = questionary.text(
            question.prompt, default=default, validate=_validator(check), style=STYLE
        ).unsafe_ask()
        return check(answer)

    def choice(self, question: Question, step: Step, default: str) -> str:
        if question.key == "has_certificate":
            from tracesguide.operators.wizard_step import offer_certificate_check

            offer_certificate_check(self.console)
        choices = [
            questionary.Choice(
                title=c.label + (t("wizard.recommended") if c.recommended else ""),
                value=c.value,
                description=c.description or None,
            )
            for c in question.choices
        ]
        values = [c.value for c in question.choices]
        recommended = next((c.value for c in question.choices if c.recommended), None)
        start = default if default in values else recommended
        answer: str = questionary.select(
            question.prompt,
            choices=choices,
            default=start,
            style=STYLE,
            instruction=t("wizard.select_hint"),
        ).unsafe_ask()
        return answer

    def keep_email_anyway(self, address: str, warning: str) -> bool:
        self.console.print(Text("⚠ " + warning, style="yellow"))
        keep = _select(
            t("wizard.keep_email", address=address),
            [("no", t("wizard.keep_email_no")), ("yes", t("wizard.keep_email_yes"))],
        )
        return keep == "yes"

    def operator(self, step: Step) -> OperatorChoice | None:
        from tracesguide.operators.wizard_step import ask_operator

        return ask_operator(self.console, next(q.prompt for q in step.ask if q.kind == "operator"))

    def outcome(self, step: Step, options: list[tuple[str, str]]) -> str:
        return _select(t("wizard.where_are_you"), options)

    def problem(self, step: Step, options: list[tuple[str, str]]) -> str:
        return _select(t("wizard.which_problem"), options)


def _select(prompt: str, options: list[tuple[str, str]]) -> str:
    answer: str = questionary.select(
        prompt,
        choices=[questionary.Choice(title=label, value=value) for value, label in options],
        style=STYLE,
        instruction=t("wizard.select_hint"),
    ).unsafe_ask()
    return answer
