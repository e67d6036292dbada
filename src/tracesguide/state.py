"""The state file: one TOML file, versioned, private, written atomically under a lock.

It holds where the user is (each step's status, keyed by step id), their
non-secret answers and an append-only event log for replay. It never holds a
password, a one-time code or a full phone number (only a masked form).

Reading checks everything before trusting anything: a file that is not a
regular file, too large, empty, not UTF-8, not TOML, of the wrong shape or from
a newer schema is a ``StateError`` (exit 2) and is left byte-for-byte as it was.
Every key is documented in ``docs/state-file.md``.
"""

import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from tracesguide import __version__, toml
from tracesguide.errors import StateError

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
)
# Events that open a step again (its status is removed): "back" (the user went back to
# it), "reopened" (an answer it depends on was changed).
REOPENING = ("back", "reopened")
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
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _unusable(path, "ce n'est pas un fichier ordinaire")
        # Ask for the size seen plus one byte (not for the 2 MiB limit: that buffer
        # would be allocated for every file); a file that grew since is read on.
        want = min(info.st_size, MAX_BYTES) + 1
        data = os.read(fd, want)
        while len(data) == want and len(data) <= MAX_BYTES:
            want = min(65536, MAX_BYTES + 1 - len(data))
            more = os.read(fd, want)
            data += more
            if len(more) < want:
                break
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise _unusable(path, f"trop volumineux (plus de {MAX_BYTES} octets)")
    return data


def parse_bytes(data: bytes, path: Path, *, fast: bool = False) -> State:
    """Decode, parse, migrate and validate a state file's bytes.

    With *fast* (for callers that read many files), the canonical files ``dumps``
    writes are parsed by ``fast_document``; the result is the same, only quicker once
    its patterns are compiled (about 2 ms, once per process).
    """
    if not data.strip():
        raise _unusable(path, "le fichier est vide")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _unusable(path, f"pas en UTF-8 (octet {error.start})") from None
    try:
        document = fast_document(text) if fast else None
        if document is None:
            document = toml.loads(text)
    except toml.TOMLDecodeError as error:
        raise _unusable(path, f"TOML invalide ({error})") from None
    except RecursionError:
        raise _unusable(path, "TOML trop imbriqué") from None
    return from_document(document, path)


def load(path: Path, *, fast: bool = False) -> State:
    return parse_bytes(read_bytes(path), path, fast=fast)


# --- fast path for the files tracesguide writes ---------------------------------
#
# tomllib is pure Python: it takes about 0.5 ms for a typical state file, the bulk of
# `tracesguide check` over thousands of files. ``fast_document`` reads only the
# strict subset of TOML that ``dumps`` (tomli_w) writes: bare ``key = value`` lines
# with a basic string, an integer or an offset date-time; the ``[answers]``,
# ``[steps]``, ``[steps."id"]`` and ``[[events]]`` headers; ``events = []`` or a short
# event log written inline (``events = [``, one ``{ ... },`` line per event, ``]``);
# blank lines. On anything else (a comment, other spacing, a CR, another value type
# or header, a duplicate key or table) it returns None and tomllib reads the file, so
# every error message and every unusual-but-valid file is tomllib's. Whatever it
# accepts, tomllib would read to the same document (tests/test_state_fastpath.py).

# A basic string's body: allowed characters, or the escapes tomllib knows (the loop
# unrolled, so that plain text is consumed by one character class).
_PLAIN = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
_BODY = _PLAIN + r'(?:\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})' + _PLAIN + ")*"
# Exactly tomllib's ranges for each field; the day of the month is checked by datetime.
_DATETIME = (
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)


class _Patterns:
    """The fast path's compiled patterns, built on first use (not at import: the
    commands that read one file never pay for them)."""

    def __init__(self) -> None:
        self.key_value = re.compile(r"([A-Za-z0-9_-]+) = (.+)")
        self.string = re.compile(f'"({_BODY})"')
        self.escape = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
        self.integer = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
        self.datetime = re.compile(_DATETIME)
        self.step_header = re.compile(r'\[steps\.(?:"([A-Za-z0-9_.-]+)"|([A-Za-z0-9_-]+))\]')
        # Whole blocks as dumps writes them, the bulk of a file, matched in one go.
        self.event_block = re.compile(
            rf'\[\[events\]\]\nat = ({_DATETIME})\nkind = "([a-z]+)"\n'
            rf'(?:step = "({_BODY})"\n)?(?:detail = "({_BODY})"\n)?\n*'
        )
        self.step_block = re.compile(
            rf'\[steps\."([A-Za-z0-9_.-]+)"\]\nstatus = "([a-z]+)"\nat = ({_DATETIME})\n'
            rf'(?:reason = "({_BODY})"\n)?\n*'
        )
        self.event_item = re.compile(
            rf'    \{{ at = ({_DATETIME}), kind = "([a-z]+)"'
            rf'(?:, step = "({_BODY})")?(?:, detail = "({_BODY})")? \}},\n'
        )


@cache
def _patterns() -> _Patterns:
    return _Patterns()


_FAST_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_ROOT_TABLES = frozenset({"answers", "steps", "events"})
_STEP_KEYS = frozenset({"status", "at", "reason"})
_EVENT_KEYS = frozenset({"at", "kind", "step", "detail"})


class _NotFast(Exception):
    """The text is outside the fast subset: let tomllib read it."""


def _fast_unescape(match: re.Match[str]) -> str:
    short, long, simple = match.groups()
    if simple is not None:
        return _FAST_ESCAPES[simple]
    code = int(short or long, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise _NotFast  # tomllib refuses it: not a Unicode scalar value
    return chr(code)


def _fast_string(body: str) -> str:
    """A checked basic string's body, its escapes decoded."""
    return _patterns().escape.sub(_fast_unescape, body) if "\\" in body else body


def _fast_datetime(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:  # e.g. February 30th: tomllib says why
        raise _NotFast from None


def _fast_value(raw: str) -> Any:
    if raw[0] == '"':
        match = _patterns().string.fullmatch(raw)
        if match is None:
            raise _NotFast
        return _fast_string(match.group(1))
    if _patterns().datetime.fullmatch(raw):
        return _fast_datetime(raw)
    if _patterns().integer.fullmatch(raw):
        return int(raw)
    raise _NotFast


class _FastReader:
    """The tables of a document being read, and the one key-value lines go into."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self.current = self.root
        self.answers: dict[str, Any] | None = None
        self.steps: dict[str, Any] | None = None
        self.steps_header = False
        self.events: list[dict[str, Any]] | None = None

    def new_event(self) -> dict[str, Any]:
        if self.events is None:
            if "events" in self.root:
                raise _NotFast  # `events = []` cannot be extended by [[events]]
            self.events = self.root["events"] = []
        self.current = {}
        self.events.append(self.current)
        return self.current

    def new_step(self, step_id: str) -> dict[str, Any]:
        if self.steps is None:
            self.steps = self.root["steps"] = {}
        if step_id in self.steps:
            raise _NotFast  # a table defined twice
        self.current = self.steps[step_id] = {}
        return self.current

    def header(self, line: str) -> None:
        if line == "[[events]]":
            self.new_event()
        elif line == "[answers]":
            if self.answers is not None:
                raise _NotFast
            self.current = self.answers = self.root["answers"] = {}
        elif line == "[steps]":
            if self.steps_header:
                raise _NotFast
            self.steps_header = True
            if self.steps is None:
                self.steps = self.root["steps"] = {}
            self.current = self.steps
        else:
            match = _patterns().step_header.fullmatch(line)
            if match is None:
                raise _NotFast
            self.new_step(match.group(1) or match.group(2))

    def inline_events(self, text: str, pos: int) -> int:
        """``events = [`` then one ``{ ... },`` line per event, as dumps writes short logs."""
        if "events" in self.root or self.events is not None:
            raise _NotFast
        items: list[dict[str, Any]] = []
        item = _patterns().event_item.match
        while (found := item(text, pos)) is not None:
            at, kind, step, detail = found.groups()
            entry = {"at": _fast_datetime(at), "kind": kind}
            if step is not None:
                entry["step"] = _fast_string(step)
            if detail is not None:
                entry["detail"] = _fast_string(detail)
            items.append(entry)
            pos = found.end()
        self.root["events"] = items
        if text.startswith("]\n", pos):
            return pos + 2
        if text.endswith("]") and pos == len(text) - 1:
            return pos + 1
        raise _NotFast

    def key_value(self, line: str) -> None:
        match = _patterns().key_value.fullmatch(line)
        if match is None:
            raise _NotFast
        key, raw = match.groups()
        current = self.current
        if key in current:
            raise _NotFast
        if current is self.root and key in _ROOT_TABLES:
            if key != "events" or raw != "[]" or self.events is not None:
                raise _NotFast
            current[key] = []
        else:
            current[key] = _fast_value(raw)


def fast_document(text: str) -> dict[str, Any] | None:
    """Parse the canonical subset of TOML that ``dumps`` writes, or return None."""
    if "\r" in text:
        return None
    reader = _FastReader()
    patterns = _patterns()
    event_block, step_block = patterns.event_block.match, patterns.step_block.match
    moment = datetime.fromisoformat
    pos, size = 0, len(text)
    try:
        while pos < size:
            char = text[pos]
            if char == "\n":
                pos += 1
                continue
            if char == "[":
                block = event_block(text, pos)
                if block is not None:
                    at, kind, step, detail = block.groups()
                    entry = reader.new_event()
                    entry["at"] = moment(at)
                    entry["kind"] = kind
                    if step is not None:
                        entry["step"] = _fast_string(step) if "\\" in step else step
                    if detail is not None:
                        entry["detail"] = _fast_string(detail) if "\\" in detail else detail
                    pos = block.end()
                    continue
                block = step_block(text, pos)
                if block is not None:
                    step_id, status, at, reason = block.groups()
                    entry = reader.new_step(step_id)
                    entry["status"] = status
                    entry["at"] = moment(at)
                    if reason is not None:
                        entry["reason"] = _fast_string(reason)
                    pos = block.end()
                    continue
            if (
                char == "e"
                and reader.current is reader.root
                and text.startswith("events = [\n", pos)
            ):
                pos = reader.inline_events(text, pos + 11)
                continue
            end = text.find("\n", pos)
            if end < 0:
                end = size
            line = text[pos:end]
            pos = end + 1
            if char == "[":
                reader.header(line)
            else:
                reader.key_value(line)
    except (_NotFast, ValueError):  # ValueError: a date like February 30th; tomllib says why
        return None
    return reader.root


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
        if type(raw) is dict and raw.keys() <= _STEP_KEYS:  # the common case, checked fast
            status, at, reason = raw.get("status"), raw.get("at"), raw.get("reason", "")
            if (
                status in STEP_STATUSES
                and type(at) is datetime
                and at.tzinfo is not None
                and type(reason) is str
                and len(reason) <= _MAX_TEXT
            ):
                steps[step_id] = StepRecord(status, at, reason)
                continue
        # Something is wrong (or unusual): the checks below say what.
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
        if type(raw) is dict and raw.keys() <= _EVENT_KEYS:  # the common case, checked fast
            at, kind = raw.get("at"), raw.get("kind")
            step, detail = raw.get("step", ""), raw.get("detail", "")
            if (
                kind in EVENT_KINDS
                and type(at) is datetime
                and at.tzinfo is not None
                and type(step) is str
                and len(step) <= 128
                and type(detail) is str
                and len(detail) <= _MAX_TEXT
            ):
                events.append(Event(at, kind, step, detail))
                continue
        # Something is wrong (or unusual): the checks below say what.
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
    """Write *state* atomically (``files.write_atomic``), mode 0600, under the lock."""
    from tracesguide.files import write_atomic

    data = dumps(state)
    with locked(path):
        write_atomic(path, [data])


def backup_path(path: Path, now: datetime | None = None) -> Path:
    stamp = (now or _now()).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.stem}.{stamp}.bak{path.suffix}")
