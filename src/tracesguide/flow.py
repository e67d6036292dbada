"""The setup flow: the engine says what comes next, a prompter gets the answers.

One flow serves the interactive wizard (``wizard.QuestionaryPrompter``) and the
answers-file runner (``answers.AnswersPrompter``), so the same answers reach the
same state. The state is saved after every answer and every screen shown; a stop
at any point (Ctrl-C, EOF, a missing answer) keeps all that was done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from rich.console import Console, RenderableType
from rich.panel import Panel
from rich.text import Text

from tracesguide import secrets, validate
from tracesguide.content import Content, Question, Step
from tracesguide.engine import DONE, answer_effect, expired_timer, progress
from tracesguide.render import personalise, step_view
from tracesguide.state import State
from tracesguide.state import store as state_module

DONE_, LATER, PROBLEM, SKIP = "done", "later", "problem", "skip"
OTHER_PROBLEM = "other"
MESSAGE_FILE = "message-certipaq-bio.txt"


@dataclass(frozen=True)
class OperatorChoice:
    name: str
    traces_number: str


class Prompter(Protocol):
    """Where answers come from: a person at a terminal, or an answers file."""

    def present(self, step: Step, view: RenderableType) -> None: ...

    def value(
        self, question: Question, step: Step, check: Callable[[str], str], default: str
    ) -> str: ...

    def choice(self, question: Question, step: Step, default: str) -> str: ...

    def keep_email_anyway(self, address: str, warning: str) -> bool: ...

    def operator(self, step: Step) -> OperatorChoice | None: ...

    def outcome(self, step: Step, options: list[tuple[str, str]]) -> str: ...

    def problem(self, step: Step, options: list[tuple[str, str]]) -> str: ...


@dataclass
class Result:
    """How the run ended: complete, ended (role), blocked, later."""

    how: str
    state: State


class Flow:
    def __init__(
        self,
        content: Content,
        state: State,
        path: Path,
        prompter: Prompter,
        console: Console,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.content = content
        self.state = state
        self.path = path
        self.prompter = prompter
        self.console = console
        self.clock = clock or (lambda: datetime.now(UTC).replace(microsecond=0))
        self._keyring_warned = False

    # -- persistence ---------------------------------------------------------------

    def save(self) -> None:
        state_module.save(self.state, self.path)

    def _record(self, kind: str, step: str = "", detail: str = "") -> None:
        self.state.record(kind, step, detail, now=self.clock())
        self.save()

    def _answer(self, key: str, value: str, step: str) -> None:
        self.state.answer(key, value, step=step, now=self.clock())
        self.save()

    # -- the run -------------------------------------------------------------------

    def run(self) -> Result:
        self._recap()
        while True:
            report = progress(self.content, self.state)
            if report.complete:
                self.console.print(Text(self.content.messages["complete"], style="bold green"))
                return Result("complete", self.state)
            if report.ended:
                self.console.print(Text(report.ended, style="yellow"))
                self.console.print(Text(self.content.messages["ended_role"]))
                return Result("ended", self.state)
            step = report.next_step
            if step is None:  # nothing left that applies, yet not complete: say where
                self.console.print("Aucune étape à proposer : voyez « tracesguide status ».")
                return Result("later", self.state)
            how = self._step(step)
            if how in ("later", "blocked"):
                return Result(how, self.state)

    def _recap(self) -> None:
        done = [s for s in self.state.steps.values() if s.status == DONE]
        if not done:
            self.console.print(
                Panel(
                    Text(
                        f"{self.content.title}\n\n"
                        "À chaque étape : l'écran tel que vous le verrez, ce qu'il faut "
                        "faire, puis la question : où en êtes-vous ? Votre progression est "
                        f"enregistrée après chaque réponse ({self.path}) : Ctrl-C arrête "
                        "sans rien perdre, "
                        "« tracesguide setup » reprend.\n"
                        "Ce guide ne vous demande jamais votre mot de passe ni un code reçu : "
                        "ils se tapent uniquement sur la page EU Login."
                    ),
                    border_style="cyan",
                )
            )
            return
        report = progress(self.content, self.state)
        lines = Text("Déjà fait :\n", style="bold")
        for stage in report.stages:
            count = sum(
                1 for s in report.steps if s.step.stage == stage.stage.id and s.status == DONE
            )
            if count:
                lines.append(f"  ✔ {stage.stage.title} ({count} étape(s))\n", style="green")
        if report.next_step is not None:
            lines.append(f"Reprise à : {report.next_step.title}", style="bold")
        self.console.print(Panel(lines, border_style="green"))

    def _step(self, step: Step) -> str:
        timer = expired_timer(self.content, self.state, step, self.clock())
        if timer:
            self.console.print(Text("⏰ " + timer, style="bold yellow"))
        for question in step.ask:
            if question.before:
                self._ask(question, step)
        self.prompter.present(step, step_view(self.content, step, self.state.answers))
        self._record("shown", step.id)
        if step.id == "access.inform-control-body":
            self._control_body_message()
        asked_after = [q for q in step.ask if not q.before]
        for question in asked_after:
            chosen = self._ask(question, step)
            if chosen is None:  # the operator was not found
                self.console.print(Text(self.content.messages["operator_not_found"]))
                self._record("later", step.id, "opérateur introuvable")
                self._say_resume()
                return "later"
        if asked_after:  # the answer is the outcome of the step
            effect, reason = answer_effect(step, self.state.answers)
            if effect == "blocks":
                self._record("blocked", step.id, reason)
                self.console.print(Text("⏸ " + reason, style="bold yellow"))
                self.console.print(
                    "Revenez quand ce sera le cas : « tracesguide setup » reprendra ici."
                )
                return "blocked"
            self._record("done", step.id)
            return "done"
        return self._outcome(step)

    def _outcome(self, step: Step) -> str:
        options = [(DONE_, "C'est fait"), (LATER, "Pas encore : je reviendrai plus tard")]
        options.append((PROBLEM, "J'ai un problème"))
        if step.optional:
            options.append((SKIP, "Passer cette étape (facultative)"))
        while True:
            outcome = self.prompter.outcome(step, options)
            if outcome == DONE_:
                self._record("done", step.id)
                return "done"
            if outcome == SKIP:
                self._record("skipped", step.id)
                return "done"
            if outcome == LATER:
                self._record("later", step.id)
                self._say_resume()
                return "later"
            self._problem(step)

    def _problem(self, step: Step) -> None:
        options = [(p.id, p.label) for p in step.problems]
        options.append((OTHER_PROBLEM, "Autre problème"))
        chosen = self.prompter.problem(step, options)
        self._record("problem", step.id, chosen)
        problem = next((p for p in step.problems if p.id == chosen), None)
        if problem is not None:
            text = personalise(problem.help, self.state.answers)
        else:
            text = (
                "Notez ce qui se passe (message affiché, heure). Votre organisme de contrôle "
                "(Certipaq BIO) peut voir votre progression avec « tracesguide replay » si "
                "vous lui envoyez votre fichier d'état : il ne contient aucun secret."
            )
        self.console.print(Panel(Text(text), title="Que vérifier", border_style="yellow"))

    def _say_resume(self) -> None:
        self.console.print(
            Text("Progression enregistrée. Reprenez quand vous voulez : tracesguide setup")
        )

    # -- questions -----------------------------------------------------------------

    def _ask(self, question: Question, step: Step) -> str | None:
        answers = self.state.answers
        if question.kind == "choice":
            value = self.prompter.choice(question, step, answers.get(question.key, ""))
            self._answer(question.key, value, step.id)
            return value
        if question.kind == "operator":
            choice = self.prompter.operator(step)
            if choice is None:
                return None
            self._answer("operator_name", choice.name, step.id)
            self._answer("operator_traces_number", choice.traces_number, step.id)
            return choice.traces_number
        if question.kind == "phone":
            return self._ask_phone(question, step)
        if question.kind == "email":
            return self._ask_email(question, step)
        value = self.prompter.value(question, step, validate.name, answers.get(question.key, ""))
        self._answer(question.key, value, step.id)
        return value

    def _ask_email(self, question: Question, step: Step) -> str:
        default = self.state.answers.get(question.key, "")
        while True:
            value = self.prompter.value(
                question, step, lambda v: validate.email(v).address, default
            )
            warning = validate.email(value).warning
            if not warning or self.prompter.keep_email_anyway(value, warning):
                self._answer(question.key, value, step.id)
                return value
            default = ""

    def _ask_phone(self, question: Question, step: Step) -> str:
        default = secrets.read_phone() or ""

        def check(value: str) -> str:
            return validate.phone(value).international

        number = validate.phone(self.prompter.value(question, step, check, default))
        if not secrets.store_phone(number.e164) and not self._keyring_warned:
            self._keyring_warned = True
            self.console.print(
                Text(
                    "Aucun trousseau (keyring) utilisable sur cette machine : le numéro complet "
                    "n'est pas conservé, seule sa forme masquée l'est.",
                    style="yellow",
                )
            )
        self._answer("phone_masked", number.masked, step.id)
        return number.masked

    # -- the message to the control body -------------------------------------------

    def _control_body_message(self) -> None:
        answers = self.state.answers
        subject = personalise(self.content.messages["control_body_subject"], answers)
        body = personalise(self.content.messages["control_body_message"], answers)
        target = self.path.parent / MESSAGE_FILE
        text = f"Objet : {subject}\n\n{body}\n"
        _write_private(target, text)
        self.console.print(
            Panel(Text(text), title="Message pour Certipaq BIO", border_style="cyan")
        )
        self.console.print(Text(f"Ce message est aussi enregistré dans : {target}", style="dim"))


def _write_private(target: Path, text: str) -> None:
    from tracesguide.files import write_atomic

    state_module.ensure_folder(target.parent)
    write_atomic(target, [text.encode("utf-8")])
