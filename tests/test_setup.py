"""setup --answers, reset, and the wizard's rules, in-process with real files and keyring."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from conftest import corpus_files
from keyring_backends import MemoryKeyring
from pty_driver import Session
from tracesguide.state import store as state_module
from tracesguide.state import validate
from tracesguide.state.validate import Invalid
from tracesguide.system import secrets
from tracesguide.system.toml import loads

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "answers.toml"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def write_answers(path: Path, answers: dict[str, str], extra: str = "") -> Path:
    lines = [f'{key} = "{value}"' for key, value in answers.items()]
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def run_setup(cli, answers_file: Path, state: Path):  # type: ignore[no-untyped-def]
    """``tracesguide setup --answers FILE --state STATE``, in-process."""
    return cli("setup", "--answers", str(answers_file), "--state", str(state))


def load_answers() -> dict[str, str]:
    data = loads(EXAMPLE.read_text())
    data.pop("problems", None)
    return data


def test_the_documented_example_goes_all_the_way(cli, tmp_path: Path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s" / "state.toml"
    result = cli("setup", "--answers", str(EXAMPLE), "--state", str(state))
    assert result.code == 0, result.err
    assert "Félicitations" in result.out
    saved = state_module.load(state)
    assert saved.answers["second_factor_method"] == "sms"
    assert saved.steps["second-factor.sms.finalise"].status == "done"
    assert [e.detail for e in saved.events if e.kind == "problem"] == ["sms-not-received"]
    assert memory_keyring.store == {("tracesguide", "phone"): "+33612345678"}
    for file in state.parent.iterdir():  # the full number is in no file of the state folder
        assert "612345678" not in file.read_text().replace(" ", ""), file
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


def test_answers_run_equals_the_interactive_run(tmp_path: Path, cli, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    answers = load_answers()
    interactive = tmp_path / "pty" / "state.toml"
    session = Session(interactive, {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    # the answers file gives the name and number as TRACES NT shows them: typed, not searched
    assert session.run(answers, operator_typed=True) == 0
    scripted = tmp_path / "file" / "state.toml"
    answers_file = write_answers(tmp_path / "answers.toml", answers)
    assert cli("setup", "--answers", str(answers_file), "--state", str(scripted)).code == 0
    a, b = state_module.load(interactive), state_module.load(scripted)
    assert a.answers == b.answers
    assert {k: v.status for k, v in a.steps.items()} == {k: v.status for k, v in b.steps.items()}
    # the same events, but for the queries typed in the directory: an answers file gives
    # the operator as TRACES NT shows it, it searches nothing
    searched = [e.detail for e in a.events if e.kind == "search"]
    assert searched == [answers["operator_name"]]
    assert [(e.kind, e.step, e.detail) for e in a.events if e.kind != "search"] == [
        (e.kind, e.step, e.detail) for e in b.events
    ]


def test_a_missing_answer_names_the_key_and_keeps_progress(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = load_answers()
    del answers["role"]
    state = tmp_path / "state.toml"
    result = run_setup(cli, write_answers(tmp_path / "a.toml", answers), state)
    assert result.code == 2
    assert "« role »" in result.err and "Traceback" not in result.err
    saved = state_module.load(state)
    assert saved.steps["traces.home"].status == "done"  # everything before it is kept
    # adding the answer resumes and finishes
    answers["role"] = "operator"
    result = run_setup(cli, write_answers(tmp_path / "a.toml", answers), state)
    assert result.code == 0 and "Déjà fait" in result.out


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("email", "pas-une-adresse", "« email »"),
        ("phone", "06 12 34", "« phone »"),
        ("phone", "+33 1 23 45 67 89", "portable"),
        ("role", "chef", "« role »"),
        ("first_name", "<script>", "« first_name »"),
    ],
)
def test_an_invalid_answer_is_an_error_naming_the_key(
    cli, tmp_path: Path, key: str, value: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    answers = {**load_answers(), key: value}
    result = run_setup(cli, write_answers(tmp_path / "a.toml", answers), tmp_path / "s.toml")
    assert result.code == 2
    assert message in result.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('surprise = "x"\n', "clé inconnue « surprise »"),
        ("role = 3\n", "« role » doit être un texte"),
        ("role = \n", "invalide"),
    ],
)
def test_a_bad_answers_file_is_refused(cli, tmp_path: Path, text: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "a.toml"
    path.write_text(text)
    result = cli("setup", "--answers", str(path), "--state", str(tmp_path / "s.toml"))
    assert result.code == 2 and message in result.err
    assert not (tmp_path / "s.toml").exists()


def test_setup_without_a_terminal_says_how_to_run_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("setup", "--state", str(tmp_path / "s.toml"))
    assert result.code == 2
    assert "--answers" in result.err
    assert not (tmp_path / "s.toml").exists()


def test_stop_at_and_the_expired_password_link(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.toml"
    answers_file = write_answers(
        tmp_path / "a.toml", load_answers(), 'stop_at = "eu-login.set-password"\n'
    )
    result = cli("setup", "--answers", str(answers_file), "--state", str(state))
    assert result.code == 0 and "Reprenez quand vous voulez" in result.out
    assert "Mot de passe perdu" not in result.out
    # two hours later, the link from "Créer un compte" has expired: setup says so
    saved = state_module.load(state)
    record = saved.steps["eu-login.create-account"]
    saved.steps["eu-login.create-account"] = record._replace(
        at=datetime.now(UTC) - timedelta(hours=2)
    )
    state_module.save(saved, state)
    result = cli("setup", "--answers", str(answers_file), "--state", str(state))
    assert "Mot de passe perdu" in " ".join(result.out.split())  # wherever lines break


def test_no_keyring_backend_is_said_once_and_setup_goes_on(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        result = cli("setup", "--answers", str(EXAMPLE), "--state", str(tmp_path / "s.toml"))
    finally:
        keyring.set_keyring(previous)
    assert result.code == 0
    assert result.out.count("Aucun trousseau") == 1


class BrokenKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("D-Bus says no")  # not a KeyringError


def test_a_backend_raising_anything_counts_as_unavailable() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        assert secrets.store_phone("+33612345678") is False
    finally:
        keyring.set_keyring(previous)


def test_reset_keeps_a_backup_and_forgets_the_number(cli, tmp_path: Path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.toml"
    assert cli("setup", "--answers", str(EXAMPLE), "--state", str(state)).code == 0
    before = state.read_bytes()
    result = cli("reset", "--state", str(state))
    assert result.code == 2 and "--yes" in result.err  # no terminal to confirm
    assert state.read_bytes() == before
    result = cli("reset", "--yes", "--state", str(state))
    assert result.code == 0
    assert not state.exists()
    backups = list(tmp_path.glob("state.*.bak.toml"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert memory_keyring.store == {}
    assert "Rien à réinitialiser" in cli("reset", "--yes", "--state", str(state)).out


@pytest.mark.parametrize(
    "command", [["setup"], ["setup", "--answers", str(EXAMPLE)], ["reset", "--yes"]]
)
def test_writing_commands_refuse_every_toml_test_file_untouched(cli, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    for path in corpus_files():
        before = path.read_bytes()
        listing = sorted(os.listdir(path.parent))
        result = cli(*command, "--state", str(path))
        assert result.code == 2, (path, result.out[:200])
        assert result.err.startswith("tracesguide: erreur : fichier d'état"), (path, result.err)
        assert len(result.err.strip().splitlines()) == 1
        assert path.read_bytes() == before
        assert sorted(os.listdir(path.parent)) == listing  # no lock or temp file left beside


def test_email_checks() -> None:
    assert validate.email("Prenom.Nom@Exemple.fr").warning == ""
    assert "grand public" in validate.email("prenom.nom@gmail.com").warning
    assert "partagée" in validate.email("contact@exemple.fr").warning
    with pytest.raises(Invalid):
        validate.email("prenom.nom@")


def test_phone_checks_and_mask() -> None:
    phone = validate.phone("+33 6 12 34 56 78")
    assert phone.e164 == "+33612345678"
    assert phone.masked == "+33 6 •• •• •• 78"
    assert validate.phone("+32 470 12 34 56").masked.startswith("+32 4")
    for national in ("06 12 34 56 78", "0612345678", "06.12.34.56.78"):
        assert validate.phone(national).e164 == "+33612345678"  # French forms are +33
    for bad in ("06 12 34", "+33 1 23 45 67 89", "01 23 45 67 89", "+33 6 12", "+999 123"):
        with pytest.raises(Invalid):
            validate.phone(bad)


def test_answers_files_are_read_in_the_same_toml_dialect_as_the_state(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, memory_keyring
) -> None:
    # TOML 1.1 (a \xHH escape, an empty inline table written over lines): one parser.
    answers = load_answers()
    answers["first_name"] = "Pr\\xE9nom"
    path = write_answers(tmp_path / "a.toml", answers, "problems = {\n}\n")
    state = tmp_path / "state.toml"
    result = run_setup(cli, path, state)
    assert result.code == 0, result.err
    assert state_module.load(state).answers["first_name"] == "Prénom"


# A child process, so that what it imports is its own: the setup run, then whether the
# keyring library was loaded at all.
_KEYRING_LOADED = """
import sys
from tracesguide.cli import main
sys.argv = ["tracesguide", "setup", "--answers", sys.argv[1], "--state", sys.argv[2]]
try:
    main()
except SystemExit as stop:
    code = stop.code
print("keyring" in sys.modules, code, file=sys.stderr)
"""


@pytest.mark.parametrize("method", ["app", "sms"])
def test_an_answers_file_without_a_phone_never_opens_the_keyring(
    tmp_path: Path, method: str
) -> None:
    """No number given (the app path, or SMS with the number left out): no keyring is
    discovered, not even to offer a number it holds (discovery costs most of a run)."""
    import subprocess
    import sys

    answers = {k: v for k, v in load_answers().items() if k != "phone"}
    answers["second_factor_method"] = method
    if method == "app":
        del answers["sms_route"]
    answers_file = write_answers(tmp_path / "answers.toml", answers)
    state = tmp_path / "state.toml"
    done = subprocess.run(
        [sys.executable, "-c", _KEYRING_LOADED, str(answers_file), str(state)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr.strip().splitlines()[-1] == "False 0", done.stderr
    assert state_module.load(state).answers["second_factor_method"] == method
