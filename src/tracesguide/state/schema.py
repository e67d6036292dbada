"""The state file's schema: what a parsed document must hold, migrations, newer files.

``from_document`` turns the parsed TOML of a state file into a ``State``, or raises
the one ``StateError`` naming what is wrong; a file from a newer schema is refused
with a hint to upgrade, an older one is migrated in memory (the file is untouched).
Every key is documented in ``docs/state-file.md``.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeGuard

from tracesguide.state.model import (
    EVENT_KINDS,
    FORBIDDEN_ANSWERS,
    MAX_ANSWER,
    MAX_STEP_ID,
    MAX_TEXT,
    SCHEMA_VERSION,
    STEP_STATUSES,
    Event,
    State,
    StepRecord,
)
from tracesguide.system.errors import StateError, shorten

_TOP_KEYS = {
    "schema_version",
    "tool_version",
    "created",
    "updated",
    "language",
    "answers",
    "steps",
    "events",
}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# A step id: lowercase letters, digits, dots and hyphens, at most MAX_STEP_ID characters.
STEP_ID_FORM = f"[a-z0-9][a-z0-9.-]{{0,{MAX_STEP_ID - 1}}}"
_STEP_ID = re.compile(f"^{STEP_ID_FORM}$")
_STEP_KEYS = frozenset({"status", "at", "reason"})
_EVENT_KEYS = frozenset({"at", "kind", "step", "detail"})

# Migrations: MIGRATIONS[n] turns a schema-n document into a schema-(n+1) one.
# Schema 1 is the first published schema, so none is registered yet; the chain
# runs whenever a file's schema_version is below SCHEMA_VERSION.
Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}


def unusable(path: Path, why: str, hint: str | None = None) -> StateError:
    """The one error of a state file that cannot be used (the file is never changed)."""
    from tracesguide.i18n import t

    if hint is None:
        from tracesguide.system.hints import command

        hint = t("state.unusable_hint", command=command("setup", path))
    return StateError(t("state.unusable", path=path, why=why), hint)


def unusable_prefix(path: Path) -> str:
    """What every ``unusable`` message of *path* starts with (the table shows the rest)."""
    from tracesguide.i18n import t

    return t("state.unusable", path=path, why="")


def from_document(document: dict[str, Any], path: Path) -> State:
    from tracesguide.i18n import t

    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise unusable(path, t("state.no_schema_version"))
    if version > SCHEMA_VERSION:
        raise StateError(
            t("state.newer_schema", path=path, version=version, known=SCHEMA_VERSION),
            t("state.newer_schema_hint"),
        )
    if version < 1:
        raise unusable(path, t("state.bad_schema_version", version=version))
    while version < SCHEMA_VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise unusable(path, t("state.no_migration", version=version))
        document = migrate(dict(document))
        version += 1
        document["schema_version"] = version
    return _validate(document, path)


# The common case, checked fast (a state file holds up to thousands of events): when
# these hold, the value is right; otherwise the full checks in ``_validate`` say what.
def _plain(at: Any) -> TypeGuard[datetime]:
    """A moment with its offset, far enough from years 1 and 9999 to fit in UTC."""
    return type(at) is datetime and at.tzinfo is not None and 1 < at.year < 9999


def _fits(value: Any, limit: int) -> bool:
    return type(value) is str and len(value) <= limit


def _validate(doc: dict[str, Any], path: Path) -> State:
    from tracesguide.i18n import t

    def bad(where: str, expected: str) -> StateError:
        return unusable(path, t("state.expected", where=where, expected=expected))

    def text(value: Any, where: str, limit: int = MAX_TEXT) -> str:
        if not isinstance(value, str):
            raise bad(where, t("state.a_text"))
        if len(value) > limit:
            raise unusable(path, t("state.text_too_long", where=where, limit=limit))
        return value

    def moment(value: Any, where: str) -> datetime:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise bad(where, t("state.a_moment"))
        try:  # an extreme offset (9999-12-31T23:59:59-23:59) does not fit in UTC
            value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise unusable(path, t("state.moment_out_of_range", where=where)) from None
        return value

    def table(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise bad(where, t("state.a_table"))
        return value

    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise unusable(path, t("state.unknown_key", key=shorten(sorted(unknown)[0])))
    for key in ("tool_version", "created", "updated", "language"):
        if key not in doc:
            raise unusable(path, t("state.missing_key", key=key))
    from tracesguide.content import LANGUAGES

    language = text(doc["language"], "language", 16)
    if language not in LANGUAGES:
        raise unusable(path, t("state.unknown_language", language=language))

    answers: dict[str, str] = {}
    for key, value in table(doc.get("answers", {}), "answers").items():
        if not _KEY.match(key):
            raise unusable(path, t("state.bad_answer_key", key=shorten(key)))
        if key in FORBIDDEN_ANSWERS:
            raise unusable(path, t("state.secret_answer", key=key))
        answers[key] = text(value, f"answers.{key}", MAX_ANSWER)

    steps: dict[str, StepRecord] = {}
    for step_id, raw in table(doc.get("steps", {}), "steps").items():
        if not _STEP_ID.match(step_id):
            raise unusable(path, t("state.bad_step_id", step=shorten(step_id)))
        if type(raw) is dict and raw.keys() <= _STEP_KEYS:  # the common case, checked fast
            status, at, reason = raw.get("status"), raw.get("at"), raw.get("reason", "")
            if status in STEP_STATUSES and _plain(at) and _fits(reason, MAX_TEXT):
                steps[step_id] = StepRecord(status, at, reason)
                continue
        # Something is wrong (or unusual): the checks below say what.
        entry = table(raw, f"steps.{step_id}")
        if set(entry) - {"status", "at", "reason"}:
            raise unusable(path, t("state.unknown_key_in", where=f"steps.{step_id}"))
        status = entry.get("status")
        if status not in STEP_STATUSES:
            raise bad(f"steps.{step_id}.status", t("state.one_of", names=", ".join(STEP_STATUSES)))
        steps[step_id] = StepRecord(
            status=status,
            at=moment(entry.get("at"), f"steps.{step_id}.at"),
            reason=text(entry.get("reason", ""), f"steps.{step_id}.reason"),
        )

    events: list[Event] = []
    raw_events = doc.get("events", [])
    if not isinstance(raw_events, list):
        raise bad("events", t("state.an_event_list"))
    for i, raw in enumerate(raw_events):
        if type(raw) is dict and raw.keys() <= _EVENT_KEYS:  # the common case, checked fast
            at, kind = raw.get("at"), raw.get("kind")
            step, detail = raw.get("step", ""), raw.get("detail", "")
            if (
                kind in EVENT_KINDS
                and _plain(at)
                and _fits(step, MAX_STEP_ID)
                and _fits(detail, MAX_TEXT)
            ):
                events.append(Event(at, kind, step, detail))
                continue
        # Something is wrong (or unusual): the checks below say what.
        entry = table(raw, f"events[{i}]")
        if set(entry) - {"at", "kind", "step", "detail"}:
            raise unusable(path, t("state.unknown_key_in", where=f"events[{i}]"))
        kind = entry.get("kind")
        if kind not in EVENT_KINDS:
            raise bad(f"events[{i}].kind", t("state.an_event_kind"))
        events.append(
            Event(
                at=moment(entry.get("at"), f"events[{i}].at"),
                kind=kind,
                step=text(entry.get("step", ""), f"events[{i}].step", MAX_STEP_ID),
                detail=text(entry.get("detail", ""), f"events[{i}].detail"),
            )
        )

    return State(
        schema_version=doc["schema_version"],
        tool_version=text(doc["tool_version"], "tool_version", 64),
        created=moment(doc["created"], "created"),
        updated=moment(doc["updated"], "updated"),
        language=language,
        answers=answers,
        steps=steps,
        events=events,
    )
