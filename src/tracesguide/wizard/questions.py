"""What the terminal prompters share: questionary's style and the validator that turns
a check raising ``Invalid`` into questionary's « message or True ». Both the prompter
and the operator step use it, so neither imports the other for it."""

from __future__ import annotations

from collections.abc import Callable

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
