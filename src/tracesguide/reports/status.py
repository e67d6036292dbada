"""Shared by the reading commands: open the state, build the status report.

Nothing here prints; ``status_report`` returns plain data that the CLI shows
as text or JSON (and that ``check`` reuses per file).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from tracesguide.content import Content, Step
from tracesguide.engine import Situation, closest_ids, numbered_steps, situation
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.system.errors import TracesguideError
from tracesguide.system.paths import resolve_state_path


def open_state(option: Path | None) -> tuple[Path, State | None]:
    """The state path and its state; None when nothing is saved at the default path.

    A file named with ``--state`` or ``TRACESGUIDE_STATE`` must exist.
    """
    path, explicit = resolve_state_path(option)
    try:
        absent = not path.exists() and not path.is_symlink()
    except OSError:  # a name too long, a loop: the reader below says why
        absent = False
    if not explicit and absent:
        return path, None
    state = state_module.load(path)
    from tracesguide.i18n import follow

    follow(state.language)
    return path, state


def require_step(content: Content, step_id: str, answers: Mapping[str, str] | None = None) -> Step:
    """The step with that id (any case: EU-LOGIN.FORM is eu-login.form to a person), or the
    number a screen shows (« Étape 3 sur 27 »: ``3``, counted on the user's *answers*),
    or an error that names the closest ids."""
    for candidate in (step_id, step_id.strip().lower()):
        if content.has_step(candidate):
            return content.step(candidate)
    from tracesguide.i18n import t
    from tracesguide.system.errors import shorten

    if step_id.strip().isdigit():
        numbered = numbered_steps(content, answers or {})
        number = int(step_id.strip())
        if 1 <= number <= len(numbered):
            return numbered[number - 1]
        raise TracesguideError(
            t("session.no_step_number", number=shorten(step_id.strip()), total=len(numbered)),
            t("session.steps_hint"),
        )

    close = closest_ids(content, step_id.strip().lower())
    hint = t("session.did_you_mean", ids=", ".join(close)) if close else t("session.steps_hint")
    raise TracesguideError(t("session.unknown_step", step=shorten(step_id)), hint)


# The version of the JSON records of ``status --json`` and ``check --json``: a script
# can refuse a format it does not know (docs/scripting.md).
JSON_FORMAT = 1


class SituationFields(NamedTuple):
    """The situation's codes and dates that every record for scripts carries."""

    actor: str
    blocker: tuple[str, str] | None  # (code, step)
    last_problem: tuple[str, str, datetime] | None  # (entry id, desk, at)
    waiting_days: int | None
    ended: str  # the step whose answer ends the guide, else ""
    control_body: str = ""  # the user's control body (in the JSON: control_body_name)

    @classmethod
    def of(cls, seen: Situation) -> SituationFields:
        problem = seen.last_problem
        return cls(
            actor=seen.actor,
            blocker=(seen.blocked.code, seen.blocked.step) if seen.blocked else None,
            last_problem=(problem.id, problem.desk, problem.at) if problem else None,
            waiting_days=seen.waiting_days,
            ended=seen.ended,
            control_body=seen.control_body,
        )

    def as_json(self) -> dict[str, Any]:
        """The fields of docs/scripting.md: codes and ISO 8601 dates."""
        problem = self.last_problem
        return {
            "format": JSON_FORMAT,
            "actor": self.actor,
            "blocked": {"code": self.blocker[0], "step": self.blocker[1]} if self.blocker else None,
            "last_problem": {"id": problem[0], "desk": problem[1], "at": problem[2].isoformat()}
            if problem
            else None,
            "waiting_days": self.waiting_days,
            "ended": self.ended or None,
            # the name behind the actor and desk « control-body » (Certipaq BIO unless
            # the user's certificate names another)
            "control_body_name": self.control_body or None,
        }


class StageRecord(NamedTuple):
    id: str
    title: str
    status: str  # todo, in-progress, done, blocked, skipped
    reason: str


class StatusReport(NamedTuple):
    """Where the user stands, typed: what ``status`` shows and ``status --json`` gives."""

    state_path: str
    started: bool
    situation: Situation
    complete: bool
    next_step: str | None
    next_step_title: str | None
    milestones: dict[str, bool]
    stages: tuple[StageRecord, ...]
    blocked: tuple[tuple[str, str], ...]  # (step id, reason)
    next_action: NextActionRecord | None
    ended: str | None
    updated: datetime | None
    messages: tuple[str, ...] = ()  # the messages prepared beside the state file

    def as_json(self) -> dict[str, Any]:
        """The object of docs/scripting.md."""
        return {
            **SituationFields.of(self.situation).as_json(),
            "state_path": self.state_path,
            "started": self.started,
            "complete": self.complete,
            "next_step": self.next_step,
            "next_step_title": self.next_step_title,
            "milestones": self.milestones,
            "stages": [s._asdict() for s in self.stages],
            "blocked_steps": [{"step": step, "reason": reason} for step, reason in self.blocked],
            "next_action": _json_or_none(self.next_action),
            "ended_reason": self.ended,
            "updated": self.updated.isoformat() if self.updated else None,
            "messages": list(self.messages),
        }


def status_report(
    content: Content, path: Path, state: State | None, now: datetime | None = None
) -> StatusReport:
    """Where the user stands (documented in docs/scripting.md)."""
    from tracesguide.state.model import utc_now

    seen = situation(content, state, now or utc_now())
    report = seen.progress
    return StatusReport(
        state_path=str(path),
        started=state is not None,
        situation=seen,
        complete=report.complete,
        next_step=report.next_step.id if report.next_step else None,
        next_step_title=report.next_step.title if report.next_step else None,
        milestones=report.milestones,
        stages=tuple(
            StageRecord(s.stage.id, s.stage.title, s.status, s.reason) for s in report.stages
        ),
        blocked=report.blocked,
        next_action=None if report.ended else next_action(content, report.next_step),
        ended=report.ended or None,
        updated=state.updated if state else None,
        messages=tuple(
            str(found)
            for step in content.steps
            if step.message is not None and state is not None
            for found in state_module.message_files(path, step.message.file)
        ),
    )


def _json_or_none(action: NextActionRecord | None) -> dict[str, Any] | None:
    return action.as_json() if action is not None else None


class NextActionRecord(NamedTuple):
    """What must happen next, for scripts: the step, its action in one line (a text of the
    content), its page's button and address, and who acts at that step."""

    step: str
    action: str
    button: str | None
    url: str | None
    actor: str  # user, control-body, organisation-admin

    def as_json(self) -> dict[str, Any]:
        return self._asdict()


def next_action(content: Content, step: Step | None) -> NextActionRecord | None:
    """What must happen next at *step* (None when there is no next step)."""
    if step is None:
        return None
    return NextActionRecord(
        step=step.id,
        action=step.title,
        button=step.action or None,
        url=step.screen.url or None,
        actor=step.actor,
    )
