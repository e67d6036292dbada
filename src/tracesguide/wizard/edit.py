"""`tracesguide edit [ANSWER]`: list the answers, change one with the wizard's checks.

The steps that depend on the answer (declared in the content: ``depends_on`` and
``when``) are opened again; the change and each reopening are events, for replay.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

from tracesguide.content import Content, Question
from tracesguide.i18n import follow, t
from tracesguide.i18n.typography import keep_french_spaces
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.system.errors import Interrupted, TracesguideError, shorten
from tracesguide.system.hints import command
from tracesguide.system.paths import resolve_state_path
from tracesguide.views.render import say_line
from tracesguide.views.screens import answers_listing, shown_value
from tracesguide.wizard.flow import answered


def run_edit(state_option: Path | None, key: str | None, accessible: bool) -> None:
    from tracesguide.content import load
    from tracesguide.wizard.flow import Flow
    from tracesguide.wizard.session import absent, make_presenter, make_prompter

    path, _ = resolve_state_path(state_option)
    if absent(path):
        raise TracesguideError(t("edit.nothing"), t("edit.nothing_hint"))
    follow(state_module.load(path).language)  # a bad file stops here, untouched
    content = load()
    console = Console(highlight=False, no_color=accessible or None)
    keep_french_spaces()
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        if key is not None:  # a change asks, with the wizard's checks: a terminal is needed
            raise TracesguideError(
                t("edit.no_terminal"),
                t("edit.no_terminal_hint", command=command(f"edit {key}", path)),
            )
        _print_answers(console, content, state_module.load(path), path)
        return
    prompter = make_prompter(console, accessible, navigation=False)
    with state_module.locked(path, timeout=0.5):
        state = state_module.load(path)
        presenter = make_presenter(content, console, "accessible" if accessible else "terminal")
        flow = Flow(content, state, path, prompter, presenter)
        questions = {q.key: q for q in flow.editable()}
        if not questions:
            raise TracesguideError(t("edit.nothing"), t("edit.nothing_hint"))
        if key is None:
            _print_answers(console, content, state, path)
            options = [
                (k, f"{q.name} : {shown_value(content, q, state.answers)}")
                for k, q in questions.items()
            ]
            try:
                key = prompter.pick(t("edit.which"), options)
            except (KeyboardInterrupt, EOFError):
                raise Interrupted(t("cli.aborted"), None) from None
        wanted = find_answer(questions, key)
        if wanted is None:
            names = ", ".join(q.name for q in questions.values())
            raise TracesguideError(
                t("edit.unknown", key=shorten(key)), t("edit.unknown_hint", keys=names)
            )
        try:
            reopened = flow.change(wanted)
        except (KeyboardInterrupt, EOFError):
            raise Interrupted(t("cli.aborted"), None) from None
    if reopened is None:
        console.print(t("edit.unchanged"))
        return
    console.print(Text(t("edit.changed", key=questions[wanted].name), style="green"))
    if reopened:
        console.print(t("edit.reopened"))
        for step_id in reopened:
            console.print(t("edit.reopened_line", title=content.step(step_id).title, id=step_id))
    say_line(console, t("edit.resume", command=command("setup", path)))


def _folded(text: str) -> str:
    """A name as a person may type it: any case, accents or not, spaces or underscores."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").replace("-", " ").split())


def find_answer(questions: dict[str, Question], typed: str) -> str | None:
    """The key of the answer *typed* names: its key or its label (``prénom``, ``rôle``)."""
    wanted = _folded(typed)
    for key, question in questions.items():
        if wanted in (_folded(key), _folded(question.name)):
            return key
    return None


def _print_answers(console: Console, content: Content, state: State, path: Path) -> None:
    from datetime import UTC, datetime

    from tracesguide.engine import situation

    say_line(console, t("edit.title", command=command("edit", path)), style="bold")
    seen = situation(content, state, datetime.now(UTC))
    console.print(answers_listing(content, state, seen, answered))
