"""The wizard from a SIRET to the request, in a real terminal, with another control body.

A person types the SIRET at the operator search; the Agence Bio's directory (a local
stand-in on 127.0.0.1) says who the company is; the TRACES NT directory index (a real
import) gives the candidate; the person confirms it; the control body the certificate
names (not the seeds' Certipaq BIO) is the one the next steps and the message name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

import agencebio_server as bio
from agencebio_server import AgenceBioServer, serving
from helpers import APP_ANSWERS, T0, advance
from pty_driver import spawn
from test_agencebio import TRACES_RECORDS
from tracesguide.content import load
from tracesguide.state import State
from tracesguide.state import store as state_module

CONTENT = load("fr")
OPERATOR = next(q for s in CONTENT.steps for q in s.ask if q.kind == "operator")
STEP = next(s for s in CONTENT.steps if OPERATOR in s.ask)
MESSAGE_STEP = next(s for s in CONTENT.steps if s.message is not None)
BODY = "Ecocert France (FR-BIO-98)"  # the TRACES NT certificate's issuing body


@pytest.fixture
def world(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AgenceBioServer]:
    source = tmp_path / "annuaire.json"
    source.write_text(json.dumps(TRACES_RECORDS), encoding="utf-8")
    assert cli("operators", "import", str(source)).code == 0
    with serving() as directory:
        monkeypatch.setenv("TRACESGUIDE_AGENCEBIO_URL", directory.url)
        yield directory


def _spawn(state: Path) -> pexpect.spawn:
    return spawn(["setup", "--state", str(state)])


def _flat(text: str | None) -> str:
    return " ".join((text or "").split())


def test_from_the_siret_to_the_request_with_another_control_body(
    world: AgenceBioServer, tmp_path: Path
) -> None:
    state = tmp_path / "s.toml"
    child = _at_the_search(state)
    child.sendline("412 345 670 00019")
    child.expect("Votre entreprise :")
    seen = _flat(child.before)
    assert "Seul le SIRET est envoyé" in seen  # said before it leaves
    assert "COOPERATIVE DU MOULIN SARL" in seen and "ECOCERT FRANCE" in seen
    assert "Activité d'import : oui" in seen
    child.expect("d'après votre SIRET")  # the candidate, preselected first
    child.send("\r")
    child.expect("Où en êtes-vous")  # the certificate is issued with import: on to the request
    seen = _flat(child.before)
    assert f"Votre organisme de contrôle, d'après le certificat : {BODY}" in seen
    child.send("\r")  # the authorisation requested: done
    child.expect("Votre contact à votre organisme de contrôle")
    child.sendline("")
    child.expect("Où en êtes-vous")
    seen = _flat(child.before)
    assert f"Informez {BODY}, votre organisme de contrôle" in seen
    assert f"À : {BODY} (votre contact habituel)" in seen
    # the only Certipaq left is the source cited: the guide this procedure comes from
    assert "Certipaq" not in seen.replace("Source : Guide Certipaq BIO", "")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    answers = state_module.load(state).answers
    assert answers[OPERATOR.stored("number")] == "FR-ORG-OP-101"
    assert answers[OPERATOR.stored("body")] == BODY
    assert world.requests[0]["siret"] == bio.IMPORTER and len(world.requests) == 1
    message = state_module.message_path(state, MESSAGE_STEP.message.file).read_text("utf-8")
    assert BODY in message and "Certipaq" not in message


def _at_the_search(state: Path) -> pexpect.spawn:
    state_module.save(
        advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until=STEP.id), state
    )
    child = _spawn(state)
    child.expect("Appuyez sur Entrée pour continuer")
    child.send("\r")
    child.expect("Recherchez votre entreprise")
    return child


def test_offline_the_step_goes_on_by_name(
    world: AgenceBioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TRACESGUIDE_AGENCEBIO_URL", f"http://127.0.0.1:{port}/api/")
    child = _at_the_search(tmp_path / "s.toml")
    child.sendline(bio.IMPORTER)
    child.expect("Annuaire de l'Agence Bio indisponible \\(pas de connexion à 127.0.0.1")
    child.expect("Recherchez votre entreprise")  # asked again: search by name, as before
    child.sendline("Jardins de Provence")
    child.expect("Votre entreprise :")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()


def test_a_siret_not_found_goes_on_by_name(world: AgenceBioServer, tmp_path: Path) -> None:
    child = _at_the_search(tmp_path / "s.toml")
    child.sendline(bio.UNKNOWN)
    child.expect(f"Le SIRET {bio.UNKNOWN} n'est pas dans l'annuaire")
    child.expect("Recherchez votre entreprise")  # asked again: search by name
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()


def test_a_wrong_check_digit_is_refused_before_anything_is_sent(
    world: AgenceBioServer, tmp_path: Path
) -> None:
    child = _at_the_search(tmp_path / "s.toml")
    child.sendline("41234567000018")
    child.expect("clé de contrôle")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert world.requests == []


def _waiting(path: Path, body: str) -> Path:
    """A user whose request waits for the control body their certificate named."""
    wait = next(s for s in CONTENT.steps if s.actor == "control-body")
    state = advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until=wait.id)
    state.answer(OPERATOR.stored("body"), body, step=STEP.id, now=T0)
    state_module.save(state, path)
    return path


def test_who_acts_and_the_desks_name_the_users_control_body(
    cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _waiting(tmp_path / "s.toml", BODY)
    status = _flat(cli("status", "--state", str(path)).out)
    assert f"l'organisme de contrôle ({BODY})" in status
    replay = _flat(cli("replay", str(path)).out)
    assert f"l'organisme de contrôle ({BODY})" in replay
    shown = _flat(cli("show", "access.wait-validation", "--state", str(path)).out)
    assert f"{BODY} vérifie l'éligibilité de votre demande" in shown
    page = tmp_path / "c.html"
    assert cli("check", str(path), "--html", str(page)).code == 1
    import html

    assert f"l'organisme de contrôle ({BODY})" in _flat(html.unescape(page.read_text("utf-8")))
    monkeypatch.setenv("TRACESGUIDE_STATE", str(path))
    desks = json.loads(cli("troubleshoot", "--json").out)["problems"]
    names = {d["name"] for p in desks for d in p["desks"]}
    assert f"Votre organisme de contrôle ({BODY})" in names


def test_without_a_certificate_certipaq_bio_stays_the_default(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    wait = next(s for s in CONTENT.steps if s.actor == "control-body")
    state = advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until=wait.id)
    state_module.save(state, tmp_path / "s.toml")
    status = _flat(cli("status", "--state", str(tmp_path / "s.toml")).out)
    assert "l'organisme de contrôle (Certipaq BIO)" in status


def test_a_certificate_body_other_than_the_one_named_is_said(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    state = advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until=STEP.id)
    state.answer(OPERATOR.stored("body"), "Certipaq BIO", step=STEP.id, now=T0)  # named before
    path = tmp_path / "s.toml"
    state_module.save(state, path)
    following = CONTENT.steps[CONTENT.steps.index(STEP) + 1]
    answers = {
        **APP_ANSWERS,
        OPERATOR.stored("name"): "Coopérative du Moulin SARL",
        OPERATOR.stored("number"): "FR-ORG-OP-101",
        OPERATOR.stored("body"): BODY,
    }
    lines = [f'{key} = "{value}"' for key, value in answers.items()]
    file = tmp_path / "a.toml"
    file.write_text(f'stop_at = "{following.id}"\n' + "\n".join(lines) + "\n", "utf-8")
    result = cli("setup", "--answers", str(file), "--state", str(path))
    assert result.code == 0, result.err
    assert f"Le certificat nomme {BODY} comme organisme de contrôle, et non Certipaq BIO" in _flat(
        result.out
    )
    assert state_module.load(path).answers[OPERATOR.stored("body")] == BODY


def test_directories_that_disagree_on_the_body_are_said_and_a_withdrawal_stops(
    world: AgenceBioServer, tmp_path: Path
) -> None:
    """The French directory says ECOCERT FRANCE, RETIREE; TRACES NT's certificate,
    Certipaq BIO, withdrawn: both are said, the TRACES NT certificate's body is kept and
    the withdrawal stops the step."""
    state = tmp_path / "s.toml"
    child = _at_the_search(state)
    child.sendline(bio.WITHDRAWN)
    child.expect("« RETIREE »")
    child.expect("d'après votre SIRET")
    child.send("\r")
    child.expect("vérifiez sur votre certificat de conformité lequel")
    assert "L'annuaire de l'Agence Bio nomme ECOCERT FRANCE" in _flat(child.before)
    child.expect("retiré ou suspendu")
    child.expect(pexpect.EOF)
    child.close()
    saved = state_module.load(state)
    assert saved.steps[STEP.id].status == "blocked"
    assert saved.answers[OPERATOR.stored("body")] == "Certipaq BIO (FR-BIO-01)"
