"""A person's data planted in every free-text field of the state schema never reaches
the redacted copy, its terminal replay or its HTML page; the situation stays the same.

The fields are found from the model's type hints (``State``, ``StepRecord``, ``Event``):
every text, every key of a table, every text field of a record or an event. A field the
schema reads back only as the guide's own word (the language, a step's status, an
event's kind) refuses the planted text: that refusal is asserted, so a new field is
either free text (planted and checked) or closed (proved closed), never forgotten.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from helpers import APP_ANSWERS, T0, advance
from tracesguide.content import load
from tracesguide.engine import OPERATOR_NOT_FOUND, situation
from tracesguide.reports.redact import redact
from tracesguide.state import Event, State, StepRecord
from tracesguide.state import store as state_module
from tracesguide.system.errors import StateError

CONTENT = load()
NOW = T0 + timedelta(days=3)

# One person, as a user or a colleague could type them anywhere.
PLANTED = {
    "name": "Ghislaine Quesnoy-Vartan",
    "email": "g.quesnoy@vartanbio.example",
    "phone": "+33 6 71 42 93 58",
    "phone digits": "0671429358",
    "phone dots": "06.71.42.93.58",
    "company": "Vartanbio Négoce SARL",
    "address": "14 impasse des Tilleuls-Marcadet, 59000 Lille",
}
# In a key (an answer's key, a step's id) only a key's form fits.
PLANTED_KEYS = {"name": "ghislaine_quesnoy", "company": "vartanbio_negoce"}
PLANTED_STEPS = {"name": "quesnoy.ghislaine", "phone dots": "06.71.42.93.58"}
# What must not be found (case-insensitive) in the copy, its replay and its page.
TRACES = (
    "ghislaine",
    "quesnoy",
    "vartan",
    "tilleuls",
    "marcadet",
    "59000",
    "71 42 93 58",
    "0671429358",
    "71.42.93.58",
    "671429358",
)


class Field(NamedTuple):
    """Where a text lives in the model: ``tool_version``, ``answers.<key>``, …"""

    path: str
    kind: str  # "text" (a value), "key" (a table's key)


def fields() -> Iterator[Field]:
    """Every text of the model, from its type hints (a new field is found too)."""
    hints = typing.get_type_hints(State.__init__)
    for name in State.__slots__:
        hint = hints[name]
        if isinstance(hint, types.UnionType):  # « dict[str, str] | None »: the default
            (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        origin = typing.get_origin(hint)
        if hint is str:
            yield Field(name, "text")
        elif origin is dict:
            key, value = typing.get_args(hint)
            assert key is str
            yield Field(f"{name}.key", "key")
            yield from _values(name, value)
        elif origin is list:
            (item,) = typing.get_args(hint)
            yield from _values(name, item)
        else:
            assert hint in (int, datetime), (name, hint)


def _values(name: str, value: Any) -> Iterator[Field]:
    if value is str:
        yield Field(f"{name}.value", "text")
        return
    for field, hint in typing.get_type_hints(value).items():
        if hint is str:
            yield Field(f"{name}.{field}", "text")
        else:
            assert hint is datetime, (name, field, hint)


def ticket() -> State:
    """« Camille ne trouve pas son opérateur »: later at the search, then OPER-029."""
    answers = {**APP_ANSWERS, "operator_traces_number": "BE-ORG-OP-5"}
    state = advance(State.new(now=T0), CONTENT, answers, until="operator.request-authorisation")
    state.answer("operator_origin", "typed", "operator.search", now=T0 + timedelta(hours=1))
    at = T0 + timedelta(days=1)
    state.record("later", "operator.search", OPERATOR_NOT_FOUND, now=at)
    state.record("back", "operator.open-list", "operator.search", now=at)
    state.record("problem", "operator.open-list", "other", now=at)
    state.record("note", "operator.open-list", "rien ne marche", now=at)
    state.record("problem", "operator.open-list", "oper-029", now=at)
    return state


def plant(state: State, field: Field, label: str) -> bool:
    """Plant the person's *label* value in *field* of *state*; False when it has no form
    that fits there (a phone in a key)."""
    value = PLANTED[label]
    early = T0 - timedelta(days=2)  # before the ticket: the last problem stays OPER-029
    top, _, part = field.path.partition(".")
    if top == "answers":
        if part == "key":
            if label not in PLANTED_KEYS:
                return False
            state.answers[PLANTED_KEYS[label]] = "oui"
            state.events.insert(0, Event(early, "answer", "", PLANTED_KEYS[label]))
        else:  # every free-text answer (a choice's value is the guide's word) and a new one
            for key, old in list(state.answers.items()):
                question = CONTENT.question(key)
                if question is None or question.choice(old) is None:
                    state.answers[key] = value
            state.answers["remarque_libre"] = value
        return True
    if top == "steps":
        if part == "key":
            if label not in PLANTED_STEPS:
                return False
            state.steps[PLANTED_STEPS[label]] = StepRecord("done", early)
        else:
            record = state.steps["operator.open-list"]
            state.steps["operator.open-list"] = record._replace(**{part: value})
        return True
    if top == "events":
        for kind in ("note", "problem", "later", "back", "edit", "shown", "search"):
            event = Event(early, kind, "operator.search", "")
            state.events.insert(0, event._replace(**{part: value}))
        return True
    setattr(state, top, value)
    return True


def replay_outputs(cli: Any, path: Path, tmp_path: Path) -> tuple[str, str]:  # type: ignore[misc]
    terminal = cli("replay", str(path))
    assert terminal.code == 0, terminal.err
    page = tmp_path / "page.html"
    page.unlink(missing_ok=True)
    html = cli("replay", str(path), "--html", str(page))
    assert html.code == 0, html.err
    return terminal.out + terminal.err, page.read_text("utf-8")


@pytest.mark.parametrize("label", sorted(PLANTED))
def test_planted_data_never_reaches_the_copy_its_replay_or_its_page(
    cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    label: str,
) -> None:
    planted, closed = ticket(), []
    for field in fields():
        trial = ticket()
        if not plant(trial, field, label):
            continue
        probe = tmp_path / "probe.toml"
        state_module.save(trial, probe)
        try:
            state_module.load(probe)
        except StateError:
            closed.append(field.path)  # the schema takes only the guide's words there
            continue
        plant(planted, field, label)
    # what the schema refuses is the guide's own vocabulary, nothing else
    assert set(closed) <= {"language", "events.kind", "steps.status"}, closed
    source = tmp_path / "source.toml"
    state_module.save(planted, source)
    original = state_module.load(source)
    text = source.read_text("utf-8").lower()
    assert any(trace in text for trace in TRACES)  # planted indeed

    out = tmp_path / "ticket.toml"
    result = cli("replay", str(source), "--redact", str(out))
    assert result.code == 0, result.err
    copy = state_module.load(out)
    terminal, page = replay_outputs(cli, out, tmp_path)
    for where, shown in (("copy", out.read_text("utf-8")), ("replay", terminal), ("page", page)):
        for trace in TRACES:
            assert trace not in shown.lower(), (label, where, trace)

    before, after = situation(CONTENT, original, NOW), situation(CONTENT, copy, NOW)
    assert (before.actor, before.blocked, before.last_problem) == (
        after.actor,
        after.blocked,
        after.last_problem,
    )
    assert before.last_problem is not None and before.last_problem.id == "oper-029"


def test_every_free_text_field_of_the_schema_is_planted() -> None:
    found = {f.path for f in fields()}
    assert {
        "tool_version",
        "answers.key",
        "answers.value",
        "steps.key",
        "steps.reason",
        "events.step",
        "events.detail",
    } <= found


def test_the_copy_of_the_planted_state_equals_redacting_it_in_memory() -> None:
    planted = ticket()
    for field in fields():
        if field.path not in ("language", "events.kind", "steps.status"):
            plant(planted, field, "name")
    copy = redact(CONTENT, planted)
    assert copy.answers["operator_origin"] != PLANTED["name"]
    assert all("quesnoy" not in key for key in copy.answers)
    assert all("quesnoy" not in step for step in copy.steps)
