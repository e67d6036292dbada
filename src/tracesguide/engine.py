"""The engine: pure functions from (content, state) to where the user stands.

No I/O, no prompts, no printing, no clock: times are passed in. No sentence either:
the engine gives codes (``NOT_APPLICABLE``), the drivers render them. Everything the
drivers show (the next step, what is done, blocked or missing, the milestones)
comes from ``progress()``.
"""

from collections.abc import Callable, Hashable, Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from tracesguide.content import USER_ACTOR, Content, Stage, Step
from tracesguide.content.placeholders import control_body
from tracesguide.state import State, StepRecord

TO_DO, DONE, SKIPPED, BLOCKED = "todo", "done", "skipped", "blocked"
IN_PROGRESS = "in-progress"
# Reason codes the engine gives (drivers render them through the message catalog); the
# other reasons are texts from the content (a choice that blocks or ends) or the state.
NOT_APPLICABLE = "not-applicable"
# The detail the wizard records with "later" when the user's company is not listed.
OPERATOR_NOT_FOUND = "operator-not-found"


class StepStatus(NamedTuple):
    step: Step
    status: str
    reason: str = ""
    pending: bool = False  # its condition depends on a question not yet answered


class StageStatus(NamedTuple):
    stage: Stage
    status: str  # todo, in-progress, done, blocked, skipped
    reason: str = ""


class Progress(NamedTuple):
    steps: tuple[StepStatus, ...]
    stages: tuple[StageStatus, ...]
    next_step: Step | None
    milestones: dict[str, bool]
    complete: bool
    ended: str  # why the guide ends here (a role it does not cover), else ""
    blocked: tuple[tuple[str, str], ...]  # (step id, reason) for each blocked step

    def status_of(self, step_id: str) -> StepStatus:
        return next(s for s in self.steps if s.step.id == step_id)


def applies(step: Step, answers: Mapping[str, str]) -> bool | None:
    """True if the step applies, False if an answer rules it out, None if not known yet."""
    known = True
    for key, value in step.when:
        answer = answers.get(key)
        if answer is None:
            known = False
        elif answer != value:
            return False
    return True if known else None


def answer_effect(step: Step, answers: Mapping[str, str]) -> tuple[str, str]:
    """('blocks'|'ends', text) if an answer given at *step* blocks or ends the guide."""
    for question in step.ask:
        choice = question.choice(answers.get(question.key, ""))
        if choice is not None and choice.blocks:
            return "blocks", choice.blocks
        if choice is not None and choice.ends:
            return "ends", choice.ends
    return "", ""


def implied_answers(
    content: Content, answers: Mapping[str, str], records: Mapping[str, StepRecord]
) -> dict[str, str]:
    """The answers a state file lacks but its records imply: a step went through whose
    ``when`` requires ``key = value``, for a key not answered. That is a file written
    before the content asked that question (the user could only be on that path); a key
    the records disagree on is left out."""
    found: dict[str, set[str]] = {}
    for step in content.steps:
        if step.when and step.id in records:
            for key, value in step.when:
                if key not in answers:
                    found.setdefault(key, set()).add(value)
    return {key: next(iter(values)) for key, values in found.items() if len(values) == 1}


def known_answers(content: Content, state: State) -> dict[str, str]:
    """The state's answers, with those its records imply (``implied_answers``)."""
    return {**implied_answers(content, state.answers, state.steps), **state.answers}


def step_statuses(
    content: Content, answers: Mapping[str, str], records: Mapping[str, StepRecord]
) -> tuple[tuple[StepStatus, ...], str]:
    """Each step's status, and the explanation if the guide has ended. A step not
    recorded whose every question has an implied answer (asked by a later version of
    the content than the one the user went through) counts as done."""
    statuses: list[StepStatus] = []
    add = statuses.append
    ended = ""
    implied = implied_answers(content, answers, records)
    if implied:
        answers = {**implied, **answers}
    for step in content.steps:
        if ended:
            add(StepStatus(step, SKIPPED, ended))
            continue
        if (
            implied
            and step.id not in records
            and step.ask
            and all(question.key in implied for question in step.ask)
        ):
            add(StepStatus(step, DONE))
            continue
        applicable = applies(step, answers) if step.when else True
        if applicable is False:
            add(StepStatus(step, SKIPPED, NOT_APPLICABLE))
            continue
        effect, text = answer_effect(step, answers) if step.ask else ("", "")
        if effect == "blocks":
            add(StepStatus(step, BLOCKED, text))
            continue
        record = records.get(step.id)
        if record is not None:
            add(StepStatus(step, record.status, record.reason))
        else:
            add(StepStatus(step, TO_DO, pending=applicable is None))
        if effect == "ends" and record is not None and record.status == DONE:
            ended = text
    return tuple(statuses), ended


def _stage_status(stage: Stage, steps: list[StepStatus], ended_at: str = "") -> StageStatus:
    """A stage's status: blocked if one of its steps is (or ends the guide); done only
    when every step is done, skipped or not applicable (never both done and blocked)."""
    ending = None
    started = remaining = False
    skipped = True
    for s in steps:
        status = s.status
        if status == BLOCKED:
            return StageStatus(stage, BLOCKED, s.reason)
        if ended_at and s.step.id == ended_at and ending is None:
            ending = s
        if status != SKIPPED:
            skipped = False
            if status == DONE:
                started = True
            elif status == TO_DO:
                remaining = True
    if ending is not None:
        return StageStatus(stage, BLOCKED, ending.reason)
    if skipped:
        return StageStatus(stage, SKIPPED, steps[0].reason if steps else "")
    if started and not remaining:
        return StageStatus(stage, DONE)
    if started:
        return StageStatus(stage, IN_PROGRESS)
    return StageStatus(stage, TO_DO)


def progress(content: Content, state: State | None) -> Progress:
    """Where the user stands: every status, the next step, milestones, completeness.

    Each step's status is looked at once (``check`` calls this for thousands of files).
    """
    answers = state.answers if state else {}
    records = state.steps if state else {}
    statuses, ended = step_statuses(content, answers, records)
    ended_at = ""
    if ended:
        ended_at = next(s.step.id for s in statuses if answer_effect(s.step, answers)[0] == "ends")
    by_stage: dict[str, list[StepStatus]] = {stage.id: [] for stage in content.stages}
    milestones = dict.fromkeys(content.milestones, False)
    next_step = None
    blocked: list[tuple[str, str]] = []
    for s in statuses:
        step, status = s.step, s.status
        by_stage[step.stage].append(s)
        if status == DONE:
            if step.milestone in milestones:
                milestones[step.milestone] = True
        elif status == BLOCKED:
            blocked.append((step.id, s.reason))
            if next_step is None and not ended:
                next_step = step
        elif status == TO_DO and next_step is None and not ended and not s.pending:
            next_step = step
    stages = tuple(_stage_status(stage, by_stage[stage.id], ended_at) for stage in content.stages)
    if ended:
        blocked.append((ended_at, ended))
    return Progress(
        steps=statuses,
        stages=stages,
        next_step=next_step,
        milestones=milestones,
        complete=all(milestones.values()),
        ended=ended,
        blocked=tuple(blocked),
    )


def progress_key(content: Content) -> Callable[[State], Hashable]:
    """A function giving a state a key such that states with equal keys have equal
    ``progress``: the answers progress reads (those the steps' conditions name, and those
    whose choice blocks or ends the guide, else None) and each step record's status and
    reason. Names, dates and the event log are not in it. ``check`` uses it to work out
    the progress of thousands of files once per distinct position.
    """
    conditions = tuple(sorted({key for step in content.steps for key, _ in step.when}))
    effects = tuple(
        (question.key, frozenset(c.value for c in question.choices if c.blocks or c.ends))
        for step in content.steps
        for question in step.ask
        if any(c.blocks or c.ends for c in question.choices)
    )

    def key(state: State) -> Hashable:
        answers = state.answers
        return (
            tuple(answers.get(name) for name in conditions),
            tuple(
                value if (value := answers.get(name)) in values else None
                for name, values in effects
            ),
            tuple((step, r.status, r.reason) for step, r in state.steps.items()),
        )

    return key


def _assumed(content: Content, answers: Mapping[str, str]) -> dict[str, str]:
    """The answers, with the recommended choice of each question not answered yet."""
    assumed = dict(answers)
    for other in content.steps:
        for question in other.ask:
            recommended = next((c.value for c in question.choices if c.recommended), None)
            if recommended is not None and question.key not in assumed:
                assumed[question.key] = recommended
    return assumed


def position(content: Content, answers: Mapping[str, str], step: Step) -> tuple[int, int]:
    """(n, total): where *step* stands among the steps that apply to the user's answers.

    A condition on a question not answered yet counts its recommended choice, so the
    total is the one the user will most likely see.
    """
    assumed = _assumed(content, answers)
    path = [s for s in content.steps if applies(s, assumed) is not False or s.id == step.id]
    return path.index(step) + 1, len(path)


def numbered_steps(content: Content, answers: Mapping[str, str]) -> list[Step]:
    """The steps as the screens number them (« Étape 12 sur 27 »): number n is item n-1."""
    assumed = _assumed(content, answers)
    return [s for s in content.steps if applies(s, assumed) is not False]


def dependents(content: Content, key: str) -> tuple[str, ...]:
    """The steps to open again when the answer *key* changes: those whose ``when`` or
    ``depends_on`` (declared in the content) names it."""
    return tuple(
        s.id for s in content.steps if key in s.depends_on or any(k == key for k, _ in s.when)
    )


def asking_step(
    content: Content, key: str, answers: Mapping[str, str] | None = None
) -> Step | None:
    """The step that asks the question *key*: when steps on paths that exclude each other
    ask it, the one that applies to *answers* (else the first)."""
    askers = [s for s in content.steps if any(q.key == key for q in s.ask)]
    if answers is not None:
        applying = next((s for s in askers if applies(s, answers) is not False), None)
        if applying is not None:
            return applying
    return askers[0] if askers else None


def previous_step(content: Content, state: State, step: Step) -> Step | None:
    """The step before *step* that the user went through (recorded, still applying)."""
    index = content.steps.index(step)
    earlier = [
        s
        for s in content.steps[:index]
        if s.id in state.steps and applies(s, state.answers) is not False
    ]
    return earlier[-1] if earlier else None


def expired_timer(content: Content, state: State, step: Step, now: datetime) -> str:
    """The timer message if *step*'s delay (e.g. the 90-minute link) has run out, else ''."""
    timer = step.timer
    if timer is None:
        return ""
    started = state.steps.get(timer.after)
    if started is None or started.status != DONE:
        return ""
    if now - started.at > timedelta(minutes=timer.minutes):
        return timer.message
    return ""


def minutes_since(state: State, step_id: str, now: datetime) -> int | None:
    """Whole minutes since *step_id* was done, or None if it was not."""
    record = state.steps.get(step_id)
    if record is None or record.status != DONE:
        return None
    return int((now - record.at).total_seconds() // 60)


def closest_ids(content: Content, wanted: str, limit: int = 3) -> list[str]:
    """The step ids nearest to a mistyped one, for 'did you mean' messages."""
    import difflib

    ids = [s.id for s in content.steps]
    close = difflib.get_close_matches(wanted, ids, n=limit, cutoff=0.4)
    if not close:
        close = [i for i in ids if wanted and (wanted in i or i.endswith(wanted))][:limit]
    return close


# --- The situation: one picture of where the user stands, drawn by every view ---------

# Who must act now. The steps declare one of the content's ACTORS; a troubleshooting
# desk stands for one of them (its ``acts``: oneself is the user) or acts itself (the
# EU Login support, the TRACES NT helpdesk).
USER = USER_ACTOR
# Blocker codes: an answer that blocks, a company not listed, a problem reported.
BLOCKED_ANSWER, BLOCKED_PROBLEM = "answer", "problem"
# Next action codes: do the step, wait for someone else, ask a desk about a problem.
DO_STEP, WAIT, CONTACT_DESK = "do-step", "wait", "contact-desk"
# What ends the wait on a problem: the user moves on (a step done or skipped), or says
# it is solved.
_MOVES_ON = frozenset({DONE, SKIPPED, "solved"})


class Blocker(NamedTuple):
    code: str  # BLOCKED_ANSWER, OPERATOR_NOT_FOUND, BLOCKED_PROBLEM
    step: str


class LastProblem(NamedTuple):
    id: str  # the troubleshooting entry (or the step's problem) id
    step: str
    desk: str  # the desk that can act on it ("" if the content names none)
    at: datetime


class NextAction(NamedTuple):
    code: str  # DO_STEP, WAIT, CONTACT_DESK
    step: str


class Situation(NamedTuple):
    """Where the user stands, computed once from (content, state, now): codes and dates.

    Immutable; every view (the wizard's resume screen and end summary, ``status``,
    ``replay``, ``check``, ``edit``'s listing) draws it and none works it out again.
    """

    progress: Progress
    stage: str  # the current step's stage id ("" when there is none)
    step: str  # the current step's id ("" when complete or ended)
    number: int  # the step's place among the steps that apply (0 when none)
    total: int
    actor: str  # who must act now: user, control-body, organisation-admin, a desk id
    blocked: Blocker | None
    last_problem: LastProblem | None  # the last problem reported, still current
    waiting_since: datetime | None  # while a request is really pending
    waiting_days: int | None
    milestones: tuple[tuple[str, datetime], ...]  # reached, in the content's order
    ended: str  # the step whose answer ends the guide (a role it does not cover)
    next_action: NextAction | None  # never set when ``ended`` is
    control_body: str = ""  # the control body's name (the certificate's, else the default)

    @property
    def complete(self) -> bool:
        return self.progress.complete


def desk_actor(content: Content, desk: str) -> str:
    """The actor code of a troubleshooting desk (the user when there is none)."""
    if not desk:
        return USER
    found = next((d for d in content.desks if d.id == desk), None)
    return found.acts if found is not None and found.acts else desk


def last_problem(content: Content, state: State | None) -> LastProblem | None:
    """The last problem reported, if the user has neither moved on nor said it is solved."""
    if state is None:
        return None
    found: LastProblem | None = None
    for event in state.events:
        if event.kind == "problem":
            entry = next((e for e in content.troubleshooting if e.id == event.detail), None)
            desk = entry.desks[0] if entry is not None and entry.desks else ""
            found = LastProblem(event.detail, event.step, desk, event.at)
        elif event.kind in _MOVES_ON:
            found = None
    return found


def _later_detail(state: State | None, step_id: str) -> str:
    """The detail of the last "later" at *step_id*, if nothing was done there since."""
    if state is None:
        return ""
    detail = ""
    for event in state.events:
        if event.step != step_id:
            continue
        if event.kind == "later":
            detail = event.detail
        elif event.kind in (DONE, SKIPPED, "answer"):
            detail = ""
    return detail


def _moved_past(content: Content, records: Mapping[str, StepRecord], step: Step) -> bool:
    """True if *step* or a step after it is done: no request at *step* is pending."""
    later = content.steps[content.steps.index(step) :]
    return any((r := records.get(s.id)) is not None and r.status == DONE for s in later)


def _request_time(
    content: Content, records: Mapping[str, StepRecord], step: Step
) -> datetime | None:
    """When the request *step* waits on was made: the last milestone reached before it
    (the authorisation request), else the step just before it, if done."""
    earlier = content.steps[: content.steps.index(step)]
    done = [s for s in earlier if (r := records.get(s.id)) is not None and r.status == DONE]
    request = next((s for s in reversed(done) if s.milestone), done[-1] if done else None)
    return records[request.id].at if request is not None else None


def situation(
    content: Content, state: State | None, now: datetime, known: Progress | None = None
) -> Situation:
    """The one picture of where the user stands (pure: *now* is passed in).

    *known*: the state's ``progress`` if already worked out (``check`` shares it between
    files at the same position).
    """
    report = progress(content, state) if known is None else known
    answers = state.answers if state else {}
    records = state.steps if state else {}
    step = report.next_step
    number, total = position(content, answers, step) if step is not None else (0, 0)
    problem = last_problem(content, state)
    ended = ""
    if report.ended:
        ended = next(
            (s.step.id for s in report.steps if answer_effect(s.step, answers)[0] == "ends"), ""
        )
    blocker: Blocker | None = None
    if step is not None and report.status_of(step.id).status == BLOCKED:
        blocker = Blocker(BLOCKED_ANSWER, step.id)
    elif step is not None and _later_detail(state, step.id) == OPERATOR_NOT_FOUND:
        blocker = Blocker(OPERATOR_NOT_FOUND, step.id)
    elif problem is not None and problem.desk and desk_actor(content, problem.desk) != USER:
        blocker = Blocker(BLOCKED_PROBLEM, problem.step)
    actor = USER
    if problem is not None and problem.desk:
        actor = desk_actor(content, problem.desk)
    elif step is not None:
        actor = step.actor
    waiting_since: datetime | None = None
    if step is not None and step.actor != USER and not _moved_past(content, records, step):
        waiting_since = _request_time(content, records, step)
    waiting_days = (now.date() - waiting_since.date()).days if waiting_since else None
    reached = tuple(
        (s.milestone, records[s.id].at)
        for s in content.steps
        if s.milestone and s.id in records and report.status_of(s.id).status == DONE
    )
    seen: set[str] = set()
    milestones = tuple(m for m in reached if not (m[0] in seen or seen.add(m[0])))  # type: ignore[func-returns-value]
    next_action: NextAction | None = None
    if not ended and step is not None:
        if actor == USER:
            next_action = NextAction(DO_STEP, step.id)
        elif problem is not None and problem.desk:
            next_action = NextAction(CONTACT_DESK, problem.step)
        else:
            next_action = NextAction(WAIT, step.id)
    return Situation(
        progress=report,
        stage=step.stage if step is not None else "",
        step=step.id if step is not None else "",
        number=number,
        total=total,
        actor=actor,
        blocked=blocker,
        last_problem=problem,
        waiting_since=waiting_since,
        waiting_days=waiting_days,
        milestones=milestones,
        ended=ended,
        next_action=next_action,
        control_body=control_body(content, answers),
    )
