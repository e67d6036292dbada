"""Navigation without a terminal: the engine's reopening rules, status, stop_at, the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import APP_ANSWERS, T0, advance, write_state
from test_setup import load_answers, memory_keyring, write_answers  # noqa: F401 (fixture)
from tracesguide.content import load
from tracesguide.engine import dependents, position, previous_step, progress
from tracesguide.reports.status import status_report
from tracesguide.state import State
from tracesguide.state import store as state_module

CONTENT = load()


def test_the_steps_an_answer_opens_again_are_declared_in_the_content() -> None:
    assert "eu-login.email" in dependents(CONTENT, "email")
    assert "eu-login.set-password" in dependents(CONTENT, "email")
    assert "traces.sign-in" in dependents(CONTENT, "second_factor_method")
    # every step of the other method (its `when`), so that a switch back starts afresh
    assert "second-factor.sms.finalise" in dependents(CONTENT, "second_factor_method")
    assert "operator.request-authorisation" in dependents(CONTENT, "operator")
    for key in ("first_name", "email", "operator", "phone"):
        for step_id in dependents(CONTENT, key):
            step = CONTENT.step(step_id)
            assert key in step.depends_on or any(k == key for k, _ in step.when)


def test_previous_step_skips_what_does_not_apply() -> None:
    state = advance(State.new(now=T0), CONTENT, APP_ANSWERS, until="traces.welcome")
    back = previous_step(CONTENT, state, CONTENT.step("traces.welcome"))
    assert back is not None and back.stage == "second-factor" and ".sms." not in back.id
    assert previous_step(CONTENT, state, CONTENT.steps[0]) is None


def test_progress_counts_the_steps_of_the_users_path() -> None:
    number, total = position(CONTENT, {}, CONTENT.steps[0])
    assert number == 1
    sms = {**APP_ANSWERS, "second_factor_method": "sms", "sms_route": "direct"}
    finalise = CONTENT.step("second-factor.sms.finalise")
    sms_number, sms_total = position(CONTENT, sms, finalise)
    assert sms_total > total and sms_number < sms_total


def test_a_role_that_ends_the_guide_is_never_shown_done_and_blocked(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    state = write_state(path, {**APP_ANSWERS, "role": "authority"})
    report = status_report(CONTENT, path, state).as_json()
    traces = next(s for s in report["stages"] if s["id"] == "traces")
    assert traces["status"] == "blocked"
    blocked_stages = {b["step"].split(".")[0] for b in report["blocked_steps"]}
    for stage in report["stages"]:
        assert not (stage["status"] == "done" and stage["id"] in blocked_stages)


def test_a_stage_is_ticked_only_when_all_its_steps_are_done() -> None:
    state = advance(State.new(now=T0), CONTENT, APP_ANSWERS, until="eu-login.create-account")
    state.steps.pop("eu-login.language")  # the optional step not visited yet
    stages = {s.stage.id: s.status for s in progress(CONTENT, state).stages}
    assert stages["eu-login"] == "in-progress"


def test_stop_at_a_question_step_stops_as_documented(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.toml"
    answers = {k: v for k, v in load_answers().items() if not k.startswith("operator_")}
    answers_file = write_answers(tmp_path / "a.toml", answers, 'stop_at = "operator.search"\n')
    result = cli("setup", "--answers", str(answers_file), "--state", str(state))
    assert result.code == 0, result.err
    assert "Reprenez quand vous voulez" in result.out and "manquante" not in result.err
    saved = state_module.load(state)
    assert "operator.search" not in saved.steps
    assert saved.events[-1].kind == "later" and saved.events[-1].step == "operator.search"


@pytest.mark.usefixtures("memory_keyring")
def test_the_message_has_a_recipient_and_a_file_of_its_own(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = write_answers(
        tmp_path / "a.toml",
        {**load_answers(), "control_body_contact": "contact.bio@exemple.fr"},
    )
    first, second = tmp_path / "dupont.toml", tmp_path / "martin.toml"
    assert cli("setup", "--answers", str(answers), "--state", str(first)).code == 0
    plain = write_answers(tmp_path / "b.toml", load_answers())
    assert cli("setup", "--answers", str(plain), "--state", str(second)).code == 0
    mine = (tmp_path / "dupont-message-organisme-de-controle.txt").read_text()
    theirs = (tmp_path / "martin-message-organisme-de-controle.txt").read_text()
    assert mine.startswith("À : contact.bio@exemple.fr\n")
    assert theirs.startswith("À : Certipaq BIO")  # no contact given: the optional answer
    assert not (tmp_path / "message-organisme-de-controle.txt").exists()


@pytest.mark.usefixtures("memory_keyring")
def test_the_end_summary_and_the_resume_while_waiting(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.toml"
    waiting = write_answers(
        tmp_path / "a.toml", load_answers(), 'stop_at = "access.wait-validation"\n'
    )
    assert cli("setup", "--answers", str(waiting), "--state", str(state)).code == 0
    again = cli("setup", "--answers", str(waiting), "--state", str(state))
    assert "En attente de la validation" in again.out and "envoyée il y a" in again.out
    first = (tmp_path / "state-message-organisme-de-controle.txt").read_text()
    assert "Relance" not in first  # a reminder never overwrites the first message
    (reminder,) = tmp_path.glob("state-message-organisme-de-controle.????-??-??.txt")
    assert "Objet : Relance : Demande d'autorisation TRACES NT" in reminder.read_text()
    done = write_answers(tmp_path / "b.toml", load_answers())
    end = cli("setup", "--answers", str(done), "--state", str(state))
    flat = " ".join(end.out.split())
    assert "Récapitulatif" in flat and "Compte EU Login : camille.exemple@exemple.fr" in flat
    assert "Second facteur : SMS" in flat and "(n° TRACES BE-ORG-OP-5)" in flat
    assert "state-message-organisme-de-controle.txt" in flat and "Et maintenant" in flat


def test_the_end_summary_leaves_out_what_the_existing_user_path_does_not_ask(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    answers = tmp_path / "a.toml"
    answers.write_text(
        'traces_access = "existing"\nfirst_name = "Camille"\nlast_name = "EXEMPLE"\n'
        'email = "camille.exemple@exemple.fr"\nhas_certificate = "yes"\n'
        'operator_name = "ALPRO Comm.V.A."\noperator_traces_number = "BE-ORG-OP-5"\n',
        "utf-8",
    )
    end = cli("setup", "--answers", str(answers), "--state", str(tmp_path / "s.toml"))
    assert end.code == 0
    summary = " ".join(end.out.split("Récapitulatif", 1)[1].split())
    assert "Compte EU Login : camille.exemple@exemple.fr" in summary
    assert "Opérateur : ALPRO Comm.V.A. (n° TRACES BE-ORG-OP-5)" in summary
    # the second factor and the role are those of the account already used: not asked
    assert "Second facteur :" not in summary and "Rôle dans TRACES NT" not in summary
    assert "(non renseigné)" not in summary


def test_edit_without_a_terminal_lists_the_answers_and_refuses_a_change(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "state.toml"
    write_state(path, until="traces.welcome")
    before = path.read_bytes()
    listing = cli("edit", "--state", str(path))
    assert listing.code == 0
    assert (
        "camille.exemple@exemple.fr" in listing.out and "Application mobile EU Login" in listing.out
    )
    refused = cli("edit", "email", "--state", str(path))
    assert refused.code == 2 and "tracesguide edit email" in refused.err
    assert path.read_bytes() == before


def test_show_gives_one_short_source_line_and_every_source_on_request(cli) -> None:  # type: ignore[no-untyped-def]
    step = CONTENT.step("second-factor.sms-warning")
    shorts = dict.fromkeys(CONTENT.source(ref.source).short for ref in step.source)
    short = " ".join(cli("show", step.id).out.split())
    assert "Source : " + " ; ".join(shorts) in short
    where = " ".join(step.source[0].where.split())
    assert where not in short  # the places (some are English notes): only on request
    assert where in " ".join(cli("show", step.id, "--sources").out.split())
