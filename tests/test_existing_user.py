"""Someone who already uses TRACES NT (another role, another company) and only needs the
operator role: the path that keeps the EU Login account and its second factor and asks for
the « Opérateur » access profile, driven in a real pseudo-terminal and from an answers file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pty_driver import CONTENT, Session
from test_setup import write_answers

EXISTING = {
    "traces_access": "existing",
    "first_name": "Camille",
    "last_name": "EXEMPLE",
    "email": "camille.exemple@exemple.fr",
    "has_certificate": "yes",
    "operator_name": "alpro",
    "operator_traces_number": "BE-ORG-OP-5",
}
# What a new user does and someone who already uses TRACES NT does not.
ACCOUNT_CREATION = [s.id for s in CONTENT.steps_of("eu-login") if s.id.startswith("eu-login.")][2:]
ENROLMENT = [s.id for s in CONTENT.steps_of("second-factor") if ("traces_access", "new") in s.when]


def saved(path: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads(path.read_text())


@pytest.mark.pty
def test_an_existing_user_reaches_the_operator_step_without_creating_an_account(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.toml"
    session = Session(state, size=(24, 80))
    session.run(EXISTING, actions={"operator.open-list": "later"})
    data = saved(state)
    assert data["answers"]["traces_access"] == "existing"
    done = [step for step, record in data["steps"].items() if record["status"] == "done"]
    assert done == [
        "eu-login.start",
        "eu-login.existing-account",
        "second-factor.existing",
        "second-factor.second-method",
        "traces.existing.sign-in",
        "traces.existing.profile",
        "operator.certificate",
    ]
    # the account creation and the second factor's enrolment were never drawn or asked
    for step_id in ACCOUNT_CREATION + ENROLMENT + ["traces.choose-role"]:
        assert not session.showed(step_id), step_id
    assert "email_language" not in data["answers"]
    assert "second_factor_method" not in data["answers"] and "role" not in data["answers"]
    assert session.showed("traces.existing.profile")
    assert "Éditer votre profil" in session.output
    # the name and address were asked once, as those of the existing account
    answered = [
        e for e in data["events"] if (e["kind"], e.get("detail")) == ("answer", "first_name")
    ]
    assert [e["step"] for e in answered] == ["eu-login.existing-account"]
    assert "tel qu'il figure dans votre compte EU Login" in session.output
    # where the user stands is counted on this path: the operator stage comes sooner
    assert "Étape 7 sur" in session.output


def test_the_existing_user_path_from_an_answers_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.toml"
    answers = write_answers(tmp_path / "a.toml", {**EXISTING, "operator_name": "ALPRO Comm.V.A."})
    result = cli("setup", "--answers", str(answers), "--state", str(state))
    assert result.code == 0, result.err
    data = saved(state)
    for step_id in ACCOUNT_CREATION + ENROLMENT + ["traces.choose-role"]:
        assert step_id not in data["steps"], step_id
    for step_id in (
        "eu-login.existing-account",
        "second-factor.existing",
        "traces.existing.profile",
    ):
        assert data["steps"][step_id]["status"] == "done"
    for milestone in CONTENT.milestones[:4]:  # up to the authorisation request
        assert cli("check", "--require", milestone, str(state)).code == 0, milestone
    message = next(tmp_path.glob("state-message-*.txt")).read_text()
    assert "camille.exemple@exemple.fr" in message and "Camille EXEMPLE" in message


def test_an_answers_file_without_the_access_question_names_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write_answers(
        tmp_path / "a.toml", {k: v for k, v in EXISTING.items() if k != "traces_access"}
    )
    result = cli("setup", "--answers", str(answers), "--state", str(tmp_path / "s.toml"))
    assert result.code == 2
    assert "traces_access" in result.err
