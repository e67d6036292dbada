"""The redacted copy keeps the guide's own words (the clues) and masks what was typed."""

from __future__ import annotations

from datetime import timedelta

from helpers import APP_ANSWERS, T0, advance
from tracesguide.content import load
from tracesguide.engine import OPERATOR_NOT_FOUND, situation
from tracesguide.reports.redact import redact
from tracesguide.state import State

CONTENT = load()


def _ticket(number: str) -> State:
    answers = {**APP_ANSWERS, "operator_traces_number": number}
    state = advance(State.new(now=T0), CONTENT, answers, until="operator.request-authorisation")
    state.answer("operator_origin", "typed", "operator.search", now=T0 + timedelta(hours=1))
    at = T0 + timedelta(days=1)
    state.record("later", "operator.search", OPERATOR_NOT_FOUND, now=at)
    state.record("back", "operator.open-list", "operator.search", now=at)
    state.record("problem", "operator.open-list", "other", now=at)
    state.record("problem", "operator.open-list", "oper-029", now=at)
    return state


def test_the_guide_words_survive_and_a_typed_number_does_not() -> None:
    state = _ticket("Dupont Jean 06 71 42 93 58")
    copy = redact(CONTENT, state)
    assert copy.answers["operator_origin"] == "typed"
    assert "06 71" not in copy.answers["operator_traces_number"]
    details = [e.detail for e in copy.events if e.kind != "answer"]
    for clue in (OPERATOR_NOT_FOUND, "operator.search", "other", "oper-029"):
        assert clue in details, clue
    now = T0 + timedelta(days=3)
    before, after = situation(CONTENT, state, now), situation(CONTENT, copy, now)
    assert (before.actor, before.blocked, before.last_problem) == (
        after.actor,
        after.blocked,
        after.last_problem,
    )


def test_an_operator_number_is_kept_but_a_phone_in_its_form_is_not() -> None:
    assert (
        redact(CONTENT, _ticket("BE-ORG-OP-5")).answers["operator_traces_number"] == "BE-ORG-OP-5"
    )
    masked = redact(CONTENT, _ticket("FR-0671429358")).answers["operator_traces_number"]
    assert "0671429358" not in masked
