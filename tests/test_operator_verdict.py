"""The operator step decides right: the certificate's verdict before the request.

The verdict is the one of ``operators certificate`` (``operators.certificate``); the
wizard applies it when a real directory is there, and the shipped sample, a
demonstration, never says that a request can be made.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

from helpers import APP_ANSWERS, T0, advance
from pty_driver import spawn
from test_operators_certificate import RECORDS
from tracesguide.content import load
from tracesguide.state import State
from tracesguide.state import store as state_module

CONTENT = load("fr")
OPERATOR = next(q for s in CONTENT.steps for q in s.ask if q.kind == "operator")
STEP = next(s for s in CONTENT.steps if OPERATOR in s.ask)


def test_the_sample_never_says_a_request_can_be_made(cli: Callable[..., Any]) -> None:
    for query in ("Coffee Team Lyon", "BE-ORG-OP-5", "ALPRO Comm.V.A."):
        result = cli("operators", "certificate", "--json", query)
        assert result.code == 1, result.out
        record = json.loads(result.out)
        assert record["verdict"] == "sample" and record["ok"] is False
        assert "démonstration" in record["message"] and "pas l'annuaire réel" in record["message"]
    text = cli("operators", "certificate", "Coffee Team Lyon")
    assert "Vous pouvez demander" not in text.out and "démonstration" in text.out


@pytest.fixture
def directory(cli: Callable[..., Any], tmp_path: Path) -> None:
    source = tmp_path / "annuaire.json"
    source.write_text(json.dumps(RECORDS), encoding="utf-8")
    assert cli("operators", "import", str(source)).code == 0


def _at_the_operator_step(path: Path) -> Path:
    state = advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until=STEP.id)
    state_module.save(state, path)
    return path


def _answers(path: Path, name: str, number: str) -> Path:
    answers = {**APP_ANSWERS, OPERATOR.stored("name"): name, OPERATOR.stored("number"): number}
    lines = [f'{key} = "{value}"' for key, value in answers.items()]
    following = CONTENT.steps[CONTENT.steps.index(STEP) + 1]
    path.write_text(f'stop_at = "{following.id}"\n' + "\n".join(lines) + "\n", "utf-8")
    return path


@pytest.mark.usefixtures("directory")
@pytest.mark.parametrize(
    ("name", "number", "says"),
    [
        ("Jardins de Provence", "FR-ORG-OP-202", "aucun certificat en cours ne porte d'activité"),
        ("Bio Import Est", "FR-ORG-OP-303", "retiré ou suspendu"),
        ("Vergers Anciens", "FR-ORG-OP-506", "le certificat a expiré"),
    ],
)
def test_a_certificate_that_cannot_back_the_request_stops_the_step(
    cli: Callable[..., Any], tmp_path: Path, name: str, number: str, says: str
) -> None:
    state = _at_the_operator_step(tmp_path / "s.toml")
    result = cli(
        "setup",
        "--answers",
        str(_answers(tmp_path / "a.toml", name, number)),
        "--state",
        str(state),
    )
    assert result.code == 0, result.err
    assert says in " ".join(result.out.split())
    saved = state_module.load(state)
    record = saved.steps[STEP.id]
    assert record.status == "blocked" and says in record.reason  # kept for replay
    status = json.loads(cli("status", "--json", "--state", str(state)).out)
    assert status["blocked"] == {"code": "answer", "step": STEP.id}
    replay = cli("replay", str(state))
    assert says in " ".join(replay.out.split())


@pytest.mark.usefixtures("directory")
def test_an_issued_importer_goes_on_to_the_request(cli: Callable[..., Any], tmp_path: Path) -> None:
    state = _at_the_operator_step(tmp_path / "s.toml")
    answers = _answers(tmp_path / "a.toml", "Coopérative du Moulin SARL", "FR-ORG-OP-101")
    result = cli("setup", "--answers", str(answers), "--state", str(state))
    assert result.code == 0, result.err
    assert state_module.load(state).steps[STEP.id].status == "done"


def _wizard_at_the_search(state: Path) -> pexpect.spawn:
    """``setup`` in an 80×24 pseudo-terminal, resumed, at the operator search's prompt."""
    child = spawn(["setup", "--state", str(state)])
    child.expect("Appuyez sur Entrée pour continuer")  # the resume screen, read first
    child.send("\r")
    child.expect("Recherchez votre entreprise")
    return child


@pytest.mark.usefixtures("directory")
def test_the_wizard_stops_an_operator_without_the_import_activity(tmp_path: Path) -> None:
    """In a real terminal: the company picked in the directory, then the verdict."""
    state = _at_the_operator_step(tmp_path / "s.toml")
    child = _wizard_at_the_search(state)
    child.sendline("Jardins de Provence")
    child.expect("Votre entreprise")
    child.send("\r")  # the first result: Jardins de Provence
    child.expect("aucun certificat en cours")
    child.expect(pexpect.EOF)
    child.close()
    record = state_module.load(state).steps[STEP.id]
    assert record.status == "blocked"
    assert state_module.load(state).answers[OPERATOR.stored("number")] == "FR-ORG-OP-202"


@pytest.mark.usefixtures("directory")
def test_a_typed_number_absent_from_the_directory_is_warned_with_the_closest(
    tmp_path: Path,
) -> None:
    state = _at_the_operator_step(tmp_path / "s.toml")
    child = _wizard_at_the_search(state)
    child.sendline("zzzqqq")
    child.expect("Votre entreprise")
    child.send("\x1b[B\r")  # « Saisir le nom et le numéro TRACES trouvés dans TRACES NT »
    child.expect("nom")
    child.sendline("Coopérative du Moulin")
    child.expect("numéro")
    child.sendline("FR-ORG-OP-102")
    child.expect("Garder ce numéro")
    seen = " ".join((child.before or "").split())
    assert "FR-ORG-OP-102 n'est pas dans l'annuaire téléchargé" in seen
    assert "Coopérative du Moulin SARL" in seen  # the closest entry, to compare with
    child.send("\r")  # keep it
    child.expect("Où en êtes-vous")  # the next step: the typed entry is saved
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    answers = state_module.load(state).answers
    assert answers[OPERATOR.stored("number")] == "FR-ORG-OP-102"
    assert answers[OPERATOR.stored("origin")] == "typed"
