"""The situation: one picture of where the user stands, and the rules a person relies on."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import APP_ANSWERS, T0, advance
from tracesguide.content import load
from tracesguide.engine import (
    BLOCKED_PROBLEM,
    CONTACT_DESK,
    DONE,
    OPERATOR_NOT_FOUND,
    SKIPPED,
    situation,
)
from tracesguide.state import Event, State

_CONTENTS = {language: load(language) for language in ("fr", "en")}
NOW = T0 + timedelta(days=30)


def _walked(language: str, until: str | None) -> State:
    content = _CONTENTS[language]
    return advance(State.new(language=language, now=T0), content, APP_ANSWERS, until=until)


_STOPS = [None, *(s.id for s in _CONTENTS["fr"].steps)]


@st.composite
def _journeys(draw: st.DrawFn) -> tuple[str, State]:
    """A walk through the procedure stopped anywhere, then a few random events."""
    language = draw(st.sampled_from(sorted(_CONTENTS)))
    content = _CONTENTS[language]
    state = _walked(language, draw(st.sampled_from(_STOPS)))
    rng = draw(st.randoms(use_true_random=False))
    moment = T0 + timedelta(days=1)
    for _ in range(rng.randrange(4)):
        step = rng.choice(content.steps)
        kind = rng.choice(["problem", "later", "done", "solved"])
        detail = rng.choice([p.id for p in step.problems] or [""]) if kind == "problem" else ""
        if kind == "done":
            state.record("done", step.id, now=moment)
        else:
            state.events.append(Event(moment, kind, step.id, detail))
        moment += timedelta(hours=1)
    return language, state


@settings(max_examples=150, deadline=None)
@given(_journeys())
def test_ended_and_next_action_are_never_both_set(journey: tuple[str, State]) -> None:
    language, state = journey
    seen = situation(_CONTENTS[language], state, NOW)
    assert not (seen.ended and seen.next_action is not None)


@settings(max_examples=150, deadline=None)
@given(_journeys())
def test_a_stage_is_done_only_when_all_its_steps_are(journey: tuple[str, State]) -> None:
    language, state = journey
    seen = situation(_CONTENTS[language], state, NOW)
    for stage in seen.progress.stages:
        if stage.status == DONE:
            mine = [s for s in seen.progress.steps if s.step.stage == stage.stage.id]
            assert all(s.status in (DONE, SKIPPED) for s in mine)


@settings(max_examples=150, deadline=None)
@given(_journeys())
def test_a_validated_user_is_never_waiting(journey: tuple[str, State]) -> None:
    language, state = journey
    content = _CONTENTS[language]
    state.record("done", "access.wait-validation", now=T0 + timedelta(days=2))
    seen = situation(content, state, NOW)
    assert seen.waiting_since is None and seen.waiting_days is None


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(_CONTENTS)),
    st.sampled_from([e.id for e in _CONTENTS["fr"].troubleshooting]),
    st.randoms(use_true_random=False),
)
def test_a_problem_makes_its_desk_the_actor_until_the_user_moves_on(
    language: str, entry_id: str, rng: random.Random
) -> None:
    content = _CONTENTS[language]
    entry = next(e for e in content.troubleshooting if e.id == entry_id)
    step = rng.choice(entry.steps)
    state = _walked(language, step)
    state.record("problem", step, entry.id, now=T0 + timedelta(days=1))
    desk = entry.desks[0]
    seen = situation(content, state, NOW)
    expected = {"self": "user", "admin": "organisation-admin"}.get(desk, desk)
    assert seen.actor == expected
    assert seen.last_problem is not None and seen.last_problem.desk == desk
    # "later" at the same step keeps it; moving on or saying it is solved ends it
    state.record("later", step, now=T0 + timedelta(days=2))
    assert situation(content, state, NOW).actor == expected
    ending = rng.choice(["solved", "done"])
    state.record(ending, step, now=T0 + timedelta(days=3))
    assert situation(content, state, NOW).last_problem is None


def test_the_support_scenario_names_the_control_body(content_fr=_CONTENTS["fr"]) -> None:
    state = _walked("fr", "operator.search")
    state.record("problem", "operator.search", "oper-029", now=T0 + timedelta(days=1))
    state.record("later", "operator.search", OPERATOR_NOT_FOUND, now=T0 + timedelta(days=1))
    seen = situation(content_fr, state, NOW)
    assert seen.actor == "control-body"
    assert seen.blocked is not None and seen.blocked.step == "operator.search"
    assert seen.blocked.code == OPERATOR_NOT_FOUND
    assert seen.last_problem is not None and seen.last_problem.id == "oper-029"
    assert seen.next_action is not None and seen.next_action.code == CONTACT_DESK
    assert BLOCKED_PROBLEM  # the code exists for a problem without a company missing


def test_waiting_counts_days_only_while_the_request_is_pending() -> None:
    content = _CONTENTS["fr"]
    state = _walked("fr", "access.wait-validation")
    seen = situation(content, state, NOW)
    assert seen.step == "access.wait-validation" and seen.actor == "control-body"
    assert seen.waiting_days is not None and seen.waiting_days > 0
    state.record("done", "access.wait-validation", now=NOW)
    assert situation(content, state, NOW).waiting_days is None


def test_milestones_reached_carry_their_dates() -> None:
    content = _CONTENTS["fr"]
    state = _walked("fr", None)
    seen = situation(content, state, NOW)
    assert seen.complete and seen.next_action is None
    names = [name for name, _ in seen.milestones]
    assert len(names) == len(set(names)) and names
    assert all(at >= T0 for _, at in seen.milestones)
