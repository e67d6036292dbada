"""What the terminal prompters share: questionary's style and the validator that turns
a check raising ``Invalid`` into questionary's « message or True ». Both the prompter
and the operator step use it, so neither imports the other for it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import questionary

from tracesguide.state.validate import Invalid

STYLE = questionary.Style([("qmark", "fg:ansicyan bold"), ("highlighted", "bold")])
# A choice's line starts with the pointer (« » ») and a space; its next lines line up.
_CHOICE_INDENT = 5


def fit(label: str, width: int | None = None) -> str:
    """A choice's label wrapped at word boundaries to the terminal's width, its next
    lines indented under the first: never cut, a long word (a URL) never broken."""
    import shutil
    import textwrap

    columns = width or shutil.get_terminal_size().columns
    room = max(20, columns - _CHOICE_INDENT - 1)
    if len(label) <= room:
        return label
    lines = textwrap.wrap(label, room, break_long_words=False, break_on_hyphens=False)
    return ("\n" + " " * _CHOICE_INDENT).join(lines)


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
