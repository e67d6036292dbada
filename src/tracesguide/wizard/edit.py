"""`tracesguide edit [ANSWER]`: list the answers, change one with the wizard's checks.

The steps that depend on the answer (declared in the content: ``depends_on`` and
``when``) are opened again; the change and each reopening are events, for replay.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

from tracesguide.content import Content, Question
from tracesguide.i18n import follow, t
from tracesguide.i18n.typography import keep_french_spaces
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.system.errors import Interrupted, TracesguideError
from tracesguide.system.hints import command
from tracesguide.system.paths import resolve_state_path
from tracesguide.system.sanitize import inert
from tracesguide.views.render import say_line, values
from tracesguide.wizard.flow import answered


def shown_value(content: Content, question: Question, answers: dict[str, str]) -> str:
    """An answer as the user knows it: a choice's label, the masked phone, the operator."""
    if question.kind == "phone":
        return values(answers)["phone_masked"]
    if question.kind == "operator":
        filled = values(answers)
        return f"{filled['operator_name']} ({filled['operator_traces_number']})"
    choice = question.choice(answers.get(question.key, ""))
    if choice is not None:
        return choice.label
    return inert(answers.get(question.key, ""), single_line=True) or t("screens.not_given")


def run_edit(state_option: Path | None, key: str | None, accessible: bool) -> None:
    from tracesguide.content import load
    from tracesguide.wizard.flow import Flow
    from tracesguide.wizard.session import make_prompter

    path, _ = resolve_state_path(state_option)
    if not os.path.lexists(path):
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
        flow = Flow(content, state, path, prompter, console)
        questions = {q.key: q for q in flow.editable()}
        if not questions:
            raise TracesguideError(t("edit.nothing"), t("edit.nothing_hint"))
        if key is None:
            _print_answers(console, content, state, path)
            options = [
                (k, f"{k} : {shown_value(content, q, state.answers)}") for k, q in questions.items()
            ]
            try:
                key = prompter.pick(t("edit.which"), options)
            except (KeyboardInterrupt, EOFError):
                raise Interrupted(t("cli.aborted"), None) from None
        wanted = key.strip().lower()
        if wanted not in questions:
            raise TracesguideError(
                t("edit.unknown", key=key), t("edit.unknown_hint", keys=", ".join(questions))
            )
        try:
            reopened = flow.change(wanted)
        except (KeyboardInterrupt, EOFError):
            raise Interrupted(t("cli.aborted"), None) from None
    if reopened is None:
        console.print(t("edit.unchanged"))
        return
    console.print(Text(t("edit.changed", key=wanted), style="green"))
    if reopened:
        console.print(t("edit.reopened"))
        for step_id in reopened:
            console.print(t("edit.reopened_line", title=content.step(step_id).title, id=step_id))
    say_line(console, t("edit.resume", command=command("setup", path)))


def _print_answers(console: Console, content: Content, state: State, path: Path) -> None:
    say_line(console, t("edit.title", command=command("edit", path)), style="bold")
    for step in content.steps:
        for question in step.ask:
            if answered(question, state.answers):
                value = shown_value(content, question, state.answers)
                console.print(Text(t("edit.line", key=question.key, value=value)))
