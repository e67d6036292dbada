"""The fast reader for ``check``: many state files, parsed quicker than by the TOML parser.

Only ``check`` uses it, through ``load_many``. It reads the canonical subset of TOML
that ``store.dumps`` writes and hands anything else to the real parser
(``tracesguide.system.toml.loads``), so every result and every error is the same as
``store.load``'s (proven on generated, mutated and corpus files in
``tests/test_state_fastpath.py``).
"""

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from tracesguide.state import model
from tracesguide.state.model import Event, State, StepRecord
from tracesguide.state.schema import STEP_ID_FORM, from_document
from tracesguide.state.store import decode, parse_text, read_bytes
from tracesguide.system.errors import StateError


def load_many(paths: Iterable[Path]) -> Iterator[State | StateError]:
    """Each file's state, or the error that makes it unusable, in order."""
    for path in paths:
        try:
            yield parse_fast(decode(read_bytes(path), path), path)
        except StateError as error:
            yield error


def parse_fast(text: str, path: Path) -> State:
    """``store.parse_text``'s result, through the canonical subset when the text is in it."""
    events, head = fast_events(text)
    steps, head = fast_steps(head) if events is not None else (None, head)
    if events is not None and steps is not None:
        document = fast_document(head)
        if (
            document is not None
            and "events" not in document
            and "steps" not in document
            and document.get("schema_version") == model.SCHEMA_VERSION  # no migration to run
        ):
            state = from_document(document, path)
            state.steps, state.events = steps, events
            return state
    document = fast_document(text)
    return parse_text(text, path) if document is None else from_document(document, path)


# --- the step records and the event log, in bulk ----------------------------------
#
# The ``[steps."id"]`` and ``[[events]]`` tables are most of a state file; dumps writes
# them last, the steps then the events, each kind one table after the other. Each kind is
# read with one ``split`` of one pattern and checked with whole-list operations, without
# a Python step per table: ``fast_steps`` and ``fast_events`` give the records only when
# every table is as dumps writes it, without escapes, and passes the checks ``schema``
# applies to it (a known status or kind, a step id of the schema's form and none twice, a
# moment between the years 1 and 9999 exclusive, texts within their limits). Otherwise
# they give None and the file is read as a whole. The text before the tables is read by
# ``fast_document`` and validated by ``schema``; tests/test_state_fastpath.py proves the
# result equal to ``store``'s on generated, mutated and corpus files.

_KINDS, _STATUSES = frozenset(model.EVENT_KINDS), frozenset(model.STEP_STATUSES)
_STEP_LINE, _DETAIL_LINE = len('step = ""\n'), len('detail = ""\n')
_REASON_LINE = len('reason = ""\n')
_step_body = itemgetter(slice(len('step = "'), -2))
_detail_body = itemgetter(slice(len('detail = "'), -2))
_reason_body = itemgetter(slice(len('reason = "'), -2))
Columns = tuple[list[str], list[str], list[str], list[str]]


def _tables(
    text: str,
    first: str,
    split: Callable[[str], list[str]],
    names: tuple[int, frozenset[str]],
    moment: int,
    longest: dict[int, int],
) -> tuple[Columns, list[datetime], str] | None:
    """The tables that end *text* from the first *first* on, as four columns (the groups of
    *split*'s pattern), their moments (column *moment*) and the text before them.

    None unless the tables cover the rest of the text, hold no escape, every value of
    column ``names[0]`` is one of ``names[1]``, no line of column *i* is longer than
    ``longest[i]``, and every moment is a real date far enough from years 1 and 9999.
    """
    start = text.find(first) + 1
    section = text[start:]
    if not start or "\\" in section:
        return None
    parts = split(section)  # [between, field 1, ..., field 4, between, field 1, ...]
    columns = parts[1::5], parts[2::5], parts[3::5], parts[4::5]
    raw = columns[moment]
    if (
        any(parts[::5])  # something between two tables, or after them
        or not names[1].issuperset(columns[names[0]])
        or any(max(map(len, columns[i])) > limit for i, limit in longest.items())
        or min(raw)[:4] <= "0001"
        or max(raw)[:4] >= "9999"
    ):
        return None
    try:
        return columns, list(map(datetime.fromisoformat, raw)), text[:start]
    except ValueError:  # e.g. February 30th
        return None


def fast_events(text: str) -> tuple[list[Event] | None, str]:
    """The events of the ``[[events]]`` tables that end the text, and the text before."""
    limits = {2: _STEP_LINE + model.MAX_STEP_ID, 3: _DETAIL_LINE + model.MAX_TEXT}
    found = _tables(text, "\n[[events]]\n", _patterns().event_split, (1, _KINDS), 0, limits)
    if found is None:
        return None, text
    (_, kinds, steps, details), at, head = found
    rows = zip(at, kinds, map(_step_body, steps), map(_detail_body, details), strict=True)
    return list(map(tuple.__new__, repeat(Event), rows)), head


def fast_steps(text: str) -> tuple[dict[str, StepRecord] | None, str]:
    """The records of the ``[steps."id"]`` tables that end the text, and the text before."""
    limits = {3: _REASON_LINE + model.MAX_TEXT}
    found = _tables(text, '\n[steps."', _patterns().step_split, (1, _STATUSES), 2, limits)
    if found is None or len(set(found[0][0])) < len(found[0][0]):  # an id twice: the parser's
        return None, text
    (ids, statuses, _, reasons), at, head = found
    rows = zip(statuses, at, map(_reason_body, reasons), strict=True)
    return dict(zip(ids, map(tuple.__new__, repeat(StepRecord), rows), strict=True)), head


# --- the canonical subset ------------------------------------------------------
#
# The TOML parser takes about 0.5 ms for a typical state file (0.2 ms compiled), the bulk of
# `tracesguide check` over thousands of files. ``fast_document`` reads only the
# strict subset of TOML that ``dumps`` (tomli_w) writes: bare ``key = value`` lines
# with a basic string, an integer or an offset date-time; the ``[answers]``,
# ``[steps]``, ``[steps."id"]`` and ``[[events]]`` headers; ``events = []`` or a short
# event log written inline (``events = [``, one ``{ ... },`` line per event, ``]``);
# blank lines. On anything else (a comment, other spacing, a CR, another value type
# or header, a duplicate key or table) it returns None and the parser reads the file, so
# every error message and every unusual-but-valid file is the parser's. Whatever it
# accepts, the parser would read to the same document (tests/test_state_fastpath.py).

# A basic string's body: allowed characters, or the escapes the parser knows (the loop
# unrolled, so that plain text is consumed by one character class).
_PLAIN = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
_BODY = _PLAIN + r'(?:\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})' + _PLAIN + ")*"
# Exactly the parser's ranges for each field; the day of the month is checked by datetime.
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
        # Every table captured whole (a step or detail line, or ""), for ``fast_events``.
        self.event_split = re.compile(
            rf'\[\[events\]\]\nat = ({_DATETIME})\nkind = "([a-z]+)"\n'
            rf'((?:step = "{_BODY}"\n)?)((?:detail = "{_BODY}"\n)?)\n*'
        ).split
        # Every ``[steps."id"]`` table captured whole, for ``fast_steps``: an id of the
        # schema's form, its status, moment and reason line (or "").
        self.step_split = re.compile(
            rf'\[steps\."({STEP_ID_FORM})"\]\nstatus = "([a-z]+)"\n'
            rf'at = ({_DATETIME})\n((?:reason = "{_BODY}"\n)?)\n*'
        ).split
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
    """The text is outside the fast subset: let the parser read it."""


def _fast_unescape(match: re.Match[str]) -> str:
    short, long, simple = match.groups()
    if simple is not None:
        return _FAST_ESCAPES[simple]
    code = int(short or long, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise _NotFast  # the parser refuses it: not a Unicode scalar value
    return chr(code)


def _fast_string(body: str) -> str:
    """A checked basic string's body, its escapes decoded."""
    return _patterns().escape.sub(_fast_unescape, body) if "\\" in body else body


def _fast_datetime(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:  # e.g. February 30th: the parser says why
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
    except (_NotFast, ValueError):  # ValueError: a date like February 30th; the parser says why
        return None
    return reader.root
