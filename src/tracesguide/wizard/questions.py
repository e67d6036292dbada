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
# Room kept on a text question's last line for what is typed before it wraps.
TYPED = 24


def _glued(text: str) -> str:
    """French spacing kept whole when wrapping: « and », and the space before : ; ? !
    become no-break spaces, so that no line ends with « nor starts with »."""
    import re

    opening, closing = chr(0xAB), chr(0xBB)  # « and », as code points: not words
    return re.sub(f"(?<={opening}) | (?=[{closing}:;?!])", chr(0xA0), text)


def fit(label: str, width: int | None = None) -> str:
    """A choice's label wrapped at word boundaries to the terminal's width, its next
    lines indented under the first: never cut, a long word (a URL) never broken."""
    import shutil
    import textwrap

    columns = width or shutil.get_terminal_size().columns
    room = max(20, columns - _CHOICE_INDENT - 1)
    if len(label) <= room:
        return label
    lines = textwrap.wrap(_glued(label), room, break_long_words=False, break_on_hyphens=False)
    return ("\n" + " " * _CHOICE_INDENT).join(lines)


def described(text: str, width: int | None = None) -> str:
    """A choice's description wrapped at word boundaries: questionary draws it on one
    line after « Description: » (2 + 13 characters), which the terminal would cut."""
    import shutil
    import textwrap

    columns = width or shutil.get_terminal_size().columns
    lines = textwrap.wrap(
        _glued(text),
        max(20, columns - 1),
        initial_indent=" " * 15,
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines).removeprefix(" " * 15)


def shaped(prompt: str, tail: int, width: int | None = None) -> str:
    """A question's prompt wrapped at word boundaries to the terminal's width, with room
    left on its last line for *tail* characters (the menu's hint and the label said back
    once chosen, or the first characters typed); else they start a line of their own.
    questionary draws « ? prompt answer » as one line, which the terminal would cut
    inside a word (« … Windows Hello o » / « u passkey »)."""
    import shutil
    import textwrap

    room = max(20, (width or shutil.get_terminal_size().columns) - 3)  # « ? » and a space
    if len(prompt) + tail <= room:
        return prompt
    if len(prompt) <= room:  # one line, what follows it under it
        return prompt + "\n"
    lines = textwrap.wrap(_glued(prompt), room, break_long_words=False, break_on_hyphens=False)
    if len(lines[-1]) + tail > room:
        lines.append("")
    return "\n".join(lines)


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
