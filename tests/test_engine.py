"""The engine over the real French content: next step, branches, blocks, milestones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpers import APP_ANSWERS, T0, advance
from tracesguide.content import MILESTONES, load
from tracesguide.engine import (
    BLOCKED,
    DONE,
    SKIPPED,
    TO_DO,
    closest_ids,
    expired_timer,
    minutes_since,
    progress,
)
from tracesguide.state import State


@pytest.fixture
def content():  # type: ignore[no-untyped-def]
    return load()


def test_a_new_user_starts_at_the_first_step(content) -> None:  # type: ignore[no-untyped-def]
    report = progress(content, None)
    assert report.next_step is not None and report.next_step.id == content.steps[0].id
    assert report.milestones == dict.fromkeys(MILESTONES, False)
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
    st.record("done", content.steps[0].id, now=T0)
    report = progress(content, st)
    assert report.next_step is not None and report.next_step.id == content.steps[1].id


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
