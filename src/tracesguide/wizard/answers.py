"""The answers-file prompter: the setup flow fed from a TOML file, for automation.

The keys are the wizard's questions (documented in docs/answers-file.md, with a
complete example in docs/examples/answers.toml). A missing or invalid answer is
an ``AnswersError`` naming the key; what was done before it is already saved.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from tracesguide.content import OPERATOR_KIND, Choice, Content, Question, Step
from tracesguide.i18n import t
from tracesguide.state import MAX_ANSWER, validate
from tracesguide.state.validate import Invalid
from tracesguide.system import files, toml
from tracesguide.system.errors import AnswersError, shorten
from tracesguide.wizard.flow import LATER, PROBLEM, OperatorChoice

MAX_BYTES = 256 * 1024
OPTION_KEYS = {"stop_at", "problems", "notes"}
# An operator question is answered in the file by the keys it stores for these roles.
OPERATOR_ROLES = ("name", "number")


def _operator_keys(question: Question) -> list[str]:
    return [question.stored(role) for role in OPERATOR_ROLES]


def read(path: Path, content: Content) -> dict[str, Any]:
    """Read and check an answers file: only known keys, every value a string.

    The file is read the one safe way (``files.read_regular``: a regular file, its size
    checked first) and parsed by the one TOML parser; every way that can fail is the
    one ``AnswersError`` (exit 2). ``stop_at`` must name a step of the procedure.
    """
    document = _parse(path)
    known = {q.key for s in content.steps for q in s.ask if q.kind != OPERATOR_KIND}
    for question in (q for s in content.steps for q in s.ask if q.kind == OPERATOR_KIND):
        known |= set(_operator_keys(question))
        known.add(question.stored("body"))  # optional: the control body, as the certificate says
    known |= OPTION_KEYS
    for key, value in document.items():
        if key not in known:
            raise AnswersError(
                t("answers.unknown_key", key=shorten(key)),
                t("answers.unknown_key_hint", keys=", ".join(sorted(known))),
            )
        if key in ("problems", "notes"):
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise AnswersError(t("answers.problems_not_table"))
            unknown = next((step for step in value if not content.has_step(step)), None)
            if unknown is not None:  # a typo would silently report nothing
                raise AnswersError(
                    t("answers.unknown_problem_step", step=shorten(unknown)),
                    t("answers.unknown_stop_at_hint"),
                )
        elif not isinstance(value, str):
            raise AnswersError(t("answers.not_text", key=key))
        elif key in OPTION_KEYS:
            continue
        elif len(value) > MAX_ANSWER:  # the state's own bound, checked before any write
            raise AnswersError(t("answers.too_long", key=key, limit=MAX_ANSWER))
    stop_at = document.get("stop_at")
    if stop_at is not None and not content.has_step(stop_at):
        raise AnswersError(
            t("answers.unknown_stop_at", step=shorten(stop_at)), t("answers.unknown_stop_at_hint")
        )
    return document


def _parse(path: Path) -> dict[str, Any]:
    try:
        data = files.read_regular(path, MAX_BYTES)
    except files.Unreadable as error:
        if error.reason == "missing":
            raise AnswersError(t("answers.missing", path=path), t("answers.example_hint")) from None
        why = {
            "not_regular": t("answers.not_regular"),
            "too_big": t("answers.too_big", limit=MAX_BYTES),
        }.get(error.reason, error.detail)
        raise AnswersError(t("answers.unreadable", path=path, why=why)) from None
    try:
        return toml.loads(data.decode("utf-8"))
    except (toml.TOMLDecodeError, UnicodeDecodeError) as error:
        from tracesguide.i18n.wording import toml_error

        raise AnswersError(t("answers.invalid", path=path, why=toml_error(error))) from None
    except (ValueError, OverflowError, RecursionError, MemoryError, UnicodeError) as error:
        # TOMLDecodeError and UnicodeDecodeError are ValueErrors; the others: an integer of
        # more than 4 300 digits, nesting too deep, a date out of range.
        from tracesguide.i18n.wording import parser_failure

        raise AnswersError(t("answers.invalid", path=path, why=parser_failure(error))) from None


class AnswersPrompter:
    offers_defaults = False  # the file's values only: no keyring read for a default

    def __init__(self, answers: dict[str, Any], console: Console) -> None:
        self.answers = answers
        self.console = console
        self.problems: dict[str, str] = dict(answers.get("problems", {}))
        self.notes: dict[str, str] = dict(answers.get("notes", {}))

    def _get(self, key: str, step: Step) -> str:
        value = self.answers.get(key)
        if value is None:
            raise AnswersError(
                t("answers.missing_answer", key=key, step=step.id), t("answers.missing_answer_hint")
            )
        return str(value)

    def offer(self, offer: str) -> None:
        """Nothing: an answers file takes no offer."""

    def pause(self) -> None:
        """Nothing: nobody reads the run on a screen."""

    def stops_here(self, step: Step) -> bool:
        return self.answers.get("stop_at") == step.id

    def confirm_end(self, question: Question, choice: Choice) -> bool:
        return True  # the file says the role: it is the confirmation

    def offer_switch(self, question: Question, current: str) -> bool:
        return False  # the file says the method

    def value(
        self, question: Question, step: Step, check: Callable[[str], str], default: str
    ) -> str:
        raw = str(self.answers.get(question.key, "")) if question.optional else None
        raw = self._get(question.key, step) if raw is None else raw
        try:
            return check(raw)
        except Invalid as error:
            raise AnswersError(t("answers.invalid_answer", key=question.key, why=error)) from None

    def choice(self, question: Question, step: Step, default: str) -> str:
        value = self._get(question.key, step)
        if question.choice(value) is None:
            allowed = ", ".join(c.value for c in question.choices)
            raise AnswersError(
                t("answers.invalid_value", key=question.key, value=shorten(value)),
                t("answers.allowed", values=allowed),
            )
        return value

    def keep_email_anyway(self, address: str, warning: str) -> bool:
        self.console.print(Text("⚠ " + warning, style="yellow"))
        return True

    def operator(self, step: Step, searched: Callable[[str], None]) -> OperatorChoice | None:
        values = []  # an answers file searches nothing: *searched* is never called
        question = next(q for q in step.ask if q.kind == OPERATOR_KIND)
        for key in _operator_keys(question):
            try:  # visible characters only, held to what the state reader accepts
                values.append(validate.stored_text(self._get(key, step)))
            except Invalid as error:
                raise AnswersError(t("answers.invalid_answer", key=key, why=error)) from None
        name, number = values
        body = str(self.answers.get(question.stored("body"), ""))
        try:
            body = validate.stored_text(body) if body else ""
        except Invalid as error:
            key = question.stored("body")
            raise AnswersError(t("answers.invalid_answer", key=key, why=error)) from None
        return OperatorChoice(name=name, traces_number=number, control_body=body)

    def outcome(self, step: Step, options: list[tuple[str, str]]) -> str:
        if self.stops_here(step):
            return LATER
        if step.id in self.problems:
            return PROBLEM
        return "done"

    def note(self, step: Step, check: Callable[[str], str]) -> str:
        try:
            return check(self.notes.pop(step.id, ""))
        except Invalid as error:
            raise AnswersError(
                t("answers.invalid_answer", key=f"notes.{step.id}", why=error)
            ) from None

    def problem(self, step: Step, options: list[tuple[str, str]]) -> str:
        chosen = self.problems.pop(step.id)
        if chosen not in {value for value, _ in options}:
            allowed = ", ".join(value for value, _ in options)
            raise AnswersError(
                t("answers.invalid_value", key=f"problems.{step.id}", value=shorten(chosen)),
                t("answers.allowed", values=allowed),
            )
        return chosen
