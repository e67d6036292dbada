"""The engine: pure functions from (content, state) to where the user stands.

No I/O, no prompts, no printing, no clock: times are passed in. No sentence either:
the engine gives codes (``NOT_APPLICABLE``), the drivers render them. Everything the
drivers show (the next step, what is done, blocked or missing, the milestones)
comes from ``progress()``.
"""

from collections.abc import Callable, Hashable, Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from tracesguide.content import MILESTONES, Content, Stage, Step
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


def step_statuses(
    content: Content, answers: Mapping[str, str], records: Mapping[str, StepRecord]
) -> tuple[tuple[StepStatus, ...], str]:
    """Each step's status, and the explanation if the guide has ended."""
    statuses: list[StepStatus] = []
    add = statuses.append
    ended = ""
    for step in content.steps:
        if ended:
            add(StepStatus(step, SKIPPED, ended))
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
    milestones = dict.fromkeys(MILESTONES, False)
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


def position(content: Content, answers: Mapping[str, str], step: Step) -> tuple[int, int]:
    """(n, total): where *step* stands among the steps that apply to the user's answers.

    A condition on a question not answered yet counts its recommended choice, so the
    total is the one the user will most likely see.
    """
    assumed = dict(answers)
    for other in content.steps:
        for question in other.ask:
            recommended = next((c.value for c in question.choices if c.recommended), None)
            if recommended is not None and question.key not in assumed:
                assumed[question.key] = recommended
    path = [s for s in content.steps if applies(s, assumed) is not False or s.id == step.id]
    return path.index(step) + 1, len(path)


def dependents(content: Content, key: str) -> tuple[str, ...]:
    """The steps to open again when the answer *key* changes: those whose ``when`` or
    ``depends_on`` (declared in the content) names it."""
    return tuple(
        s.id for s in content.steps if key in s.depends_on or any(k == key for k, _ in s.when)
    )


def asking_step(content: Content, key: str) -> Step | None:
    """The step that asks the question *key*."""
    return next((s for s in content.steps if any(q.key == key for q in s.ask)), None)


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
