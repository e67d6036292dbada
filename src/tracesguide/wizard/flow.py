"""The setup flow: the engine says what comes next, a prompter gets the answers.

The flow is thin: it asks the engine for the next step, asks the prompter, records
the answer and saves. It names no step: what happens at a step (a question asked
before the screen, a choice that blocks or ends the guide, the operator search, a
timer, a message to prepare) is declared in the content (``docs/content.md``); every
sentence comes from the catalog (``i18n.t``) or the content, drawn by ``render``.

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
from rich.text import Text

from tracesguide.content import Choice, Content, Message, Question, Step
from tracesguide.engine import (
    OPERATOR_NOT_FOUND,
    answer_effect,
    asking_step,
    dependents,
    expired_timer,
    previous_step,
    progress,
)
from tracesguide.i18n import t
from tracesguide.state import State, validate
from tracesguide.state import store as state_module
from tracesguide.system import secrets
from tracesguide.system.hints import command
from tracesguide.system.sanitize import inert
from tracesguide.views.render import (
    message_panel,
    personalise,
    problem_panel,
    say_line,
    step_view,
    welcome,
)
from tracesguide.views.screens import preparation, recap, summary, waiting

DONE_, LATER, PROBLEM, SKIP, BACK = "done", "later", "problem", "skip", "back"
OTHER_PROBLEM = "other"
MAX_FREE_TEXT = 200


class GoBack(Exception):
    """The user chose « ← Étape précédente » at a question: the flow goes back one step."""


def answered(question: Question, answers: dict[str, str]) -> bool:
    """Whether *question* has an answer in the state (the phone: its masked form)."""
    keys = {"phone": "phone_masked", "operator": "operator_traces_number"}
    return keys.get(question.kind, question.key) in answers


def message_path(state_path: Path, message: Message) -> Path:
    """Where a step's message is saved: beside the state file, named after it, so that
    two users' messages in one folder never overwrite each other."""
    return state_path.parent / f"{state_path.stem}-{message.file}"


@dataclass(frozen=True)
class OperatorChoice:
    name: str
    traces_number: str
    origin: str = "typed"  # "search": picked in the directory; "typed": as TRACES NT shows it


class Prompter(Protocol):
    """Where answers come from: a person at a terminal, or an answers file.

    A prompter with navigation offers « ← Étape précédente » at each question and
    raises ``GoBack`` when it is chosen.
    """

    def present(self, step: Step, view: RenderableType) -> None: ...

    def remind(self, text: RenderableType) -> None: ...

    def confirm_end(self, question: Question, choice: Choice) -> bool: ...

    def offer_switch(self, question: Question, current: str) -> bool: ...

    def stops_here(self, step: Step) -> bool: ...

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
        self._revisit = ""  # a step the user went back to: its questions are asked again

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
        self.console.print(welcome(self.content, self.state, self.path))
        if not self.state.steps:
            self.console.print(preparation(self.content))
        else:
            self._say_waiting()
        while True:
            report = progress(self.content, self.state)
            if report.complete:
                self.console.print(Text(t("status.complete"), style="bold green"))
                self.console.print(summary(self.content, self.state, self._message_files()))
                return Result("complete", self.state)
            if report.ended:
                self.console.print(Text(report.ended, style="yellow"))
                self.console.print(Text(t("status.ended_role")))
                say_line(
                    self.console, t("wizard.ended_edit", command=command("edit role", self.path))
                )
                return Result("ended", self.state)
            step = report.next_step
            if step is None:  # nothing left that applies, yet not complete: say where
                where = command("status", self.path)
                say_line(self.console, t("wizard.nothing_to_offer", command=where))
                return Result("later", self.state)
            try:
                how = self._step(step)
            except GoBack:
                self._go_back(step)
                continue
            if how in ("later", "blocked"):
                return Result(how, self.state)

    def _go_back(self, step: Step) -> None:
        previous = previous_step(self.content, self.state, step)
        if previous is None:
            self.console.print(Text(t("wizard.first_step"), style="yellow"))
            return
        self.state.reopen(previous.id, "back", step.id, now=self.clock())
        self.save()
        self._revisit = previous.id

    def _step(self, step: Step) -> str:
        timer = expired_timer(self.content, self.state, step, self.clock())
        if timer:
            self.console.print(Text("⏰ " + timer, style="bold yellow"))
        revisit, self._revisit = self._revisit == step.id, ""
        for question in step.ask:
            if question.before and (revisit or not answered(question, self.state.answers)):
                self._ask(question, step)
        self.prompter.present(step, step_view(self.content, step, self.state.answers))
        self._record("shown", step.id)
        if step.message is not None:
            self._prepare_message(step.message)
        asked_after = [q for q in step.ask if not q.before]
        if asked_after and self.prompter.stops_here(step):
            self._record("later", step.id)
            self._say_resume()
            return "later"
        for question in asked_after:
            chosen = self._ask(question, step)
            if chosen is None:  # the operator was not found
                self.console.print(Text(question.not_found))
                self._record("later", step.id, OPERATOR_NOT_FOUND)
                self._say_resume()
                return "later"
        if asked_after:  # the answer is the outcome of the step
            effect, reason = answer_effect(step, self.state.answers)
            if effect == "blocks":
                self._record("blocked", step.id, reason)
                self.console.print(Text("⏸ " + reason, style="bold yellow"))
                say_line(self.console, t("wizard.come_back", command=command("setup", self.path)))
                return "blocked"
            self._record("done", step.id)
            return "done"
        return self._outcome(step)

    def _outcome(self, step: Step) -> str:
        options = [(DONE_, t("wizard.outcome_done")), (LATER, t("wizard.outcome_later"))]
        options.append((PROBLEM, t("wizard.outcome_problem")))
        if step.optional:
            options.append((SKIP, t("wizard.outcome_skip")))
        options.append((BACK, t("wizard.back")))
        while True:
            self.prompter.remind(recap(self.content, step, self.state.answers))
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
            if outcome == BACK:
                raise GoBack
            if self._problem(step):
                return "switched"

    def _problem(self, step: Step) -> bool:
        """Ask which problem, show its checks; True if the user then switched method."""
        options = [(p.id, p.label) for p in step.problems]
        options.append((OTHER_PROBLEM, t("wizard.other_problem")))
        chosen = self.prompter.problem(step, options)
        self._record("problem", step.id, chosen)
        problem = next((p for p in step.problems if p.id == chosen), None)
        text = personalise(problem.help, self.state.answers) if problem else ""
        self.console.print(problem_panel(text or t("wizard.other_problem_help")))
        key = self.content.stage(step.stage).offer_change
        question = self.content.question(key) if key else None
        if question is None or key not in self.state.answers:
            return False
        current = question.choice(self.state.answers[key])
        if not self.prompter.offer_switch(question, current.label if current else ""):
            return False
        reopened = self.change(key)
        return reopened is not None

    def _say_resume(self) -> None:
        say_line(self.console, t("wizard.saved_resume", command=command("setup", self.path)))

    def _say_waiting(self) -> None:
        """On a resume while the control body validates: how long, and the reminder."""
        report = progress(self.content, self.state)
        if not report.milestones.get("authorisation-requested") or report.complete:
            return
        requested = next(
            (s for s in self.content.steps if s.milestone == "authorisation-requested"), None
        )
        record = self.state.steps.get(requested.id) if requested else None
        if record is None:
            return
        self.console.print(waiting(self.clock() - record.at, self._message_files()))
        for step in self.content.steps:
            if step.message is not None and message_path(self.path, step.message).exists():
                self._prepare_message(step.message, reminder=True)

    def _message_files(self) -> list[Path]:
        return [
            message_path(self.path, s.message)
            for s in self.content.steps
            if s.message is not None and message_path(self.path, s.message).exists()
        ]

    # -- changing an answer (edit, or a switch after a problem) --------------------

    def editable(self) -> list[Question]:
        """The questions that have an answer, in the order of the procedure."""
        answers = self.state.answers
        return [q for s in self.content.steps for q in s.ask if answered(q, answers)]

    def change(self, key: str) -> tuple[str, ...] | None:
        """Ask *key* again with the same checks; open again the steps that depend on it
        (declared in the content). Returns the steps opened again, None if unchanged."""
        step = asking_step(self.content, key)
        question = self.content.question(key)
        if step is None or question is None:
            return None
        if self._ask(question, step) is None:  # the company was not found: nothing changed
            return None
        self._record("edit", step.id, key)
        now = self.clock()
        reopened = tuple(s for s in dependents(self.content, key) if s in self.state.steps)
        for step_id in reopened:
            self.state.reopen(step_id, "reopened", key, now=now)
        if not question.before and step.id in self.state.steps:
            effect, reason = answer_effect(step, self.state.answers)
            self.state.record("blocked" if effect == "blocks" else "done", step.id, reason, now)
        self.save()
        return reopened

    # -- questions -----------------------------------------------------------------

    def _ask(self, question: Question, step: Step) -> str | None:
        answers = self.state.answers
        self.prompter.remind(recap(self.content, step, answers))
        if question.kind == "choice":
            value = self._ask_choice(question, step)
            self._answer(question.key, value, step.id)
            return value
        if question.kind == "operator":
            choice = self.prompter.operator(step)
            if choice is None:
                return None
            self._answer("operator_name", choice.name, step.id)
            self._answer("operator_traces_number", choice.traces_number, step.id)
            self._answer("operator_origin", choice.origin, step.id)
            return choice.traces_number
        if question.kind == "phone":
            return self._ask_phone(question, step)
        if question.kind == "email":
            return self._ask_email(question, step)
        check = _free_text if question.optional else validate.name
        value = self.prompter.value(question, step, check, answers.get(question.key, ""))
        self._answer(question.key, value, step.id)
        return value

    def _ask_choice(self, question: Question, step: Step) -> str:
        while True:
            value = self.prompter.choice(question, step, self.state.answers.get(question.key, ""))
            chosen = question.choice(value)
            if chosen is None or not chosen.ends or self.prompter.confirm_end(question, chosen):
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
            self.console.print(Text(t("wizard.no_keyring"), style="yellow"))
        self._answer("phone_masked", number.masked, step.id)
        return number.masked

    # -- a message the step prepares (declared in the content) ----------------------

    def _prepare_message(self, message: Message, reminder: bool = False) -> None:
        answers = self.state.answers
        subject = personalise(message.subject, answers)
        if reminder:
            subject = t("wizard.reminder_subject", subject=subject)
        body = personalise(message.body, answers)
        target = message_path(self.path, message)
        if message.to:
            to = personalise(message.to, answers)
            text = t("wizard.message_text_to", to=to, subject=subject, body=body)
        else:
            text = t("wizard.message_text", subject=subject, body=body)
        state_module.write_message(target, text)
        self.console.print(message_panel(message.title, text))
        shown = inert(t("wizard.message_saved", path=target), single_line=True)
        self.console.print(Text(shown, style="dim"))


def _free_text(value: str) -> str:
    """An optional answer of any words (a contact): one line, bounded; may be empty."""
    cleaned = " ".join(value.split())
    if len(cleaned) > MAX_FREE_TEXT:
        raise validate.Invalid(t("wizard.too_long", limit=MAX_FREE_TEXT))
    return cleaned
