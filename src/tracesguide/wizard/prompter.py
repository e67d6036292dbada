"""The interactive prompter: questionary prompts for the setup flow.

The only module that prompts. It asks what the flow needs and re-asks, with the
reason, anything invalid. It never asks for a password or a one-time code.
Ctrl-C and EOF propagate (``unsafe_ask``) so the CLI can say how to resume.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import questionary
from rich.console import Console
from rich.text import Text

from tracesguide.content import (
    CERTIFICATE_CHECK,
    DIRECTORY_DOWNLOAD,
    OPERATOR_KIND,
    Choice,
    Content,
    Entry,
    Question,
    Step,
)
from tracesguide.i18n import t
from tracesguide.state.validate import Invalid
from tracesguide.wizard.flow import BACK, GoBack, OperatorChoice
from tracesguide.wizard.questions import STYLE, TYPED, described, fit, shaped
from tracesguide.wizard.questions import validator as _validator


class QuestionaryPrompter:
    offers_defaults = True  # the last value (the keyring's number) is offered

    def __init__(self, console: Console, navigation: bool = True) -> None:
        self.console = console
        self.navigation = navigation  # « ← Étape précédente » offered (not in edit)

    def say(self, text: str, style: str = "") -> None:
        self.console.print(Text(text, style=style))

    def ask_text(self, prompt: str, validate: Callable[[str], bool | str]) -> str:
        default = ""
        while True:
            answer: str = questionary.text(
                shaped(prompt, TYPED), default=default, style=STYLE
            ).unsafe_ask()
            verdict = validate(answer)
            if verdict is True:
                return answer
            self.refused(
                verdict if isinstance(verdict, str) and verdict else t("wizard.type_a_word")
            )
            default = answer

    def refused(self, reason: str) -> None:
        """Why an answer is refused, on its own lines: wrapped at word boundaries, never
        cut (questionary's one-line toolbar would cut it at the terminal's width)."""
        self.console.print(Text("✗ " + reason, style="red"))

    def ask_select(self, prompt: str, choices: Sequence[tuple[str, str]]) -> str:
        picked: str = questionary.select(
            shaped(prompt, _tail(title for title, _ in choices)),
            choices=[questionary.Choice(fit(title), value=value) for title, value in choices],
            style=STYLE,
            instruction=t("wizard.select_hint"),
        ).unsafe_ask()
        return picked

    def stops_here(self, step: Step) -> bool:
        return False

    def confirm_end(self, question: Question, choice: Choice) -> bool:
        self.console.print(Text(t("wizard.confirm_end", label=choice.label, ends=choice.ends)))
        answer = self._choose(
            t("wizard.confirm_end_question"),
            [("no", t("wizard.confirm_end_no")), ("yes", t("wizard.confirm_end_yes"))],
        )
        return answer == "yes"

    def offer_switch(self, question: Question, current: str) -> bool:
        answer = self._choose(
            t("wizard.offer_switch", current=current),
            [("no", t("wizard.offer_switch_no")), ("yes", t("wizard.offer_switch_yes"))],
        )
        return answer == "yes"

    def value(
        self, question: Question, step: Step, check: Callable[[str], str], default: str
    ) -> str:
        if question.help:
            self.console.print(Text(question.help, style="dim"))
        if self.navigation:
            self.console.print(Text(t("wizard.back_hint"), style="dim"))
        while True:
            answer: str = questionary.text(
                shaped(question.prompt, TYPED), default=default, style=STYLE
            ).unsafe_ask()
            if self.navigation and answer.strip() == "<":
                raise GoBack
            try:
                return check(answer)
            except Invalid as error:
                self.refused(str(error))
                default = answer  # to correct, not to type again

    def pause(self) -> None:
        questionary.press_any_key_to_continue(t("wizard.press_enter"), style=STYLE).unsafe_ask()

    def offer(self, offer: str) -> None:
        """Run what a question offers before it is asked (declared in the content)."""
        if offer == CERTIFICATE_CHECK:
            from tracesguide.wizard.operator_step import offer_certificate_check

            offer_certificate_check(self)

    def choice(self, question: Question, step: Step, default: str) -> str:
        choices = [
            questionary.Choice(
                title=fit(c.label + (t("wizard.recommended") if c.recommended else "")),
                value=c.value,
                description=described(c.description) if c.description else None,
            )
            for c in question.choices
        ]
        if self.navigation:
            choices.append(questionary.Choice(title=t("wizard.back"), value=BACK))
        values = [c.value for c in question.choices]
        recommended = next((c.value for c in question.choices if c.recommended), None)
        start = default if default in values else recommended
        labels = [
            c.label + (t("wizard.recommended") if c.recommended else "") for c in question.choices
        ]
        answer: str = questionary.select(
            shaped(question.prompt, _tail(labels)),
            choices=choices,
            default=start,
            style=STYLE,
            instruction=t("wizard.select_hint"),
        ).unsafe_ask()
        if answer == BACK:
            raise GoBack
        return answer

    def keep_email_anyway(self, address: str, warning: str) -> bool:
        self.console.print(Text("⚠ " + warning, style="yellow"))
        keep = self._choose(
            t("wizard.keep_email", address=address),
            [("no", t("wizard.keep_email_no")), ("yes", t("wizard.keep_email_yes"))],
        )
        return keep == "yes"

    def operator(self, step: Step, searched: Callable[[str], None]) -> OperatorChoice | None:
        from tracesguide.wizard.operator_step import ask_operator

        question = next(q for q in step.ask if q.kind == OPERATOR_KIND)
        download = DIRECTORY_DOWNLOAD in question.offers
        return ask_operator(
            self, question.prompt, back=self.navigation, download=download, searched=searched
        )

    def _choose(self, prompt: str, options: list[tuple[str, str]]) -> str:
        return _select(prompt, options)

    def pick(self, prompt: str, options: list[tuple[str, str]]) -> str:
        """One of *options* (value, label): for ``edit``."""
        return self._choose(prompt, options)

    def outcome(self, step: Step, options: list[tuple[str, str]]) -> str:
        return self._choose(t("wizard.where_are_you"), options)

    def problem(self, step: Step, options: list[tuple[str, str]]) -> str:
        return self._choose(t("wizard.which_problem"), options)

    def note(self, step: Step, check: Callable[[str], str]) -> str:
        answer: str = questionary.text(
            shaped(t("wizard.note_prompt"), TYPED), validate=_validator(check), style=STYLE
        ).unsafe_ask()
        return check(answer)

    def troubleshooting(self, content: Content) -> Entry | None:
        """``troubleshoot``'s menu of the entries; None when the person quits."""
        options = [(e.id, e.label) for e in content.troubleshooting]
        options.append(("", t("troubleshoot.menu_quit")))
        chosen = self._choose(t("troubleshoot.menu_prompt"), options)
        return next((e for e in content.troubleshooting if e.id == chosen), None)


def _tail(labels: Iterable[str]) -> int:
    """The room a menu's prompt keeps on its last line: for the hint while choosing, and
    for the label questionary says back after it once chosen: when the longest does not
    fit beside the prompt, the labels said back go under it (``shaped``)."""
    return 1 + max([len(t("wizard.select_hint")), *(len(label) for label in labels)])


def _select(prompt: str, options: list[tuple[str, str]]) -> str:
    answer: str = questionary.select(
        shaped(prompt, _tail(label for _, label in options)),
        choices=[questionary.Choice(title=fit(label), value=value) for value, label in options],
        style=STYLE,
        instruction=t("wizard.select_hint"),
    ).unsafe_ask()
    return answer


class AccessiblePrompter(QuestionaryPrompter):
    """Screen-reader mode (``--accessible``, or ``ACCESSIBLE`` set): plain lines only.

    No boxes, no colour, no menus drawn with the arrow keys: each choice is numbered
    and chosen by typing its number, and the answer is said back (« Choisi : … »).
    """

    def _line(self, prompt: str) -> str:
        answer: str = self.console.input(prompt)
        return answer

    def value(
        self, question: Question, step: Step, check: Callable[[str], str], default: str
    ) -> str:
        if question.help:
            self.console.print(question.help)
        if self.navigation:
            self.console.print(t("accessible.back_hint"))
        self.console.print(question.prompt)
        if default:
            self.console.print(t("accessible.default", value=default))
        while True:
            answer = self._line(t("accessible.answer")).strip() or default
            if self.navigation and answer == "<":
                raise GoBack
            try:
                value = check(answer)
            except Invalid as error:
                self.console.print(str(error))
                continue
            self.console.print(t("accessible.chosen", label=value))
            return value

    def pause(self) -> None:
        self._line(t("accessible.press_enter"))

    def note(self, step: Step, check: Callable[[str], str]) -> str:
        self.console.print(t("wizard.note_prompt"), markup=False, highlight=False)
        while True:
            try:
                return check(self._line(t("accessible.answer")))
            except Invalid as error:
                self.console.print(str(error), markup=False, highlight=False)

    def _numbered(self, prompt: str, options: list[tuple[str, str]], default: str = "") -> str:
        self.console.print(prompt)
        for number, (_, label) in enumerate(options, start=1):
            self.console.print(t("accessible.choice_line", number=number, label=label))
        labels = dict(options)
        if default in labels:
            self.console.print(t("accessible.default", value=labels[default]))
        while True:
            typed = self._line(t("accessible.choose")).strip()
            if not typed and default in labels:
                value = default
            elif typed.isdigit() and 1 <= int(typed) <= len(options):
                value = options[int(typed) - 1][0]
            else:
                self.console.print(t("accessible.not_a_number", count=len(options)))
                continue
            self.console.print(t("accessible.chosen", label=labels[value]))
            return value

    def choice(self, question: Question, step: Step, default: str) -> str:
        if question.help:
            self.console.print(question.help)
        options = [
            (c.value, c.label + (t("wizard.recommended") if c.recommended else ""))
            for c in question.choices
        ]
        if self.navigation:
            options.append((BACK, t("wizard.back")))
        recommended = next((c.value for c in question.choices if c.recommended), "")
        answer = self._numbered(question.prompt, options, default or recommended)
        if answer == BACK:
            raise GoBack
        return answer

    # The operator step and the certificate check ask through these (``Asker``): the
    # same step as the arrow-key one, every way on included, in numbered plain lines.

    def say(self, text: str, style: str = "") -> None:
        self.console.print(text, markup=False, highlight=False)

    def ask_text(self, prompt: str, validate: Callable[[str], bool | str]) -> str:
        self.console.print(prompt, markup=False, highlight=False)
        while True:
            answer = self._line(t("accessible.answer"))
            verdict = validate(answer)
            if verdict is True:
                return answer
            shown = verdict if isinstance(verdict, str) and verdict else t("wizard.type_a_word")
            self.console.print(shown, markup=False, highlight=False)

    def ask_select(self, prompt: str, choices: Sequence[tuple[str, str]]) -> str:
        return self._numbered(prompt, [(value, title) for title, value in choices])

    def _choose(self, prompt: str, options: list[tuple[str, str]]) -> str:
        return self._numbered(prompt, options)
