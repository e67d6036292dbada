"""End-to-end: `tracesguide setup` from the installed package, in a real pseudo-terminal."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from pty_driver import Session, tracesguide_executable
from tracesguide.system import hints

pytestmark = pytest.mark.pty

SMS = {
    "first_name": "Camille",
    "last_name": "EXEMPLE",
    "email": "camille.exemple@exemple.fr",
    "email_language": "fr",
    "second_factor_method": "sms",
    "sms_route": "direct",
    "phone": "+33 6 12 34 56 78",
    "role": "operator",
    "has_certificate": "yes",
    "operator_name": "alpro",
    "operator_traces_number": "BE-ORG-OP-5",
}
APP = {**SMS, "second_factor_method": "app"}
PHONE_DIGITS = ("612345678", "6 12 34 56 78")


@pytest.fixture
def keyring_env(tmp_path: Path) -> dict[str, str]:
    tests = str(Path(__file__).parent)
    return {
        "PYTHON_KEYRING_BACKEND": "keyring_backends.FileKeyring",
        "PYTHONPATH": tests,
        "TRACESGUIDE_TEST_KEYRING": str(tmp_path / "keyring.json"),
    }


def saved(path: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads(path.read_text())


def test_full_sms_run_to_completion(tmp_path: Path, keyring_env: dict[str, str]) -> None:
    state = tmp_path / "state" / "state.toml"
    session = Session(state, keyring_env)
    assert session.run(SMS) == 0
    assert "Félicitations" in session.output
    data = saved(state)
    assert data["answers"]["operator_traces_number"] == "BE-ORG-OP-5"
    assert data["answers"]["operator_name"] == "ALPRO Comm.V.A."
    assert data["answers"]["phone_masked"] == "+33 6 •• •• •• 78"
    # the full number is in the keyring, and in no file of the state folder
    keyring = json.loads((tmp_path / "keyring.json").read_text())
    assert keyring == {"tracesguide/phone": "+33612345678"}
    for file in state.parent.iterdir():
        text = file.read_bytes().decode("utf-8", "replace").replace(" ", "")
        assert "612345678" not in text, file
    # the message for Certipaq BIO, ready to attach
    message = (state.parent / "state-message-organisme-de-controle.txt").read_text()
    assert "BE-ORG-OP-5" in message and "camille.exemple@exemple.fr" in message
    # never a password or a one-time code asked
    assert "mot de passe :" not in session.output.lower()


def test_ctrl_c_keeps_progress_and_setup_resumes(
    tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    state = tmp_path / "state.toml"
    first = Session(state, keyring_env)
    assert first.run(APP, actions={"second-factor.app.add-device": "ctrl-c"}) == 130
    # the command to resume, as it was started, with the state file named
    resume = hints.command("setup", state, argv0=tracesguide_executable())
    # a Ctrl-C is not an error; its line wraps between words, never inside the command
    last = first.output.rsplit("tracesguide: Interrompu.", 1)[-1]
    assert "erreur" not in last
    assert f"Reprenez avec : {resume}" in " ".join(last.split()) and "--state" in resume
    # wrapped at the terminal's edge between words only: the path is never cut
    assert any(str(state) in line for line in last.splitlines()), last
    data = saved(state)
    assert data["steps"]["second-factor.app.install"]["status"] == "done"
    assert "second-factor.app.add-device" not in data["steps"]
    second = Session(state, keyring_env)
    assert second.run(APP) == 0
    assert "Déjà fait" in second.output and "Reprise à" in second.output
    assert "Félicitations" in second.output
    # resumed where it stopped: the first steps were not shown again
    assert not second.showed("eu-login.welcome")


def test_a_role_other_than_operator_ends_cleanly(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    session = Session(state)
    assert session.run({**APP, "role": "authority"}) == 0
    assert not session.showed("operator.certificate")
    data = saved(state)
    assert data["answers"]["role"] == "authority"
    assert "operator.open-list" not in data["steps"]


def test_certificate_not_received_stops_then_resumes(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    first = Session(state)
    assert first.run({**APP, "has_certificate": "no"}) == 0
    assert "Revenez quand" in first.output
    assert saved(state)["steps"]["operator.certificate"]["status"] == "blocked"
    second = Session(state)
    assert second.run(APP) == 0
    assert "Félicitations" in second.output
    assert saved(state)["steps"]["operator.certificate"]["status"] == "done"


def test_invalid_email_and_phone_are_asked_again(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    session = Session(state, {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    invalid = {
        # one distinctive word of each reason (prompt_toolkit redraws only what changed)
        "email": [("pas-une-adresse", "invalide")],
        "phone": [("+33 1 23 45 67 89", "portable"), ("06 12 34", "exist")],
    }
    assert session.run(SMS, invalid=invalid) == 0
    assert "Aucun trousseau (keyring) utilisable" in session.output
    assert saved(state)["answers"]["phone_masked"] == "+33 6 •• •• •• 78"


def test_end_of_input_keeps_progress_and_says_how_to_go_on(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    session = Session(state)
    assert session.run(APP, eof_at="last_name") == 2
    assert "EOF" in session.output and "--answers" in session.output
    data = saved(state)
    assert data["answers"]["first_name"] == "Camille"  # kept
    assert data["steps"]["eu-login.welcome"]["status"] == "done"


def test_company_not_in_the_list_explains_the_rule(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    session = Session(state)
    assert session.run(APP, operator_listed=False) == 0
    text = " ".join(session.output.split())
    assert "jamais de doublon" in text
    assert "depuis le 21 janvier 2025, lui seul peut le faire" in text
    assert "Je reviendrai plus tard" in text  # the step can be taken again
    data = saved(state)
    assert "operator_name" not in data["answers"]
    assert "operator.search" not in data["steps"]
    # the next run starts again at the search
    again = Session(state)
    assert again.run(APP) == 0 and "Félicitations" in again.output


def test_operator_step_on_the_sample_offers_fetch_and_typed_entry(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    typed = {
        **APP,
        "operator_name": "Coopérative du Moulin",
        "operator_traces_number": "fr-bio-01.040-0001234.2025.001",
    }
    session = Session(state)
    assert session.run(typed, operator_typed=True) == 0
    text = " ".join(session.output.split())
    assert "Recherche dans l'exemple fourni" in text
    assert "Télécharger l'annuaire public TRACES NT maintenant" in text
    assert "Saisir le nom et le numéro TRACES trouvés dans TRACES NT" in text
    assert "Félicitations" in text  # the typed entry completes the stage, and the guide
    answers = saved(state)["answers"]
    assert answers["operator_name"] == "Coopérative du Moulin"
    assert answers["operator_traces_number"] == "FR-BIO-01.040-0001234.2025.001"
    assert answers["operator_origin"] == "typed"
    assert saved(state)["steps"]["operator.search"]["status"] == "done"


def test_operator_step_fetches_the_public_directory_then_finds_the_company(
    tmp_path: Path,
) -> None:
    from directory_server import DirectoryServer, serving

    state = tmp_path / "state.toml"
    wanted = {**APP, "operator_name": "Opérateur FR ISSUED n°42"}
    with serving(DirectoryServer({("FR", "ISSUED"): 150})) as server:
        env = {"TRACESGUIDE_DIRECTORY_URL": server.base_url, "TRACESGUIDE_DATA_DIR": str(tmp_path)}
        session = Session(state, env)
        assert session.run(wanted, operator_fetch=True) == 0
    text = " ".join(session.output.split())
    assert "Annuaire public téléchargé : 150 opérateurs." in text
    assert "Recherche dans l'annuaire public TRACES NT téléchargé le" in text
    assert server.offsets() == [0, 100]
    answers = saved(state)["answers"]
    assert (answers["operator_traces_number"], answers["operator_origin"]) == (
        "FR-ORG-OP-IS42",
        "search",
    )


def test_reset_asks_first_in_a_terminal(tmp_path: Path) -> None:
    import pexpect

    state = tmp_path / "state.toml"
    assert Session(state).run({**APP, "role": "authority"}) == 0
    before = state.read_bytes()
    for answer, code in (("n", 0), ("", 0)):  # no, then Enter (the default is no)
        child = pexpect.spawn(
            tracesguide_executable(), ["reset", "--state", str(state)], encoding="utf-8"
        )
        child.expect(r"\[o/N\]")
        child.sendline(answer)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == code and state.read_bytes() == before
    child = pexpect.spawn(tracesguide_executable(), ["reset", "--state", str(state)])
    child.expect(r"\[o/N\]")
    child.sendline("oui")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and not state.exists()
    (backup,) = tmp_path.glob("state.*.bak.toml")
    assert backup.read_bytes() == before


def test_the_security_key_path_reaches_the_second_factor_milestone(
    tmp_path: Path, keyring_env: dict[str, str]
) -> None:
    """No smartphone: a security key, Windows Hello or a passkey, in a real terminal."""
    state = tmp_path / "state.toml"
    session = Session(state, keyring_env)
    key = {k: v for k, v in SMS.items() if k not in ("sms_route", "phone")}
    key["second_factor_method"] = "key"
    assert session.run(key, actions={"traces.home": "later"}) == 0
    data = saved(state)
    assert data["steps"]["second-factor.key.sign-in"]["status"] == "done"
    assert not any(
        s.startswith(("second-factor.app.", "second-factor.sms.")) for s in data["steps"]
    )
    assert "phone_masked" not in data["answers"]
    flat = " ".join(session.output.split())
    assert "Add a Security Key" in flat and "aucune source ne confirme" in flat
    assert "Clé de sécurité, Windows Hello ou passkey (sans smartphone)" in flat
