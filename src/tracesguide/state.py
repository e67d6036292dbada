"""The state file: one TOML file, versioned, private, written atomically under a lock.

It holds where the user is (each step's status, keyed by step id), their
non-secret answers and an append-only event log for replay. It never holds a
password, a one-time code or a full phone number (only a masked form).

Reading checks everything before trusting anything: a file that is not a
regular file, too large, empty, not UTF-8, not TOML, of the wrong shape or from
a newer schema is a ``StateError`` (exit 2) and is left byte-for-byte as it was.
Every key is documented in ``docs/state-file.md``.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracesguide import __version__
from tracesguide.errors import StateError

SCHEMA_VERSION = 1
MAX_BYTES = 2 * 1024 * 1024  # a real state file is a few kB; 2 MiB holds ~10 000 events
STEP_STATUSES = ("done", "skipped", "blocked")
EVENT_KINDS = ("shown", "done", "skipped", "blocked", "problem", "note", "answer", "later")
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
_MAX_TEXT = 4000
# Answers that would be secrets: refused on read and on write.
FORBIDDEN_ANSWERS = frozenset({"phone", "password", "otp", "code", "pin"})

# Migrations: MIGRATIONS[n] turns a schema-n document into a schema-(n+1) one.
# Schema 1 is the first published schema, so none is registered yet; the chain
# runs whenever a file's schema_version is below SCHEMA_VERSION.
Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}

NEW_FILE_HINT = "Lancez « tracesguide setup » pour commencer."


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class StepRecord:
    status: str
    at: datetime
    reason: str = ""


@dataclass
class Event:
    at: datetime
    kind: str
    step: str = ""
    detail: str = ""


@dataclass
class State:
    created: datetime
    updated: datetime
    language: str = "fr"
    tool_version: str = __version__
    schema_version: int = SCHEMA_VERSION
    answers: dict[str, str] = field(default_factory=dict)
    steps: dict[str, StepRecord] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    @classmethod
    def new(cls, language: str = "fr", now: datetime | None = None) -> State:
        moment = now or _now()
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
        moment = now or _now()
        self.events.append(Event(at=moment, kind=kind, step=step, detail=detail))
        if kind in STEP_STATUSES and step:
            self.steps[step] = StepRecord(status=kind, at=moment, reason=detail)
        self.updated = moment

    def answer(self, key: str, value: str, step: str = "", now: datetime | None = None) -> None:
        if key in FORBIDDEN_ANSWERS:
            raise ValueError(f"{key!r} is a secret and is never stored in the state file")
        self.answers[key] = value
        self.record("answer", step=step, detail=key, now=now)

    def reopen(self, step: str, now: datetime | None = None) -> None:
        """Forget a step's status (it becomes 'to do' again), keeping the log."""
        self.steps.pop(step, None)
        self.updated = now or _now()

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


# --- reading -----------------------------------------------------------------


def _unusable(path: Path, why: str, hint: str | None = None) -> StateError:
    return StateError(
        f"fichier d'état {path} inutilisable : {why}",
        hint
        or (
            "Le fichier n'a pas été modifié. Corrigez-le, ou renommez-le et relancez "
            "« tracesguide setup » pour recommencer."
        ),
    )


def read_bytes(path: Path) -> bytes:
    """Read a state file's bytes, refusing anything but a regular file of sane size."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise StateError(f"fichier d'état introuvable : {path}", NEW_FILE_HINT) from None
    except OSError as error:
        raise _unusable(path, error.strerror or "illisible") from None
    if not stat.S_ISREG(info.st_mode):
        raise _unusable(path, "ce n'est pas un fichier ordinaire")
    if info.st_size > MAX_BYTES:
        raise _unusable(path, f"trop volumineux ({info.st_size} octets, maximum {MAX_BYTES})")
    try:
        # O_NONBLOCK: a file swapped for a FIFO after stat() must not hang us.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise _unusable(path, error.strerror or "illisible") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _unusable(path, "ce n'est pas un fichier ordinaire")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _unusable(path, f"trop volumineux (plus de {MAX_BYTES} octets)")
    return data


def parse_bytes(data: bytes, path: Path) -> State:
    """Decode, parse, migrate and validate a state file's bytes."""
    if not data.strip():
        raise _unusable(path, "le fichier est vide")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _unusable(path, f"pas en UTF-8 (octet {error.start})") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _unusable(path, f"TOML invalide ({error})") from None
    except RecursionError:
        raise _unusable(path, "TOML trop imbriqué") from None
    return from_document(document, path)


def load(path: Path) -> State:
    return parse_bytes(read_bytes(path), path)


def from_document(document: dict[str, Any], path: Path) -> State:
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _unusable(path, "« schema_version » manque ou n'est pas un entier")
    if version > SCHEMA_VERSION:
        raise StateError(
            f"fichier d'état {path} créé par une version plus récente de tracesguide "
            f"(schéma {version}, cette version lit le schéma {SCHEMA_VERSION})",
            "Mettez tracesguide à jour (pip install --upgrade tracesguide) ; "
            "le fichier n'a pas été modifié.",
        )
    if version < 1:
        raise _unusable(path, f"schema_version {version} invalide")
    while version < SCHEMA_VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise _unusable(path, f"aucune migration connue depuis le schéma {version}")
        document = migrate(dict(document))
        version += 1
        document["schema_version"] = version
    return _validate(document, path)


def _validate(doc: dict[str, Any], path: Path) -> State:
    def bad(where: str, expected: str) -> StateError:
        return _unusable(path, f"« {where} » : {expected} attendu")

    def text(value: Any, where: str, limit: int = _MAX_TEXT) -> str:
        if not isinstance(value, str):
            raise bad(where, "un texte")
        if len(value) > limit:
            raise _unusable(path, f"« {where} » : texte trop long")
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
        raise _unusable(path, f"clé inconnue « {sorted(unknown)[0]} »")
    for key in ("tool_version", "created", "updated", "language"):
        if key not in doc:
            raise _unusable(path, f"la clé « {key} » manque")
    from tracesguide.content import LANGUAGES

    language = text(doc["language"], "language", 16)
    if language not in LANGUAGES:
        raise _unusable(path, f"langue « {language} » inconnue")

    answers: dict[str, str] = {}
    for key, value in table(doc.get("answers", {}), "answers").items():
        if not _KEY.match(key):
            raise _unusable(path, f"« answers » : nom de clé invalide « {key[:40]} »")
        if key in FORBIDDEN_ANSWERS:
            raise _unusable(path, f"« answers.{key} » : ce secret ne doit pas être enregistré")
        answers[key] = text(value, f"answers.{key}", 500)

    steps: dict[str, StepRecord] = {}
    for step_id, raw in table(doc.get("steps", {}), "steps").items():
        if not _STEP_ID.match(step_id):
            raise _unusable(path, f"« steps » : identifiant d'étape invalide « {step_id[:40]} »")
        entry = table(raw, f"steps.{step_id}")
        if set(entry) - {"status", "at", "reason"}:
            raise _unusable(path, f"« steps.{step_id} » : clé inconnue")
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
        entry = table(raw, f"events[{i}]")
        if set(entry) - {"at", "kind", "step", "detail"}:
            raise _unusable(path, f"« events[{i}] » : clé inconnue")
        kind = entry.get("kind")
        if kind not in EVENT_KINDS:
            raise bad(f"events[{i}].kind", "un type d'évènement connu")
        events.append(
            Event(
                at=moment(entry.get("at"), f"events[{i}].at"),
                kind=kind,
                step=text(entry.get("step", ""), f"events[{i}].step", 128),
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


# --- writing -----------------------------------------------------------------


def dumps(state: State) -> bytes:
    import tomli_w

    for key in state.answers:
        if key in FORBIDDEN_ANSWERS:
            raise ValueError(f"{key!r} must never be written to the state file")
    return tomli_w.dumps(state.to_toml_dict()).encode("utf-8")


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def locked(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the state file's lock: two processes never interleave their writes."""
    from filelock import FileLock, Timeout

    ensure_folder(path.parent)
    # One lock object per path in this process (is_singleton): `setup` holds it for its
    # whole run and each save inside takes it again, reentrantly.
    lock = FileLock(str(_lock_path(path)), mode=0o600, is_singleton=True)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise StateError(
            f"le fichier d'état {path} est utilisé par un autre tracesguide",
            "Terminez l'autre session (ou attendez qu'elle finisse), puis relancez.",
        ) from None
    try:
        yield
    finally:
        lock.release()


def ensure_folder(folder: Path) -> None:
    """Create the state folder as 0700 if it does not exist (an existing one is kept as is)."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)


def save(state: State, path: Path) -> None:
    """Write *state* atomically: temp file in the same folder, fsync, rename; mode 0600."""
    import tempfile

    data = dumps(state)
    with locked(path):
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def backup_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or _now()).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.stem}.{stamp}.bak{path.suffix}")
