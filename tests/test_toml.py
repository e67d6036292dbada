"""system.toml: toml_rs reads, tomli judges, and the pair reads every text as tomli does.

``tracesguide.system.toml.loads`` parses with toml_rs and gives tomli (the reference,
TOML 1.1) whatever toml_rs refuses. These tests compare **toml_rs alone** with tomli on
generated, mutated and corpus texts: toml_rs must never accept a text tomli refuses, nor
read one differently (a value, a type, a time offset); where it refuses one tomli
accepts, ``loads`` must give tomli's document. They can fail: a toml_rs release that
read one escape, one date or one float differently would differ here.
"""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import toml_rs
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import corpus_files
from helpers import APP_ANSWERS, write_state
from tracesguide.state import (
    EVENT_KINDS,
    FORBIDDEN_ANSWERS,
    MAX_STEP_ID,
    MAX_TEXT,
    STEP_STATUSES,
    Event,
    State,
    StepRecord,
    store,
)
from tracesguide.system import toml
from tracesguide.system.errors import StateError

KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True).filter(
    lambda k: k not in FORBIDDEN_ANSWERS
)
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=150)
STEP_IDS = st.from_regex(r"[a-z0-9][a-z0-9.-]{0,30}", fullmatch=True)
ZONES = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
MOMENTS = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30)),
    st.one_of(st.just(UTC), ZONES),
)
PATH = Path("s.toml")


@st.composite
def states(draw: st.DrawFn) -> State:
    saved = State(created=draw(MOMENTS), updated=draw(MOMENTS))
    saved.answers = draw(st.dictionaries(KEYS, TEXT, max_size=8))
    saved.steps = draw(
        st.dictionaries(
            STEP_IDS,
            st.builds(StepRecord, st.sampled_from(STEP_STATUSES), MOMENTS, TEXT),
            max_size=6,
        )
    )
    saved.events = draw(
        st.lists(st.builds(Event, MOMENTS, st.sampled_from(EVENT_KINDS), TEXT, TEXT), max_size=12)
    )
    return saved


def exact(value: Any) -> Any:
    """A document with every value's type and form: equal only if read exactly alike
    (a datetime with its offset, not just its instant; -0.0 and nan as themselves)."""
    if isinstance(value, dict):
        return ("table", {key: exact(item) for key, item in value.items()})
    if isinstance(value, list):
        return ("array", [exact(item) for item in value])
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    if isinstance(value, datetime | date | time):
        offset = value.utcoffset() if isinstance(value, datetime | time) else None
        return (type(value).__name__, value.isoformat(), offset)
    return (type(value).__name__, value)


def verdict(read: Any, text: str) -> Any:
    try:
        return exact(read(text))
    except Exception as error:  # any refusal, compared by kind
        return ("refused", type(error).__name__)


def assert_read_as_tomli(text: str) -> None:
    reference = verdict(tomli.loads, text)
    fast = verdict(toml_rs.loads, text) if toml.toml_rs_reads(text) else ("refused", "")
    if fast[0] != "refused":
        assert fast == reference, text  # never accepts more, never reads differently
    assert verdict(toml.loads, text) == reference, text


@settings(max_examples=300, deadline=None)
@given(states())
def test_every_file_the_tool_writes_is_read_by_toml_rs_as_by_tomli(saved: State) -> None:
    text = store.dumps(saved).decode("utf-8")
    assert exact(toml_rs.loads(text)) == exact(tomli.loads(text)), text
    loaded = store.parse_text(text, PATH)
    assert loaded.answers == saved.answers
    assert loaded.steps == saved.steps
    assert loaded.events == saved.events
    assert [e.at.utcoffset() for e in loaded.events] == [e.at.utcoffset() for e in saved.events]


# Characters that change the meaning of TOML, for mutations.
SIGNIFICANT = "[]{}\"=\n\r #,.\\tTZz+-:0123456789abeux_'\t\x7f"


@settings(max_examples=600, deadline=None)
@given(
    states(),
    st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.sampled_from(["insert", "delete", "replace"]),
            st.text(alphabet=SIGNIFICANT, min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_files_are_read_as_tomli_reads_them(saved: State, edits: list) -> None:  # type: ignore[type-arg]
    text = store.dumps(saved).decode("utf-8")
    for where, how, piece in edits:
        i = where % (len(text) + 1)
        if how == "insert":
            text = text[:i] + piece + text[i:]
        elif how == "delete":
            text = text[:i] + text[i + len(piece) :]
        else:
            text = text[:i] + piece + text[i + len(piece) :]
    assert_read_as_tomli(text)


def test_the_toml_test_corpus_is_read_as_tomli_reads_it() -> None:
    files = corpus_files()
    assert len(files) > 700
    fast = 0
    for path in files:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        assert_read_as_tomli(text)
        fast += toml.toml_rs_reads(text) and verdict(toml_rs.loads, text)[0] != "refused"
    assert fast > 200  # most valid files are read by toml_rs itself


GOOD = store.dumps(State.new(now=datetime(2026, 1, 31, 10, tzinfo=UTC))).decode()


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        GOOD.replace("events = []\n", 'events = []\nlanguage = "fr"\n'),  # duplicate key
        GOOD + "\n[answers]\n",  # a table defined twice
        GOOD + '\n[steps."a"]\nstatus = "done"\n[steps."a"]\n',
        GOOD + '\n[[events]]\nat = 2026-01-31 10:00:00+00:00\nkind = "note"\n',
        GOOD.replace("\n", "\r\n"),
        "\ufeff" + GOOD,  # toml_rs skips a byte-order mark, tomli refuses it
        GOOD.replace('language = "fr"', 'language = "f\\uD800"'),
        GOOD.replace('language = "fr"', 'language = "f\\e\\x41"'),  # TOML 1.1 escapes
        GOOD.replace('language = "fr"', 'language = "f\x7f"'),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-02-30 10:00:00+00:00", 1),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31 10:00+00:00", 1),  # 1.1
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31 10:00:00.1234567+00:00", 1),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31 10:00:00-00:00", 1),
        GOOD.replace("schema_version = 1", "schema_version = 9223372036854775808"),
        GOOD.replace("schema_version = 1", "schema_version = " + "9" * 5000),  # past 4 300
        GOOD.replace("schema_version = 1", "schema_version = " + "9_" * 2500 + "9"),
        GOOD.replace("schema_version = 1", "schema_version = 0x" + "f" * 5000),
        GOOD.replace("schema_version = 1", "schema_version = -0.0"),
        GOOD.replace("events = []", "events = [\n    { at = 2026-01-31 10:00:00+00:00, },\n]"),
        GOOD.replace('language = "fr"', 'language = "fr\x00"'),
    ],
)
def test_unusual_and_broken_texts_are_read_as_tomli_reads_them(text: str) -> None:
    assert_read_as_tomli(text)


def test_a_broken_file_gets_tomli_s_error_translated(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(GOOD.replace("events = []\n", 'events = []\nlanguage = "fr"\n'), "utf-8")
    with pytest.raises(StateError) as caught:
        store.load(path)
    assert "TOML invalide" in caught.value.message
    assert "line" not in caught.value.message  # tomli's English, translated


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
        "x = " + "{a=" * 100_000 + "1" + "}" * 100_000 + "\n",
        "x = " + "[{a=" * 100_000 + "\n",
    ],
    ids=["arrays", "inline-tables", "unclosed"],
)
def test_deep_nesting_never_reaches_toml_rs(text: str, tmp_path: Path) -> None:
    # toml_rs recurses without a limit: a few thousand levels crash the process. Each
    # level takes a bracket, so past FAST_BRACKETS of them tomli reads (and stops it).
    source = tmp_path / "deep.toml"
    source.write_text(text, "utf-8")
    code = (
        "import sys\nfrom tracesguide.system import toml\n"
        "try:\n    toml.loads(open(sys.argv[1], encoding='utf-8').read())\n"
        "except (RecursionError, toml.TOMLDecodeError) as error:\n"
        "    print(type(error).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(source)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-500:]  # -11: toml_rs crashed
    assert done.stdout.strip() in {"RecursionError", "TOMLDecodeError"}


def test_the_bracket_bound_keeps_real_state_files_on_toml_rs(tmp_path: Path) -> None:
    saved = write_state(tmp_path / "s.toml", APP_ANSWERS)
    for _ in range(100):  # a long log of notes
        saved.record("note", "eu-login.language", "n" * 120)
    text = store.dumps(saved).decode("utf-8")
    assert text.count("[") + text.count("{") <= toml.FAST_BRACKETS


# --- the schema, at its limits (one path for every step and event) ------------------


def assert_read_or_refused(saved: State, refused: str | None) -> State:
    """*saved* as written and read again, or refused with a message naming *refused*."""
    try:
        loaded = store.parse_text(store.dumps(saved).decode("utf-8"), PATH)
    except StateError as error:
        assert refused is not None and refused in error.message, error.message
        return saved
    assert refused is None
    return loaded


_AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event", "refused"),
    [
        (Event(_AT, "note", "s" * MAX_STEP_ID, ""), None),
        (Event(_AT, "note", "s" * (MAX_STEP_ID + 1), ""), "events[1].step"),
        (Event(_AT, "note", "", "d" * MAX_TEXT), None),
        (Event(_AT, "note", "", "d" * (MAX_TEXT + 1)), "events[1].detail"),
        (Event(datetime(1, 6, 1, tzinfo=UTC), "note"), None),
        (Event(datetime(9999, 6, 1, tzinfo=UTC), "note"), None),
        (Event(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23))), "note"), "events[1].at"),
        (
            Event(datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=23))), "note"),
            "events[1].at",
        ),
    ],
)
def test_the_event_log_at_the_schema_s_limits(event: Event, refused: str | None) -> None:
    saved = State(created=_AT, updated=_AT)
    saved.events = [Event(_AT, "note", "a", "n" * 120), event]
    assert assert_read_or_refused(saved, refused).events == saved.events


@pytest.mark.parametrize(
    ("step", "record", "refused"),
    [
        ("x.y", StepRecord("done", _AT, "r" * MAX_TEXT), None),
        ("x.y", StepRecord("done", _AT, "r" * (MAX_TEXT + 1)), "steps.x.y.reason"),
        ("x.y", StepRecord("finished", _AT), "steps.x.y.status"),
        (
            "x.y",
            StepRecord("done", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23)))),
            "steps.x.y.at",
        ),
        ("Upper.case", StepRecord("done", _AT), "Upper.case"),
        ("a." + "b" * (MAX_STEP_ID - 2), StepRecord("done", _AT), None),
        ("a." + "b" * (MAX_STEP_ID - 1), StepRecord("done", _AT), "a.bbb"),
    ],
)
def test_the_step_records_at_the_schema_s_limits(
    step: str, record: StepRecord, refused: str | None
) -> None:
    saved = State(created=_AT, updated=_AT)
    saved.steps = {"a.b": StepRecord("done", _AT), step: record}
    assert assert_read_or_refused(saved, refused).steps == saved.steps


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('kind = "done"', 'kind = "bogus"', "events[1].kind"),  # events[0]: traces_access
        ('kind = "done"', 'kind = "done"\nextra = 1', "events[1]"),
        ('status = "done"', 'status = "nope"', ".status"),
        ('status = "done"', 'status = "done"\nreason = 3', ".reason"),
        ("at = 2026-01-31 10:00:00+00:00\nkind", "at = 2026-01-31T10:00:00\nkind", "events[0].at"),
    ],
)
def test_a_bad_step_or_event_is_named_in_the_message(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    path = tmp_path / "s.toml"
    saved = write_state(path, APP_ANSWERS, until="eu-login.language")
    saved.record("note", "eu-login.language", "n" * 120)  # a long line: [[events]] tables
    store.save(saved, path)
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(StateError) as caught:
        store.load(path)
    assert where in caught.value.message


def test_read_bytes_reads_whole_files_and_stops_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    for size in (1, 4095, 4096, 65537, 200_000, store.MAX_BYTES):
        path.write_bytes(b"x" * size)
        assert store.read_bytes(path) == b"x" * size
    path.write_bytes(b"x" * (store.MAX_BYTES + 1))
    with pytest.raises(StateError, match="trop volumineux"):
        store.read_bytes(path)
