"""The engine over the real French content: next step, branches, blocks, milestones."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import APP_ANSWERS, T0, advance
from tracesguide.content import Content, load
from tracesguide.engine import (
    BLOCKED,
    DONE,
    SKIPPED,
    TO_DO,
    closest_ids,
    expired_timer,
    minutes_since,
    progress,
    progress_key,
)
from tracesguide.state import State, StepRecord


@pytest.fixture
def content():  # type: ignore[no-untyped-def]
    return load()


def test_a_new_user_starts_at_the_first_step(content) -> None:  # type: ignore[no-untyped-def]
    report = progress(content, None)
    assert report.next_step is not None and report.next_step.id == content.steps[0].id
    assert report.milestones == dict.fromkeys(content.milestones, False)
    assert not report.complete
    assert all(s.status == TO_DO for s in report.stages)


def test_a_full_app_run_is_complete_and_skips_the_sms_path(content) -> None:  # type: ignore[no-untyped-def]
    report = progress(content, advance(State.new(now=T0), content, APP_ANSWERS))
    assert report.complete and report.next_step is None
    assert all(report.milestones.values())
    sms = [s for s in report.steps if s.step.id.startswith("second-factor.sms.")]
    assert sms and all(s.status == SKIPPED for s in sms)
    assert report.status_of("second-factor.app.scan-qr").status == DONE
    assert [s.status for s in report.stages] == [DONE] * 5


def test_the_sms_path_runs_the_prefecture_steps(content) -> None:  # type: ignore[no-untyped-def]
    answers = {**APP_ANSWERS, "second_factor_method": "sms", "sms_route": "traces"}
    answers["phone_masked"] = "+33 6 •• •• •• 78"
    report = progress(content, advance(State.new(now=T0), content, answers))
    done = {s.step.id for s in report.steps if s.status == DONE}
    assert {f"second-factor.sms.{n}" for n in ("sign-in", "add-number", "finalise")} <= done
    assert report.status_of("second-factor.sms.direct-my-account").status == SKIPPED
    assert report.status_of("second-factor.app.install").status == SKIPPED
    assert report.complete


def test_branch_steps_wait_for_the_choice(content) -> None:  # type: ignore[no-untyped-def]
    st = advance(State.new(now=T0), content, APP_ANSWERS, until="second-factor.choose-method")
    report = progress(content, st)
    assert report.next_step is not None and report.next_step.id == "second-factor.choose-method"
    assert report.status_of("second-factor.app.install").pending
    assert report.stages[0].status == DONE and report.milestones["eu-login-account"]


@pytest.mark.parametrize("role", ["control-body", "authority"])
def test_another_role_ends_the_guide_with_an_explanation(content, role: str) -> None:  # type: ignore[no-untyped-def]
    report = progress(content, advance(State.new(now=T0), content, {**APP_ANSWERS, "role": role}))
    assert report.ended  # the explanation from the content
    assert report.next_step is None and not report.complete
    assert report.milestones["traces-role"] and not report.milestones["authorisation-requested"]
    assert all(s.status == SKIPPED for s in report.steps if s.step.stage in ("operator", "access"))
    assert ("traces.choose-role", report.ended) in report.blocked


def test_no_certificate_blocks_the_operator_stage(content) -> None:  # type: ignore[no-untyped-def]
    st = advance(State.new(now=T0), content, {**APP_ANSWERS, "has_certificate": "no"})
    report = progress(content, st)
    operator = next(s for s in report.stages if s.stage.id == "operator")
    assert operator.status == BLOCKED and "Organic Import" in operator.reason
    assert report.next_step is not None and report.next_step.id == "operator.certificate"
    assert report.blocked[0][0] == "operator.certificate"
    # the certificate arrives: the stage opens again
    st.answer("has_certificate", "yes", step="operator.certificate", now=T0)
    st.record("done", "operator.certificate", now=T0)
    report = progress(content, st)
    assert report.next_step is not None and report.next_step.id == "operator.open-list"
    assert not report.blocked


def test_progress_is_keyed_by_id_not_position(content) -> None:  # type: ignore[no-untyped-def]
    st = State.new(now=T0)
    st.record("done", "retired.step-from-an-old-version", now=T0)
    st.answer("traces_access", "new", step=content.steps[0].id, now=T0)
    st.record("done", content.steps[0].id, now=T0)
    report = progress(content, st)
    assert report.next_step is not None and report.next_step.id == "eu-login.welcome"


def test_the_password_link_expires_after_90_minutes(content) -> None:  # type: ignore[no-untyped-def]
    st = advance(State.new(now=T0), content, APP_ANSWERS, until="eu-login.set-password")
    step = content.step("eu-login.set-password")
    created_at = st.steps["eu-login.create-account"].at
    assert expired_timer(content, st, step, created_at + timedelta(minutes=89)) == ""
    assert "Mot de passe perdu" in expired_timer(
        content, st, step, created_at + timedelta(minutes=91)
    )
    assert minutes_since(st, "eu-login.create-account", created_at + timedelta(minutes=91)) == 91


def test_closest_ids_for_a_typo(content) -> None:  # type: ignore[no-untyped-def]
    assert closest_ids(content, "second-factor.sms.add-numbr")[0] == "second-factor.sms.add-number"


# --- progress_key: what check shares between files at the same position -------------

_CONTENTS = {language: load(language) for language in ("fr", "en")}


@st.composite
def _positions(draw: st.DrawFn) -> tuple[str, State]:
    """A state over a small domain (so that keys often collide): every answer a choice
    value, another word, or absent; each step recorded or not, with a few reasons."""
    language = draw(st.sampled_from(sorted(_CONTENTS)))
    content = _CONTENTS[language]
    rng = draw(st.randoms(use_true_random=False))
    saved = State.new(now=T0)
    for question in (q for step in content.steps for q in step.ask):
        value = rng.choice([c.value for c in question.choices] + ["autre", None])
        if value is not None:
            saved.answers[question.key] = value
    for step in content.steps:
        status = rng.choice([None, None, "done", "skipped", "blocked"])
        if status is not None:
            at = T0 + timedelta(minutes=rng.randrange(10_000))
            saved.steps[step.id] = StepRecord(status, at, rng.choice(["", "r"]))
    return language, saved


def _moved(content: Content, saved: State, rng: random.Random) -> State:
    """*saved* with one thing changed: an answer, or a step's record."""
    other = State.new(now=T0)
    other.answers, other.steps = dict(saved.answers), dict(saved.steps)
    if rng.random() < 0.5:
        question = rng.choice([q for step in content.steps for q in step.ask])
        value = rng.choice([c.value for c in question.choices] + ["autre", None])
        other.answers.pop(question.key, None)
        if value is not None:
            other.answers[question.key] = value
    else:
        step = rng.choice(content.steps).id
        other.steps.pop(step, None)
        status = rng.choice([None, "done", "skipped", "blocked"])
        if status is not None:
            other.steps[step] = StepRecord(status, T0, rng.choice(["", "r"]))
    return other


@settings(max_examples=200, deadline=None)
@given(_positions(), st.randoms(use_true_random=False), st.text(max_size=20))
def test_states_with_the_same_key_have_the_same_progress(
    position: tuple[str, State], rng: random.Random, name: str
) -> None:
    language, one = position
    content = _CONTENTS[language]
    key = progress_key(content)
    # One thing changed: if the key stays, progress must stay (a key that forgot an
    # answer or a record progress reads would fail here).
    other = _moved(content, one, rng)
    if key(other) == key(one):
        assert progress(content, other) == progress(content, one)
    # The same position told differently (names, dates, events) has the same key.
    twin = State.new(now=T0 + timedelta(minutes=7))
    twin.answers = {**one.answers, "first_name": name, "email": f"{name}@exemple.fr"}
    twin.steps = {s: r._replace(at=r.at + timedelta(days=3)) for s, r in one.steps.items()}
    twin.record("note", "eu-login.welcome", name)
    assert key(twin) == key(one)
    assert progress(content, twin) == progress(content, one)


def test_a_changed_answer_or_record_changes_the_key(content) -> None:  # type: ignore[no-untyped-def]
    key = progress_key(content)
    saved = advance(State.new(now=T0), content, APP_ANSWERS, until="second-factor.app.install")
    before = key(saved)
    changed = State.new(now=T0)
    changed.answers = {**saved.answers, "second_factor_method": "sms"}
    changed.steps = dict(saved.steps)
    assert key(changed) != before
    reopened = State.new(now=T0)
    reopened.answers = dict(saved.answers)
    reopened.steps = {k: v for k, v in saved.steps.items() if k != "eu-login.form"}
    assert key(reopened) != before


def _before_the_access_question(state: State) -> State:
    """*state* as a version without the first question (« Utilisez-vous déjà TRACES
    NT ? ») wrote it: no answer, no record for that step."""
    state.answers.pop("traces_access")
    state.steps.pop("eu-login.start")
    return state


def test_a_state_written_before_a_new_question_keeps_its_progress(content) -> None:  # type: ignore[no-untyped-def]
    old = _before_the_access_question(advance(State.new(now=T0), content, APP_ANSWERS))
    report = progress(content, old)
    assert report.complete and report.next_step is None
    assert [s.status for s in report.stages] == [DONE] * 5
    assert report.status_of("eu-login.start").status == DONE  # its answer is implied
    assert report.status_of("eu-login.existing-account").status == SKIPPED
    halfway = advance(State.new(now=T0), content, APP_ANSWERS, until="second-factor.app.add-device")
    report = progress(content, _before_the_access_question(halfway))
    assert report.next_step is not None and report.next_step.id == "second-factor.app.add-device"


def test_a_new_state_waits_for_the_access_question(content) -> None:  # type: ignore[no-untyped-def]
    report = progress(content, State.new(now=T0))
    assert report.next_step is not None and report.next_step.id == "eu-login.start"
    assert report.status_of("eu-login.welcome").pending
    assert report.status_of("eu-login.existing-account").pending
