"""The state's model: a user's progress as plain data, and the rules for changing it.

Pure: no file is read or written here. The engine imports this module and nothing
else of the state package; ``schema`` turns a parsed document into a ``State``,
``store`` reads and writes the file.

The limits below are the one set both sides use: ``State.answer`` and
``State.record`` refuse what ``schema`` would refuse on read, so that whatever the
tool writes, it reads back.
"""

from datetime import UTC, datetime
from typing import Any, NamedTuple

from tracesguide import __version__
from tracesguide.system.errors import TooLong

__all__ = [
    "EVENT_KINDS",
    "FORBIDDEN_ANSWERS",
    "MAX_ANSWER",
    "MAX_BYTES",
    "MAX_STEP_ID",
    "MAX_TEXT",
    "SCHEMA_VERSION",
    "STEP_STATUSES",
    "Event",
    "State",
    "StepRecord",
]

SCHEMA_VERSION = 1
MAX_BYTES = 2 * 1024 * 1024  # a real state file is a few kB; 2 MiB holds ~10 000 events
STEP_STATUSES = ("done", "skipped", "blocked")
EVENT_KINDS = (
    "shown",
    "done",
    "skipped",
    "blocked",
    "problem",
    "note",
    "answer",
    "later",
    "back",
    "edit",
    "reopened",
    "solved",  # the user says the problem reported at the step is solved
    "search",  # what the user typed in the directory at the operator step (bounded)
)
# Events that open a step again (its status is removed): "back" (the user went back to
# it), "reopened" (an answer it depends on was changed).
REOPENING = ("back", "reopened")
MAX_TEXT = 4000  # a step's reason, an event's detail
MAX_ANSWER = 500  # one answer's value
MAX_STEP_ID = 128
# Answers that would be secrets: refused on read and on write.
FORBIDDEN_ANSWERS = frozenset({"phone", "password", "otp", "code", "pin"})


def too_long(where: str, limit: int) -> TooLong:
    """The error for a value the state file could not read back (refused on write)."""
    from tracesguide.i18n import t

    return TooLong(
        t("state.value_too_long", where=where, limit=limit), t("state.value_too_long_hint")
    )


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class StepRecord(NamedTuple):
    status: str
    at: datetime
    reason: str = ""


class Event(NamedTuple):
    at: datetime
    kind: str
    step: str = ""
    detail: str = ""


class State:
    """A user's progress: answers, step statuses keyed by id, the event log.

    A plain class rather than a dataclass: importing and building dataclasses costs
    the reading commands about a millisecond of start-up, and they are budgeted.
    """

    __slots__ = (
        "answers",
        "created",
        "events",
        "language",
        "schema_version",
        "steps",
        "tool_version",
        "updated",
    )

    def __init__(
        self,
        created: datetime,
        updated: datetime,
        language: str = "fr",
        tool_version: str = __version__,
        schema_version: int = SCHEMA_VERSION,
        answers: dict[str, str] | None = None,
        steps: dict[str, StepRecord] | None = None,
        events: list[Event] | None = None,
    ) -> None:
        self.created = created
        self.updated = updated
        self.language = language
        self.tool_version = tool_version
        self.schema_version = schema_version
        self.answers: dict[str, str] = answers if answers is not None else {}
        self.steps: dict[str, StepRecord] = steps if steps is not None else {}
        self.events: list[Event] = events if events is not None else []

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        return (
            f"State(created={self.created!r}, updated={self.updated!r}, "
            f"answers={len(self.answers)}, steps={len(self.steps)}, events={len(self.events)})"
        )

    @classmethod
    def new(cls, language: str = "fr", now: datetime | None = None) -> "State":
        moment = now or utc_now()
        return cls(created=moment, updated=moment, language=language)

    def record(
        self,
        kind: str,
        step: str = "",
        detail: str = "",
        now: datetime | None = None,
    ) -> None:
        """Append an event; for done/skipped/blocked, set the step's status too."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        if len(step) > MAX_STEP_ID:
            raise ValueError(f"step id longer than {MAX_STEP_ID} characters")
        if len(detail) > MAX_TEXT:
            raise too_long(step or kind, MAX_TEXT)
        moment = now or utc_now()
        self.events.append(Event(at=moment, kind=kind, step=step, detail=detail))
        if kind in STEP_STATUSES and step:
            self.steps[step] = StepRecord(status=kind, at=moment, reason=detail)
        self.updated = moment

    def reopen(
        self, step: str, kind: str = "reopened", detail: str = "", now: datetime | None = None
    ) -> None:
        """Open a step again: its status goes, an event says why (``back``, ``reopened``)."""
        if kind not in REOPENING:
            raise ValueError(f"not a reopening event kind {kind!r}")
        self.steps.pop(step, None)
        self.record(kind, step, detail, now=now)

    def answer(self, key: str, value: str, step: str = "", now: datetime | None = None) -> None:
        if key in FORBIDDEN_ANSWERS:
            raise ValueError(f"{key!r} is a secret and is never stored in the state file")
        if len(value) > MAX_ANSWER:  # the reader's bound: what is written is read back
            raise too_long(key, MAX_ANSWER)
        self.answers[key] = value
        self.record("answer", step=step, detail=key, now=now)

    def to_toml_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool_version": self.tool_version,
            "created": self.created,
            "updated": self.updated,
            "language": self.language,
            "answers": dict(sorted(self.answers.items())),
            "steps": {
                step_id: {"status": r.status, "at": r.at, "reason": r.reason}
                if r.reason
                else {"status": r.status, "at": r.at}
                for step_id, r in self.steps.items()
            },
            "events": [
                {
                    k: v
                    for k, v in (
                        ("at", e.at),
                        ("kind", e.kind),
                        ("step", e.step),
                        ("detail", e.detail),
                    )
                    if v != ""
                }
                for e in self.events
            ],
        }
