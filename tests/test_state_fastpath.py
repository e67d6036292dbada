"""state.fastread: the fast reader of canonical state files agrees with the real parser.

The parser that really runs for every file is ``tracesguide.system.toml.loads`` (TOML 1.1).
Whatever the fast path accepts, it must read to the same document; whatever it does
not know, it must decline (None) so that the parser reads the file and reports the
error. These tests can fail: a fast path that accepted one more form, or decoded one
escape differently, would differ from the parser on the generated or mutated files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
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
    fastread,
)
from tracesguide.state import store as state_module
from tracesguide.state.fastread import fast_document, load_many, parse_fast
from tracesguide.system.errors import StateError
from tracesguide.system.toml import loads

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


@settings(max_examples=300, deadline=None)
@given(states())
def test_every_file_dumps_writes_is_read_fast_and_alike(saved: State) -> None:
    text = state_module.dumps(saved).decode("utf-8")
    fast = fast_document(text)
    assert fast is not None, text  # the files tracesguide writes take the fast path
    assert fast == loads(text)
    loaded = parse_fast(text, Path("x.toml"))
    assert loaded.answers == saved.answers
    assert [(e.at, e.kind, e.step, e.detail) for e in loaded.events] == [
        (e.at, e.kind, e.step, e.detail) for e in saved.events
    ]
    assert {k: (r.status, r.at, r.reason) for k, r in loaded.steps.items()} == {
        k: (r.status, r.at, r.reason) for k, r in saved.steps.items()
    }
    events, head = fastread.fast_events(text)  # the event log in bulk, when in [[events]]
    assert events is None or events == loaded.events == saved.events
    steps, rest = fastread.fast_steps(head)  # the step records in bulk, when in [steps."id"]
    if steps is not None and "steps" not in (fast_document(rest) or {}):  # all of them
        assert steps == loaded.steps == saved.steps


# Characters that change the meaning of TOML, for mutations.
SIGNIFICANT = '[]{}"=\n\r #,.\\tTZz+-:0123456789abu'


@settings(max_examples=500, deadline=None)
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
def test_mutated_files_are_declined_or_read_like_the_parser(saved: State, edits: list) -> None:  # type: ignore[type-arg]
    text = state_module.dumps(saved).decode("utf-8")
    for where, how, piece in edits:
        i = where % (len(text) + 1)
        if how == "insert":
            text = text[:i] + piece + text[i:]
        elif how == "delete":
            text = text[:i] + text[i + len(piece) :]
        else:
            text = text[:i] + piece + text[i + len(piece) :]
    fast = fast_document(text)
    if fast is not None:
        assert fast == loads(text), text
    assert _outcome(lambda: parse_fast(text, PATH)) == _outcome(
        lambda: state_module.parse_text(text, PATH)
    ), text


PATH = Path("s.toml")


def _outcome(read: Callable[[], State]) -> State | str:
    """A state, or the message of the error that refuses the text."""
    try:
        return read()
    except StateError as error:
        return error.message


def test_the_event_log_is_read_in_bulk_when_written_by_the_tool(tmp_path: Path) -> None:
    saved = write_state(tmp_path / "s.toml", APP_ANSWERS, until="traces.sign-in")
    text = (tmp_path / "s.toml").read_text("utf-8")
    events, _ = fastread.fast_events(text)
    assert events == saved.events and len(events) > 20
    bad = text.replace('kind = "done"', 'kind = "fini"', 1)
    assert fastread.fast_events(bad)[0] is None  # an unknown kind: read as a whole
    assert _outcome(lambda: parse_fast(bad, PATH)) == _outcome(
        lambda: state_module.parse_text(bad, PATH)
    )


@pytest.mark.parametrize(
    "event",
    [
        Event(datetime(2026, 1, 1, tzinfo=UTC), "note", "s" * size, "")
        for size in (MAX_STEP_ID - 1, MAX_STEP_ID, MAX_STEP_ID + 1)
    ]
    + [
        Event(datetime(2026, 1, 1, tzinfo=UTC), "note", "", "d" * size)
        for size in (MAX_TEXT, MAX_TEXT + 1)
    ]
    + [Event(datetime(year, 6, 1, tzinfo=UTC), "note") for year in (1, 2, 9998, 9999)]
    + [  # out of range once in UTC: refused by the schema, whichever the reader
        Event(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23))), "note"),
        Event(datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=23))), "note"),
    ],
)
def test_the_event_log_at_the_schema_s_limits(event: Event) -> None:
    saved = State(
        created=datetime(2026, 1, 1, tzinfo=UTC), updated=datetime(2026, 1, 1, tzinfo=UTC)
    )
    saved.events = [Event(saved.created, "note", "a", "n" * 120), event]  # long: [[events]]
    text = state_module.dumps(saved).decode("utf-8")
    events, _ = fastread.fast_events(text)
    assert "\n[[events]]\n" in text
    if events is not None:
        assert events == state_module.parse_text(text, PATH).events
    assert _outcome(lambda: parse_fast(text, PATH)) == _outcome(
        lambda: state_module.parse_text(text, PATH)
    )


_AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("step", "record"),
    [
        ("x.y", StepRecord("done", _AT, "r" * MAX_TEXT)),
        ("x.y", StepRecord("done", _AT, "r" * (MAX_TEXT + 1))),
        ("x.y", StepRecord("finished", _AT)),
        ("x.y", StepRecord("done", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23))))),
        (
            "x.y",
            StepRecord("done", datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=23)))),
        ),
        ("Upper.case", StepRecord("done", _AT)),
        ("a." + "b" * 126, StepRecord("done", _AT)),
        ("a." + "b" * 127, StepRecord("done", _AT)),
    ],
)
def test_the_step_records_at_the_schema_s_limits(step: str, record: StepRecord) -> None:
    saved = State(
        created=datetime(2026, 1, 1, tzinfo=UTC), updated=datetime(2026, 1, 1, tzinfo=UTC)
    )
    saved.steps = {"a.b": StepRecord("done", saved.created), step: record}
    saved.events = [Event(saved.created, "note", "a", "n" * 120)]  # long: [[events]]
    text = state_module.dumps(saved).decode("utf-8")
    steps, _ = fastread.fast_steps(fastread.fast_events(text)[1])
    if steps is not None:
        assert steps == state_module.parse_text(text, PATH).steps
    assert _outcome(lambda: parse_fast(text, PATH)) == _outcome(
        lambda: state_module.parse_text(text, PATH)
    )


def test_a_step_table_written_twice_is_the_parser_s_error(tmp_path: Path) -> None:
    write_state(tmp_path / "s.toml", APP_ANSWERS, until="traces.sign-in")
    text = (tmp_path / "s.toml").read_text("utf-8")
    assert fastread.fast_steps(fastread.fast_events(text)[1])[0]  # read in bulk
    twice = text.replace(
        "[[events]]",
        '[steps."eu-login.welcome"]\nstatus = "done"\nat = 2026-01-31 10:00:00+00:00\n\n[[events]]',
        1,
    )
    assert fastread.fast_steps(fastread.fast_events(twice)[1])[0] is None
    assert "TOML invalide" in str(_outcome(lambda: parse_fast(twice, PATH)))
    assert _outcome(lambda: parse_fast(twice, PATH)) == _outcome(
        lambda: state_module.parse_text(twice, PATH)
    )


def test_the_toml_test_corpus(tmp_path: Path) -> None:
    files = corpus_files()
    assert len(files) > 700
    accepted = 0
    for path in files:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        fast = fast_document(text)
        if fast is None:
            continue
        accepted += 1
        assert fast == loads(text), path  # and never accept what the parser refuses
    assert accepted >= 10  # the simple valid files do take the fast path


GOOD = state_module.dumps(State.new(now=datetime(2026, 1, 31, 10, tzinfo=UTC))).decode()


@pytest.mark.parametrize(
    "text",
    [
        GOOD.replace("events = []\n", 'events = []\nlanguage = "fr"\n'),  # duplicate key
        GOOD.replace("events = []\n", "")
        + '[[events]]\nat = 2026-01-31 10:00:00+00:00\nkind = "note"\nkind = "done"\n',
        GOOD + "\n[answers]\n",  # table defined twice
        GOOD + "\n[steps]\n",
        GOOD + '\n[steps."a"]\nstatus = "done"\n[steps."a"]\n',
        GOOD + '\n[steps]\na = "x"\n[steps.a]\n',
        # events = [] then [[events]]
        GOOD + '\n[[events]]\nat = 2026-01-31 10:00:00+00:00\nkind = "note"\n',
        GOOD.replace("\n", "\r\n"),
        GOOD + "# a comment\n",
        GOOD.replace('language = "fr"', 'language = "fr" # comment'),
        GOOD.replace('language = "fr"', "language = 'fr'"),
        GOOD.replace('language = "fr"', 'language="fr"'),
        GOOD.replace('language = "fr"', 'language = "f\\uD800"'),
        GOOD.replace('language = "fr"', 'language = "f\\e"'),
        GOOD.replace('language = "fr"', 'language = "f\\x41"'),
        GOOD.replace('language = "fr"', 'language = "f\x7f"'),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-02-30 10:00:00+00:00", 1),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31 24:00:00+00:00", 1),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31 10:00:60+00:00", 1),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31 10:00:00+24:00", 1),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31 10:00:00.1234567+00:00", 1),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31t10:00:00+00:00", 1),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-01-31 10:00:00", 1),
        GOOD.replace("schema_version = 1", "schema_version = 01"),
        GOOD.replace("schema_version = 1", "schema_version = +1"),
        GOOD.replace("schema_version = 1", "schema_version = 1_0"),
        GOOD.replace("schema_version = 1", "schema_version = true"),
        GOOD.replace("schema_version = 1", 'answers = "x"'),
        GOOD.replace("schema_version = 1", "schema_version = 1.0"),
        "\ufeff" + GOOD,
        GOOD.replace("[answers]", "[ answers ]"),
        GOOD.replace("[answers]", "[answers.x]"),
        GOOD.replace('language = "fr"', "lang.uage = 1"),
        GOOD.replace("events = []", "events = [\n    { at = 2026-01-31 10:00:00+00:00 },\n]"),
    ],
)
def test_forms_outside_the_subset_are_declined(text: str) -> None:
    assert text != GOOD
    assert fast_document(text) is None


def test_valid_but_unusual_layouts_agree_with_the_parser() -> None:
    text = GOOD + '\n[steps."a"]\nstatus = "done"\n\n[steps.b]\nstatus = "x"\n'
    text = text.replace("[steps]\n", "")  # the super-table defined after its sub-tables
    text += "[steps]\nc = 1\n"
    assert fast_document(text) == loads(text)


def test_errors_are_the_parser_s_whatever_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = [
        GOOD.replace("events = []\n", 'events = []\nlanguage = "fr"\n'),
        GOOD.replace("2026-01-31 10:00:00+00:00", "2026-02-30 10:00:00+00:00", 1),
        GOOD.replace('language = "fr"', 'language = "f\\uD800"'),
        GOOD + '\n[[events]]\nat = 2026-01-31 10:00:00+00:00\nkind = "note"\n',
    ]

    def message(text: str) -> str:
        with pytest.raises(StateError) as caught:
            parse_fast(text, Path("s.toml"))
        return caught.value.message

    fast_messages = [message(text) for text in bad]
    monkeypatch.setattr(fastread, "fast_document", lambda text: None)
    assert fast_messages == [message(text) for text in bad]
    assert all("TOML invalide" in m for m in fast_messages)


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
def test_validation_messages_unchanged_by_the_fast_checks(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    path = tmp_path / "s.toml"
    saved = write_state(path, APP_ANSWERS, until="eu-login.language")
    saved.record("note", "eu-login.language", "n" * 120)  # a long line: [[events]] tables
    state_module.save(saved, path)
    text = path.read_text("utf-8")
    assert fast_document(text) is not None
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(StateError) as caught:
        state_module.load(path)
    assert where in caught.value.message
    (fast_error,) = load_many([path])
    assert isinstance(fast_error, StateError) and fast_error.message == caught.value.message


def test_read_bytes_reads_whole_files_and_stops_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    for size in (1, 4095, 4096, 65537, 200_000, state_module.MAX_BYTES):
        path.write_bytes(b"x" * size)
        assert state_module.read_bytes(path) == b"x" * size
    path.write_bytes(b"x" * (state_module.MAX_BYTES + 1))
    with pytest.raises(StateError, match="trop volumineux"):
        state_module.read_bytes(path)


def test_load_many_and_load_agree_on_every_corpus_file() -> None:
    files = corpus_files()
    for path, fast in zip(files, load_many(files), strict=True):
        try:
            expected: State | str = state_module.load(path)
        except StateError as error:
            expected = error.message
        assert (fast.message if isinstance(fast, StateError) else fast) == expected, path
