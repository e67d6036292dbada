"""What the terminal prompters share: questionary's style and the validator that turns
a check raising ``Invalid`` into questionary's « message or True ». Both the prompter
and the operator step use it, so neither imports the other for it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import questionary

from tracesguide.state.validate import Invalid

STYLE = questionary.Style([("qmark", "fg:ansicyan bold"), ("highlighted", "bold")])


def validator(check: Callable[[str], str], navigation: bool = False) -> Callable[[str], bool | str]:
    """A questionary validator: True when ``check`` accepts the text (or « < » when
    navigation is on), else the check's message."""

    def run(text: str) -> bool | str:
        if navigation and text.strip() == "<":
            return True
        try:
            check(text)
        except Invalid as error:
            return str(error)
        return True

    return run


class Asker(Protocol):
    """The prompter's plain primitives, which the operator step asks through (it never
    calls questionary itself): a line to show, a text to type, one option to pick."""

    def say(self, text: str, style: str = "") -> None: ...

    def ask_text(self, prompt: str, validate: Callable[[str], bool | str]) -> str: ...

    def ask_select(self, prompt: str, choices: Sequence[tuple[str, str]]) -> str:
        """*choices* are (title, value) pairs; the value picked is returned."""
        ...
