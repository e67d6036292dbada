"""The state file's schema: what a parsed document must hold, migrations, newer files.

``from_document`` turns the parsed TOML of a state file into a ``State``, or raises
the one ``StateError`` naming what is wrong; a file from a newer schema is refused
with a hint to upgrade, an older one is migrated in memory (the file is untouched).
Every key is documented in ``docs/state-file.md``.
"""

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tracesguide.errors import StateError
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
_STEP_ID = re.compile(r"^[a-z0-9][a-z0-9.-]{0,127}$")
_STEP_KEYS = frozenset({"status", "at", "reason"})
_EVENT_KEYS = frozenset({"at", "kind", "step", "detail"})

# Migrations: MIGRATIONS[n] turns a schema-n document into a schema-(n+1) one.
# Schema 1 is the first published schema, so none is registered yet; the chain
# runs whenever a file's schema_version is below SCHEMA_VERSION.
Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}


def unusable(path: Path, why: str, hint: str | None = None) -> StateError:
    """The one error of a state file that cannot be used (the file is never changed)."""
    return StateError(
        f"fichier d'état {path} inutilisable : {why}",
        hint
        or (
            "Le fichier n'a pas été modifié. Corrigez-le, ou renommez-le et relancez "
            "« tracesguide setup » pour recommencer."
        ),
    )


def from_document(document: dict[str, Any], path: Path) -> State:
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise unusable(path, "« schema_version » manque ou n'est pas un entier")
    if version > SCHEMA_VERSION:
        raise StateError(
            f"fichier d'état {path} créé par une version plus récente de tracesguide "
            f"(schéma {version}, cette version lit le schéma {SCHEMA_VERSION})",
            "Mettez tracesguide à jour (pip install --upgrade tracesguide) ; "
            "le fichier n'a pas été modifié.",
        )
    if version < 1:
        raise unusable(path, f"schema_version {version} invalide")
    while version < SCHEMA_VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise unusable(path, f"aucune migration connue depuis le schéma {version}")
        document = migrate(dict(document))
        version += 1
        document["schema_version"] = version
    return _validate(document, path)


def _validate(doc: dict[str, Any], path: Path) -> State:
    def bad(where: str, expected: str) -> StateError:
        return unusable(path, f"« {where} » : {expected} attendu")

    def text(value: Any, where: str, limit: int = MAX_TEXT) -> str:
        if not isinstance(value, str):
            raise bad(where, "un texte")
        if len(value) > limit:
            raise unusable(path, f"« {where} » : texte trop long")
        return value

    def moment(value: Any, where: str) -> datetime:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise bad(where, "une date et heure avec fuseau (par ex. 2026-01-31T10:02:00Z)")
        return value

    def table(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise bad(where, "une table")
        return value

    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise unusable(path, f"clé inconnue « {sorted(unknown)[0]} »")
    for key in ("tool_version", "created", "updated", "language"):
        if key not in doc:
            raise unusable(path, f"la clé « {key} » manque")
    from tracesguide.content import LANGUAGES

    language = text(doc["language"], "language", 16)
    if language not in LANGUAGES:
        raise unusable(path, f"langue « {language} » inconnue")

    answers: dict[str, str] = {}
    for key, value in table(doc.get("answers", {}), "answers").items():
        if not _KEY.match(key):
            raise unusable(path, f"« answers » : nom de clé invalide « {key[:40]} »")
        if key in FORBIDDEN_ANSWERS:
            raise unusable(path, f"« answers.{key} » : ce secret ne doit pas être enregistré")
        answers[key] = text(value, f"answers.{key}", MAX_ANSWER)

    steps: dict[str, StepRecord] = {}
    for step_id, raw in table(doc.get("steps", {}), "steps").items():
        if not _STEP_ID.match(step_id):
            raise unusable(path, f"« steps » : identifiant d'étape invalide « {step_id[:40]} »")
        if type(raw) is dict and raw.keys() <= _STEP_KEYS:  # the common case, checked fast
            status, at, reason = raw.get("status"), raw.get("at"), raw.get("reason", "")
            if (
                status in STEP_STATUSES
                and type(at) is datetime
                and at.tzinfo is not None
                and type(reason) is str
                and len(reason) <= MAX_TEXT
            ):
                steps[step_id] = StepRecord(status, at, reason)
                continue
        # Something is wrong (or unusual): the checks below say what.
        entry = table(raw, f"steps.{step_id}")
        if set(entry) - {"status", "at", "reason"}:
            raise unusable(path, f"« steps.{step_id} » : clé inconnue")
        status = entry.get("status")
        if status not in STEP_STATUSES:
            raise bad(f"steps.{step_id}.status", " ou ".join(STEP_STATUSES))
        steps[step_id] = StepRecord(
            status=status,
            at=moment(entry.get("at"), f"steps.{step_id}.at"),
            reason=text(entry.get("reason", ""), f"steps.{step_id}.reason"),
        )

    events: list[Event] = []
    raw_events = doc.get("events", [])
    if not isinstance(raw_events, list):
        raise bad("events", "une liste de tables [[events]]")
    for i, raw in enumerate(raw_events):
        if type(raw) is dict and raw.keys() <= _EVENT_KEYS:  # the common case, checked fast
            at, kind = raw.get("at"), raw.get("kind")
            step, detail = raw.get("step", ""), raw.get("detail", "")
            if (
                kind in EVENT_KINDS
                and type(at) is datetime
                and at.tzinfo is not None
                and type(step) is str
                and len(step) <= MAX_STEP_ID
                and type(detail) is str
                and len(detail) <= MAX_TEXT
            ):
                events.append(Event(at, kind, step, detail))
                continue
        # Something is wrong (or unusual): the checks below say what.
        entry = table(raw, f"events[{i}]")
        if set(entry) - {"at", "kind", "step", "detail"}:
            raise unusable(path, f"« events[{i}] » : clé inconnue")
        kind = entry.get("kind")
        if kind not in EVENT_KINDS:
            raise bad(f"events[{i}].kind", "un type d'évènement connu")
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
