"""The answers-file prompter: the setup flow fed from a TOML file, for automation.

The keys are the wizard's questions (documented in docs/answers-file.md, with a
complete example in docs/examples/answers.toml). A missing or invalid answer is
an ``AnswersError`` naming the key; what was done before it is already saved.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console, RenderableType
from rich.text import Text

from tracesguide import validate
from tracesguide.content import Content, Question, Step
from tracesguide.errors import AnswersError
from tracesguide.files import Unreadable, read_regular
from tracesguide.flow import LATER, PROBLEM, OperatorChoice
from tracesguide.validate import Invalid

MAX_BYTES = 256 * 1024
OPTION_KEYS = {"stop_at", "problems"}
OPERATOR_KEYS = ("operator_name", "operator_traces_number")


def read(path: Path, content: Content) -> dict[str, Any]:
    """Read and check an answers file: only known keys, every value a string."""
    try:  # a regular file only, its size checked first (no FIFO, no /dev/zero)
        data = read_regular(path, MAX_BYTES)
    except Unreadable as error:
        if error.reason == "missing":
            raise AnswersError(
                f"fichier de réponses introuvable : {path}",
                "Un exemple complet : docs/examples/answers.toml.",
            ) from None
        if error.reason == "too_big":
            raise AnswersError(f"fichier de réponses {path} trop volumineux") from None
        if error.reason == "not_regular":
            raise AnswersError(f"{path} n'est pas un fichier de réponses ordinaire") from None
        raise AnswersError(f"fichier de réponses {path} illisible : {error.detail}") from None
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise AnswersError(f"fichier de réponses {path} invalide : {error}") from None
    except (ValueError, OverflowError, RecursionError, MemoryError):
        raise AnswersError(f"fichier de réponses {path} invalide : valeur hors limites") from None
    known = {q.key for s in content.steps for q in s.ask if q.kind != "operator"}
    known |= set(OPERATOR_KEYS) | OPTION_KEYS
    for key, value in document.items():
        if key not in known:
            raise AnswersError(
                f"fichier de réponses : clé inconnue « {key} »",
                f"Clés possibles : {', '.join(sorted(known))}.",
            )
        if key == "problems":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise AnswersError(
                    "fichier de réponses : « problems » doit être une table de textes"
                )
        elif not isinstance(value, str):
            raise AnswersError(f"fichier de réponses : « {key} » doit être un texte")
    return document


class AnswersPrompter:
    def __init__(self, answers: dict[str, Any], console: Console) -> None:
        self.answers = answers
        self.console = console
        self.problems: dict[str, str] = dict(answers.get("problems", {}))

    def _get(self, key: str, step: Step) -> str:
        value = self.answers.get(key)
        if value is None:
            raise AnswersError(
                f"réponse manquante : « {key} » (étape {step.id})",
                "Ajoutez-la au fichier de réponses ; la progression déjà faite est enregistrée.",
            )
        return str(value)

    def present(self, step: Step, view: RenderableType) -> None:
        self.console.print(Text(f"▸ {step.title} ({step.id})"))

    def value(
        self, question: Question, step: Step, check: Callable[[str], str], default: str
    ) -> str:
        raw = self._get(question.key, step)
        try:
            return check(raw)
        except Invalid as error:
            raise AnswersError(f"réponse invalide pour « {question.key} » : {error}") from None

    def choice(self, question: Question, step: Step, default: str) -> str:
        value = self._get(question.key, step)
        if question.choice(value) is None:
            allowed = ", ".join(c.value for c in question.choices)
            raise AnswersError(
                f"réponse invalide pour « {question.key} » : « {value} »",
                f"Valeurs possibles : {allowed}.",
            )
        return value

    def keep_email_anyway(self, address: str, warning: str) -> bool:
        self.console.print(Text("⚠ " + warning, style="yellow"))
        return True

    def operator(self, step: Step) -> OperatorChoice | None:
        values = []
        for key in OPERATOR_KEYS:
            try:  # held to what the state reader accepts, like every other answer
                values.append(validate.stored_text(self._get(key, step)))
            except Invalid as error:
                raise AnswersError(f"réponse invalide pour « {key} » : {error}") from None
        name, number = values
        return OperatorChoice(name=name, traces_number=number)

    def outcome(self, step: Step, options: list[tuple[str, str]]) -> str:
        if self.answers.get("stop_at") == step.id:
            return LATER
        if step.id in self.problems:
            return PROBLEM
        return "done"

    def problem(self, step: Step, options: list[tuple[str, str]]) -> str:
        chosen = self.problems.pop(step.id)
        if chosen not in {value for value, _ in options}:
            allowed = ", ".join(value for value, _ in options)
            raise AnswersError(
                f"réponse invalide pour « problems.{step.id} » : « {chosen} »",
                f"Valeurs possibles : {allowed}.",
            )
        return chosen
