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
from typing import Any

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


def _validate(doc: dict[str, Any], path: Path) -> State:
    from tracesguide.i18n import t

    def bad(where: str, expected: str) -> StateError:
        return unusable(path, t("state.expected", where=where, expected=expected))

    # ``where`` names the value in a message; ``field``, when given, is its key in the
    # table ``where`` (joined only for a message: thousands of values are checked).
    def text(value: Any, where: str, limit: int = MAX_TEXT, field: str = "") -> str:
        if type(value) is str and len(value) <= limit:
            return value
        where = f"{where}.{field}" if field else where
        if not isinstance(value, str):
            raise bad(where, t("state.a_text"))
        if len(value) > limit:
            raise unusable(path, t("state.text_too_long", where=where, limit=limit))
        return value

    def moment(value: Any, where: str, field: str = "") -> datetime:
        if type(value) is datetime and value.tzinfo is not None and 1 < value.year < 9999:
            return value  # fits in UTC whatever its offset
        where = f"{where}.{field}" if field else where
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
    for step_id, entry in table(doc.get("steps", {}), "steps").items():
        if not _STEP_ID.match(step_id):
            raise unusable(path, t("state.bad_step_id", step=shorten(step_id)))
        where = f"steps.{step_id}"
        entry = table(entry, where)
        if not entry.keys() <= _STEP_KEYS:
            raise unusable(path, t("state.unknown_key_in", where=where))
        status = entry.get("status")
        if status not in STEP_STATUSES:
            raise bad(f"{where}.status", t("state.one_of", names=", ".join(STEP_STATUSES)))
        steps[step_id] = StepRecord(
            status,
            moment(entry.get("at"), where, "at"),
            text(entry.get("reason", ""), where, MAX_TEXT, "reason"),
        )

    events: list[Event] = []
    raw_events = doc.get("events", [])
    if not isinstance(raw_events, list):
        raise bad("events", t("state.an_event_list"))
    for i, entry in enumerate(raw_events):
        where = f"events[{i}]"
        entry = table(entry, where)
        if not entry.keys() <= _EVENT_KEYS:
            raise unusable(path, t("state.unknown_key_in", where=where))
        kind = entry.get("kind")
        if kind not in EVENT_KINDS:
            raise bad(f"{where}.kind", t("state.an_event_kind"))
        events.append(
            Event(
                moment(entry.get("at"), where, "at"),
                kind,
                text(entry.get("step", ""), where, MAX_STEP_ID, "step"),
                text(entry.get("detail", ""), where, MAX_TEXT, "detail"),
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
