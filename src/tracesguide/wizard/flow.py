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

from tracesguide.content import (
    CHOICE_KIND,
    DIRECTORY_DOWNLOAD,
    EMAIL_KIND,
    OPERATOR_KIND,
    PHONE_KIND,
    Choice,
    Content,
    Message,
    Question,
    Step,
)
from tracesguide.content.placeholders import fill
from tracesguide.engine import (
    OPERATOR_NOT_FOUND,
    answer_effect,
    applies,
    asking_step,
    dependents,
    expired_timer,
    known_answers,
    previous_step,
    progress,
    situation,
)
from tracesguide.i18n import t
from tracesguide.reports.setup import (
    AlreadyFirst,
    Blocked,
    Ending,
    Finished,
    MessagePrepared,
    NoKeyring,
    NotFound,
    Notice,
    Outcome,
    PageShown,
    Preparing,
    ProblemHelp,
    Recap,
    SavedForLater,
    Started,
    StepScreen,
    TimerExpired,
    Warned,
)
from tracesguide.state import State, validate
from tracesguide.state import store as state_module
from tracesguide.system import secrets

DONE_, LATER, PROBLEM, SKIP, BACK = "done", "later", "problem", "skip", "back"
PAGE = "page"
OTHER_PROBLEM = "other"
MAX_FREE_TEXT = 200

# The queries typed in the directory at the operator step, kept for support: each one
# bounded, the last few of the step (a search is typed again and again when nothing fits).
MAX_QUERY = 200
MAX_SEARCHES = 20


class GoBack(Exception):
    """The user chose « ← Étape précédente » at a question: the flow goes back one step."""


def answered(question: Question, answers: dict[str, str]) -> bool:
    """Whether *question* has an answer in the state (what it stores, e.g. the phone's
    masked form: declared in the content)."""
    return question.answered(answers)


def message_path(state_path: Path, message: Message) -> Path:
    """Where a step's first message is saved (``state.store.message_path``)."""
    return state_module.message_path(state_path, message.file)


@dataclass(frozen=True)
class OperatorChoice:
    name: str
    traces_number: str
    origin: str = "typed"  # "search": picked in the directory; "typed": as TRACES NT shows it
    control_body: str = ""  # the control body the certificate names ("" when none says)


class Prompter(Protocol):
    """Where answers come from: a person at a terminal, or an answers file.

    A prompter with navigation offers « ← Étape précédente » at each question and
    raises ``GoBack`` when it is chosen. ``offers_defaults``: whether a question's default
    is shown (an answers file shows none, so the keyring is not read for one).
    """

    offers_defaults: bool

    def confirm_end(self, question: Question, choice: Choice) -> bool: ...

    def offer_switch(self, question: Question, current: str) -> bool: ...

    def stops_here(self, step: Step) -> bool: ...

    def offer(self, offer: str) -> None:
        """Run what the question offers before it is asked (``content.OFFERS``)."""

    def pause(self) -> None:
        """Wait until the person has read the screen (Enter); nothing for a file."""

    def value(
        self, question: Question, step: Step, check: Callable[[str], str], default: str
    ) -> str: ...

    def choice(self, question: Question, step: Step, default: str) -> str: ...

    def keep_email_anyway(self, address: str, warning: str) -> bool: ...

    def operator(self, step: Step, searched: Callable[[str], None]) -> OperatorChoice | None:
        """The operator step; each query typed in the directory goes to *searched*."""
        ...

    def outcome(self, step: Step, options: list[tuple[str, str]]) -> str: ...

    def problem(self, step: Step, options: list[tuple[str, str]]) -> str: ...

    def note(self, step: Step, check: Callable[[str], str]) -> str:
        """After « Autre problème »: a short note for support (may be empty)."""
        ...


class Presenter(Protocol):
    """Draws what the flow says (``views.presenters``: one per mode)."""

    def show(self, notice: Notice) -> None: ...


class Flow:
    def __init__(
        self,
        content: Content,
        state: State,
        path: Path,
        prompter: Prompter,
        presenter: Presenter,
        clock: Callable[[], datetime] | None = None,
        save_each_answer: bool = True,
    ) -> None:
        self.content = content
        self.state = state
        self.path = path
        self.prompter = prompter
        self.presenter = presenter
        self.show = presenter.show
        self.clock = clock or (lambda: datetime.now(UTC).replace(microsecond=0))
        self._keyring_warned = False
        # A person's answers are saved one by one (a closed terminal loses nothing); an
        # answers file's run is saved once per step, and on any stop (``run``'s finally).
        self._save_each_answer = save_each_answer
        self._unsaved = False
        self._revisit = ""  # a step the user went back to: its questions are asked again
        self._failed = ""  # a choice that just failed (a method): not preselected again

    # -- persistence ---------------------------------------------------------------

    def save(self) -> None:
        state_module.save(self.state, self.path)
        self._unsaved = False

    def _changed(self) -> None:
        self._unsaved = True
        if self._save_each_answer:
            self.save()

    def flush(self) -> None:
        """Save what is not saved yet (an answers file's run saves once per step)."""
        if self._unsaved:
            self.save()

    def _record(self, kind: str, step: str = "", detail: str = "") -> None:
        self.state.record(kind, step, detail, now=self.clock())
        self._changed()

    def _searched(self, step: str, query: str) -> None:
        """A query typed in the directory, as a ``search`` event (support sees what was
        looked for): at most MAX_QUERY characters, the last MAX_SEARCHES of the step."""
        query = query.strip()[:MAX_QUERY]
        if not query:
            return
        events = self.state.events
        mine = [i for i, e in enumerate(events) if e.kind == "search" and e.step == step]
        if len(mine) >= MAX_SEARCHES:
            del events[mine[0]]
        self.state.record("search", step, query, now=self.clock())
        self._changed()

    def _answer(self, key: str, value: str, step: str) -> None:
        self.state.answer(key, value, step=step, now=self.clock())
        self._changed()

    # -- the run -------------------------------------------------------------------

    def run(self) -> Outcome:
        try:
            return self._run()
        finally:
            self.flush()  # whatever stopped the run (an error, Ctrl-C), nothing is lost

    def _outcome_now(self, ending: Ending) -> Outcome:
        return Outcome(ending, self.state, situation(self.content, self.state, self.clock()))

    def _run(self) -> Outcome:
        self._start()
        while True:
            report = progress(self.content, self.state)
            if report.complete or report.ended or report.next_step is None:
                done = Ending.COMPLETE if report.complete else Ending.LATER
                outcome = self._outcome_now(Ending.ENDED if report.ended else done)
                self.show(Finished(outcome, self.path, tuple(self._message_files())))
                return outcome
            step = report.next_step
            try:
                stopped = self._step(step)
            except GoBack:
                self._go_back(step)
                continue
            self.flush()
            if stopped is not None:
                return self._outcome_now(stopped)

    def _go_back(self, step: Step) -> None:
        previous = previous_step(self.content, self.state, step)
        if previous is None:
            self.show(AlreadyFirst())
            return
        self.state.reopen(previous.id, "back", step.id, now=self.clock())
        self._changed()
        self._revisit = previous.id

    def _step(self, step: Step) -> Ending | None:
        """One step: its questions, its screen, its outcome. None when the run goes on."""
        timer = expired_timer(self.content, self.state, step, self.clock())
        if timer:
            self.show(TimerExpired(timer))
        revisit, self._revisit = self._revisit == step.id, ""
        for question in step.ask:
            if question.before and (revisit or not answered(question, self.state.answers)):
                self._ask(question, step)
        self.show(StepScreen(step, dict(self.state.answers)))
        self._record("shown", step.id)
        if step.message is not None:
            self._prepare_message(step.message)
        asked_after = [q for q in step.ask if not q.before]
        if asked_after and self.prompter.stops_here(step):
            return self._later(step)
        for question in asked_after:
            chosen = self._ask(question, step)
            if chosen is None:  # the operator was not found
                self.show(NotFound(question))
                return self._later(step, OPERATOR_NOT_FOUND)
            refused = self._refusal(question, chosen)
            if refused:  # its certificate cannot back the request: say why, and who acts
                self._record("blocked", step.id, refused)
                self.show(Blocked(step, refused, self.path))
                return Ending.BLOCKED
        if asked_after:  # the answer is the outcome of the step
            effect, reason = answer_effect(step, self.state.answers)
            if effect == "blocks":
                self._record("blocked", step.id, reason)
                self.show(Blocked(step, reason, self.path))
                return Ending.BLOCKED
            self._record("done", step.id)
            return None
        return self._outcome(step)

    def _refusal(self, question: Question, number: str) -> str:
        """Why the operator chosen cannot request the authorisation ("" if it can, or if
        no real directory says): its certificate's verdict, as ``operators certificate``
        gives it. A certificate about to expire is said, and does not stop the step."""
        if question.kind != OPERATOR_KIND or not number:
            return ""
        from tracesguide.operators import load_default_directory
        from tracesguide.operators.certificate import REFUSED, check_certificates, verdict_text

        directory = load_default_directory()
        if directory.source.kind == "sample":  # a demonstration: no verdict from it
            return ""
        check = check_certificates(directory, number, self.clock().date())
        if check.verdict in REFUSED:
            return verdict_text(check)
        if check.verdict == "expires_soon":
            self.show(Warned(verdict_text(check)))
        return ""

    def _later(self, step: Step, detail: str = "") -> Ending:
        self._record("later", step.id, detail)
        self.show(SavedForLater(self.path))
        return Ending.LATER

    def _outcome(self, step: Step) -> Ending | None:
        done = step.done or t("wizard.outcome_done")  # « J'ai lu » where nothing is to do
        options = [(DONE_, done), (LATER, t("wizard.outcome_later"))]
        options.append((PROBLEM, t("wizard.outcome_problem")))
        if step.optional:
            options.append((SKIP, t("wizard.outcome_skip")))
        options.append((PAGE, t("wizard.outcome_page")))
        options.append((BACK, t("wizard.back")))
        while True:
            self.show(Recap(step, dict(self.state.answers)))
            outcome = self.prompter.outcome(step, options)
            if outcome == DONE_:
                self._record("done", step.id)
                return None
            if outcome == SKIP:
                self._record("skipped", step.id)
                return None
            if outcome == LATER:
                return self._later(step)
            if outcome == BACK:
                raise GoBack
            if outcome == PAGE:
                self.show(PageShown(step, dict(self.state.answers)))
                continue
            if self._problem(step):
                return None  # the user switched method: the run goes on from there

    def _problem(self, step: Step) -> bool:
        """Ask which problem, show its checks; True if the user then switched method."""
        options = [(p.id, p.label) for p in step.problems]
        options.append((OTHER_PROBLEM, t("wizard.other_problem")))
        chosen = self.prompter.problem(step, options)
        self._record("problem", step.id, chosen)
        problem = next((p for p in step.problems if p.id == chosen), None)
        self.show(ProblemHelp(problem, dict(self.state.answers)))
        if chosen == OTHER_PROBLEM:  # what happens, in the user's words, for support
            note = self.prompter.note(step, _note)
            if note:
                self._record("note", step.id, note)
        key = self.content.stage(step.stage).offer_change
        question = self.content.question(key) if key else None
        if question is None or key not in self.state.answers:
            return False
        current = question.choice(self.state.answers[key])
        if not self.prompter.offer_switch(question, current.label if current else ""):
            return False
        self._failed = self.state.answers[key]  # the switch preselects another method
        try:
            reopened = self.change(key)
        finally:
            self._failed = ""
        return reopened is not None

    def _start(self) -> None:
        """The welcome; on a resume while a request is pending, the reminders to send."""
        now = self.clock()
        seen = situation(self.content, self.state, now)
        sent = [
            s.message
            for s in self.content.steps
            if s.message is not None and message_path(self.path, s.message).exists()
        ]
        reminders = [m for m in sent if seen.waiting_since is not None]
        files = tuple(state_module.message_path(self.path, m.file, now.date()) for m in reminders)
        first = not self.state.steps
        self.show(Started(seen, self.state, self.path, now, first, files))
        for message in reminders:  # a new dated file: the first message stays as sent
            self._prepare_message(message, reminder=True)
        self.prompter.pause()  # each of these screens is read before the steps go on
        if first:
            self.show(Preparing())
            self.prompter.pause()

    def _message_files(self) -> list[Path]:
        """The messages saved beside the state file: first ones and reminders."""
        return [
            found
            for s in self.content.steps
            if s.message is not None
            for found in state_module.message_files(self.path, s.message.file)
        ]

    # -- changing an answer (edit, or a switch after a problem) --------------------

    def editable(self) -> list[Question]:
        """The questions that have an answer, in the order of the procedure."""
        answers = known_answers(self.content, self.state)
        questions: dict[str, Question] = {}  # a key asked on two paths is listed once
        for step in self.content.steps:
            for question in step.ask:
                if answered(question, answers) and (
                    question.key not in questions or applies(step, answers) is not False
                ):
                    questions[question.key] = question
        return list(questions.values())

    def change(self, key: str) -> tuple[str, ...] | None:
        """Ask *key* again with the same checks; open again the steps that depend on it
        (declared in the content). Returns the steps opened again that apply to the new
        answers (to be done again), None if unchanged."""
        step = asking_step(self.content, key, known_answers(self.content, self.state))
        question = next((q for q in step.ask if q.key == key), None) if step else None
        if step is None or question is None:
            return None
        if self._ask(question, step) is None:  # the company was not found: nothing changed
            return None
        self._record("edit", step.id, key)
        now = self.clock()
        reopened = tuple(s for s in dependents(self.content, key) if s in self.state.steps)
        for step_id in reopened:
            self.state.reopen(step_id, "reopened", key, now=now)
        answers = self.state.answers  # those the new answer rules out are not to be done again
        reopened = tuple(s for s in reopened if applies(self.content.step(s), answers) is not False)
        if not question.before and step.id in self.state.steps:
            effect, reason = answer_effect(step, self.state.answers)
            refused = self._refusal(question, self.state.answers.get(question.stores[0][1], ""))
            if refused:
                effect, reason = "blocks", refused
            self.state.record("blocked" if effect == "blocks" else "done", step.id, reason, now)
        self.save()
        return reopened

    # -- questions -----------------------------------------------------------------

    def _ask(self, question: Question, step: Step) -> str | None:
        answers = self.state.answers
        self.show(Recap(step, dict(answers)))
        for offer in question.offers:
            if offer != DIRECTORY_DOWNLOAD:  # offered inside the operator search
                self.prompter.offer(offer)
        if question.kind == CHOICE_KIND:
            value = self._ask_choice(question, step)
            self._answer(question.stored(), value, step.id)
            return value
        if question.kind == OPERATOR_KIND:
            choice = self.prompter.operator(step, lambda query: self._searched(step.id, query))
            if choice is None:
                return None
            self._answer(question.stored("name"), choice.name, step.id)
            self._answer(question.stored("number"), choice.traces_number, step.id)
            self._answer(question.stored("origin"), choice.origin, step.id)
            self._control_body(question, choice, step)
            return choice.traces_number
        if question.kind == PHONE_KIND:
            return self._ask_phone(question, step)
        if question.kind == EMAIL_KIND:
            return self._ask_email(question, step)
        check = _free_text if question.optional else validate.name
        value = self.prompter.value(question, step, check, answers.get(question.stored(), ""))
        self._answer(question.stored(), value, step.id)
        return value

    def _control_body(self, question: Question, choice: OperatorChoice, step: Step) -> None:
        """Keep the control body the certificate names, saying so when it is not the one
        the user named before (an earlier answer, ``edit``, an answers file)."""
        from tracesguide.operators.control_bodies import same

        if not choice.control_body:
            return
        named = self.state.answers.get(question.stored("body"), "")
        if named and not same(named, choice.control_body):
            self.show(
                Warned(t("agencebio.body_differs", certificate=choice.control_body, named=named))
            )
        self._answer(question.stored("body"), choice.control_body, step.id)

    def _ask_choice(self, question: Question, step: Step) -> str:
        while True:
            default = self.state.answers.get(question.stored(), "")
            if default and default == self._failed:  # after a switch: another method first
                others = [c for c in question.choices if c.value != default and not c.ends]
                best = next((c for c in others if c.recommended), others[0] if others else None)
                default = best.value if best else default
            value = self.prompter.choice(question, step, default)
            chosen = question.choice(value)
            if chosen is None or not chosen.ends or self.prompter.confirm_end(question, chosen):
                return value

    def _ask_email(self, question: Question, step: Step) -> str:
        default = self.state.answers.get(question.stored(), "")
        while True:
            value = self.prompter.value(
                question, step, lambda v: validate.email(v).address, default
            )
            warning = validate.email(value).warning
            if not warning or self.prompter.keep_email_anyway(value, warning):
                self._answer(question.stored(), value, step.id)
                return value
            default = ""

    def _ask_phone(self, question: Question, step: Step) -> str:
        # the keyring is opened only for a number to show or one given
        default = (secrets.read_phone() or "") if self.prompter.offers_defaults else ""

        def check(value: str) -> str:
            if question.optional and not value.strip():
                return ""  # no number: the step is shown with the placeholder
            return validate.phone(value).international

        given = self.prompter.value(question, step, check, default)
        if not given:
            self._answer(question.stored("masked"), "", step.id)
            return ""
        number = validate.phone(given)
        if not secrets.store_phone(number.e164) and not self._keyring_warned:
            self._keyring_warned = True
            self.show(NoKeyring())
        self._answer(question.stored("masked"), number.masked, step.id)
        return number.masked

    # -- a message the step prepares (declared in the content) ----------------------

    def _prepare_message(self, message: Message, reminder: bool = False) -> None:
        answers = self.state.answers
        subject = fill(self.content, message.subject, answers)
        if reminder:
            subject = t("wizard.reminder_subject", subject=subject)
        body = fill(self.content, message.body, answers)
        day = self.clock().date() if reminder else None
        target = state_module.message_path(self.path, message.file, day)
        if message.to:
            to = fill(self.content, message.to, answers)
            text = t("wizard.message_text_to", to=to, subject=subject, body=body)
        else:
            text = t("wizard.message_text", subject=subject, body=body)
        state_module.write_message(target, text)
        self.show(MessagePrepared(message, text, target))


def _note(value: str) -> str:
    """A note for support: free words on one line, bounded, visible characters only."""
    cleaned = _free_text(value)
    return validate.stored_text(cleaned) if cleaned else ""


def _free_text(value: str) -> str:
    """An optional answer of any words (a contact): one line, bounded; may be empty."""
    cleaned = " ".join(value.split())
    if len(cleaned) > MAX_FREE_TEXT:
        raise validate.Invalid(t("wizard.too_long", limit=MAX_FREE_TEXT))
    return cleaned
