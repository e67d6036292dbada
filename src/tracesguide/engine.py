"""The engine: pure functions from (content, state) to where the user stands.

No I/O, no prompts, no printing, no clock: times are passed in. No sentence either:
the engine gives codes (``NOT_APPLICABLE``), the drivers render them. Everything the
drivers show (the next step, what is done, blocked or missing, the milestones)
comes from ``progress()``.
"""

from collections.abc import Mapping
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
    ended = ""
    for step in content.steps:
        record = records.get(step.id)
        if ended:
            statuses.append(StepStatus(step, SKIPPED, ended))
            continue
        applicable = applies(step, answers)
        if applicable is False:
            statuses.append(StepStatus(step, SKIPPED, NOT_APPLICABLE))
            continue
        effect, text = answer_effect(step, answers)
        if effect == "blocks":
            statuses.append(StepStatus(step, BLOCKED, text))
            continue
        if record is not None:
            statuses.append(StepStatus(step, record.status, record.reason))
        else:
            statuses.append(StepStatus(step, TO_DO, pending=applicable is None))
        if effect == "ends" and record is not None and record.status == DONE:
            ended = text
    return tuple(statuses), ended


def _stage_status(stage: Stage, steps: list[StepStatus]) -> StageStatus:
    if any(s.status == BLOCKED for s in steps):
        reason = next(s.reason for s in steps if s.status == BLOCKED)
        return StageStatus(stage, BLOCKED, reason)
    if all(s.status == SKIPPED for s in steps):
        return StageStatus(stage, SKIPPED, steps[0].reason if steps else "")
    remaining = [s for s in steps if s.status == TO_DO and not s.step.optional]
    started = any(s.status == DONE for s in steps)
    if started and not remaining:
        return StageStatus(stage, DONE)
    if started:
        return StageStatus(stage, IN_PROGRESS)
    return StageStatus(stage, TO_DO)


def progress(content: Content, state: State | None) -> Progress:
    """Where the user stands: every status, the next step, milestones, completeness."""
    answers = state.answers if state else {}
    records = state.steps if state else {}
    statuses, ended = step_statuses(content, answers, records)
    stages = tuple(
        _stage_status(stage, [s for s in statuses if s.step.stage == stage.id])
        for stage in content.stages
    )
    next_step = None
    if not ended:
        next_step = next(
            (s.step for s in statuses if s.status in (TO_DO, BLOCKED) and not s.pending), None
        )
    milestones = {
        name: any(s.status == DONE and s.step.milestone == name for s in statuses)
        for name in MILESTONES
    }
    blocked = tuple((s.step.id, s.reason) for s in statuses if s.status == BLOCKED)
    if ended:
        role_step = next(s for s in statuses if answer_effect(s.step, answers)[0] == "ends")
        blocked = (*blocked, (role_step.step.id, ended))
    return Progress(
        steps=statuses,
        stages=stages,
        next_step=next_step,
        milestones=milestones,
        complete=all(milestones.values()),
        ended=ended,
        blocked=blocked,
    )


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
