"""What the flow says reaches the screen through the presenter of each mode.

The flow prints nothing itself (``reports.setup`` notices, ``views.presenters``): these
tests run the real command and read what a person reads: the resume screen drawing the
engine's situation, the end summary with its milestones, and ``--accessible`` asking the
whole operator step in numbered lines.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pexpect
import pytest

from helpers import APP_ANSWERS, T0, advance
from pty_driver import spawn, tracesguide_executable
from test_setup import memory_keyring  # noqa: F401  (the fixture)
from tracesguide.content import load
from tracesguide.engine import OPERATOR_NOT_FOUND
from tracesguide.state import State
from tracesguide.state import store as state_module

CONTENT = load("fr")
OTHER = '[problems]\n"eu-login.welcome" = "other"\n'  # « Autre problème » at the first step


def _answers_file(path: Path, stop_at: str = "") -> Path:
    lines = [f'{key} = "{value}"' for key, value in APP_ANSWERS.items()]
    if stop_at:
        lines.insert(0, f'stop_at = "{stop_at}"')
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _support_case(path: Path) -> Path:
    """OPER-029 reported at the operator step (its desk: the control body), then later."""
    state = advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until="operator.search")
    at = T0 + timedelta(days=1)
    state.record("problem", "operator.search", "oper-029", now=at)
    state.record("later", "operator.search", OPERATOR_NOT_FOUND, now=at)
    state_module.save(state, path)
    return path


def test_the_resume_screen_tells_who_must_act_and_the_problem(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = _support_case(tmp_path / "camille.toml")
    answers = _answers_file(tmp_path / "a.toml", stop_at="operator.search")
    result = cli("setup", "--answers", str(answers), "--state", str(state))
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    entry = next(e for e in CONTENT.troubleshooting if e.id == "oper-029")
    assert "Étape 23 sur 27 · Profil d'opérateur" in out
    assert f"Vous avez signalé : {' '.join(entry.label.split())}" in out
    assert "C'est maintenant à l'organisme de contrôle (Certipaq BIO) d'agir" in out
    assert "l'entreprise n'est pas encore dans la liste des opérateurs" in out


def test_a_resume_where_it_is_up_to_the_user_names_nobody_else(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    saved = advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until="traces.home")
    state_module.save(saved, state)
    answers = _answers_file(tmp_path / "a.toml", stop_at="traces.choose-role")
    result = cli("setup", "--answers", str(answers), "--state", str(state))
    assert result.code == 0, result.err
    assert "Reprise à :" in result.out
    assert "d'agir" not in result.out and "Vous avez signalé" not in result.out


@pytest.mark.usefixtures("memory_keyring")
def test_the_end_summary_lists_the_milestones_with_their_dates(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    result = cli(
        "setup", "--answers", str(_answers_file(tmp_path / "a.toml")), "--state", str(state)
    )
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    method = CONTENT.question("second_factor_method").choice("app")
    assert f"Second facteur : {method.label}" in out
    assert "Opérateur : ALPRO Comm.V.A. (n° TRACES BE-ORG-OP-5)" in out
    names = dict(CONTENT.milestone_names)
    assert re.search(rf"Jalons : {re.escape(names['eu-login-account'])} le \d\d/\d\d/2\d{{3}}", out)
    for milestone in CONTENT.milestones:
        assert names[milestone] in out


def test_accessible_mode_offers_the_whole_operator_step(tmp_path: Path) -> None:
    """Numbered lines, and every way on of the arrow-key step: the typed entry too."""
    state = tmp_path / "s.toml"
    saved = advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until="operator.search")
    state_module.save(saved, state)
    home = tmp_path / "home"
    env = {
        "TERM": "xterm",
        "PATH": "/usr/bin",
        "COLUMNS": "80",
        "LINES": "24",
        "HOME": str(home),
        "TRACESGUIDE_DATA_DIR": str(home / "data"),  # no index: the sample directory
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
    }
    child = pexpect.spawn(
        tracesguide_executable(),
        ["setup", "--accessible", "--state", str(state)],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 80),
    )
    child.expect("Entrée pour continuer : ")  # the resume screen, read first
    child.sendline("")
    child.expect("Recherchez votre entreprise")
    child.expect("Votre réponse : ")
    child.sendline("zzzqqq")
    child.expect("Aucun opérateur ne correspond")
    child.expect(r"(\d+)\. Saisir le nom et le numéro TRACES trouvés dans TRACES NT")
    typed = child.match.group(1)
    before = child.before or ""
    child.expect("Tapez le numéro de votre choix")
    seen = before + (child.before or "")
    assert "Télécharger l'annuaire public TRACES NT" in seen  # only the sample is here
    child.sendline(typed)
    child.expect("Votre réponse : ")
    child.sendline("Société Exemple Bio")
    child.expect("Votre réponse : ")
    child.sendline("12345")  # refused: no country prefix, not as TRACES NT shows it
    child.expect("Votre réponse : ")
    child.sendline("FR-ORG-OP-12345")
    child.expect(["Tapez le numéro de votre choix", "Votre réponse : "])
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    answers = state_module.load(state).answers
    assert answers["operator_name"] == "Société Exemple Bio"
    assert answers["operator_traces_number"] == "FR-ORG-OP-12345"
    assert answers["operator_origin"] == "typed"


def test_the_edit_listing_starts_with_where_the_user_stands(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = _support_case(tmp_path / "camille.toml")
    result = cli("edit", "--state", str(state))
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "Étape 23 sur 27 · Profil d'opérateur" in out
    assert "C'est maintenant à l'organisme de contrôle (Certipaq BIO) d'agir" in out
    assert "prénom Camille" in out  # the answer's label, not its key
    assert out.index("Étape 23 sur 27") < out.index("prénom Camille")


def test_other_problem_takes_a_note_for_support(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """« Autre problème »: the user's own words are kept (a `note` event) and replayed."""
    state = tmp_path / "s.toml"
    answers = _answers_file(tmp_path / "a.toml", stop_at="eu-login.email")
    note = "La page reste blanche après le clic, vers 14 h [bold]x[/bold]"
    with answers.open("a", encoding="utf-8") as file:
        file.write(f'{OTHER}[notes]\n"eu-login.welcome" = "{note}"\n')
    result = cli("setup", "--answers", str(answers), "--state", str(state))
    assert result.code == 0, result.err
    events = state_module.load(state).events
    notes = [e for e in events if e.kind == "note"]
    assert [(e.step, e.detail) for e in notes] == [("eu-login.welcome", note)]
    problem = next(i for i, e in enumerate(events) if e.kind == "problem")
    assert events[problem + 1].kind == "note"
    replay = cli("replay", str(state))
    assert replay.code == 0, replay.err
    assert "La page reste blanche après le clic" in " ".join(replay.out.split())
    assert "[bold]x[/bold]" in replay.out  # inert: shown as typed, not as markup


def test_a_note_too_long_is_refused_naming_its_key(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    answers = _answers_file(tmp_path / "a.toml", stop_at="eu-login.email")
    with answers.open("a", encoding="utf-8") as file:
        file.write(f'{OTHER}[notes]\n"eu-login.welcome" = "{"x" * 300}"\n')
    result = cli("setup", "--answers", str(answers), "--state", str(state))
    assert result.code == 2
    assert "notes.eu-login.welcome" in result.err
    assert len(result.err.strip().splitlines()) <= 2


@pytest.mark.usefixtures("memory_keyring")
def test_a_reminder_is_a_new_dated_file_and_status_lists_both(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "camille.toml"
    answers = _answers_file(tmp_path / "a.toml", stop_at="access.wait-validation")
    assert cli("setup", "--answers", str(answers), "--state", str(state)).code == 0
    first = sorted(tmp_path.glob("camille-*.txt"))
    assert len(first) == 1, first
    sent = first[0].read_bytes()
    result = cli("setup", "--answers", str(answers), "--state", str(state))  # a resume
    assert result.code == 0, result.err
    files = sorted(tmp_path.glob("camille-*.txt"))
    assert len(files) == 2 and first[0] in files
    assert first[0].read_bytes() == sent  # the first message is never overwritten
    reminder = next(f for f in files if f != first[0])
    assert re.fullmatch(r"camille-.+\.20\d\d-\d\d-\d\d\.txt", reminder.name)
    assert (reminder.stat().st_mode & 0o777) == 0o600
    assert "Relance" in reminder.read_text("utf-8")
    assert str(reminder) in " ".join(result.out.split())
    record = json.loads(cli("status", "--json", "--state", str(state)).out)
    assert record["messages"] == [str(first[0]), str(reminder)]
    text = cli("status", "--state", str(state)).out
    assert f"Message préparé : {first[0]}" in text and f"Message préparé : {reminder}" in text


def test_edit_takes_an_answer_by_its_label_or_its_key() -> None:
    from tracesguide.wizard.edit import find_answer

    questions = {q.key: q for s in CONTENT.steps for q in s.ask}
    for typed, key in [
        ("prénom", "first_name"),
        ("Prenom", "first_name"),
        ("rôle", "role"),
        ("ROLE", "role"),
        ("second facteur", "second_factor_method"),
        ("second_factor_method", "second_factor_method"),
        ("  Adresse électronique ", "email"),
    ]:
        assert find_answer(questions, typed) == key, typed
    assert find_answer(questions, "mot de passe") is None


def test_edit_of_an_unknown_answer_names_the_labels(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pexpect as _pexpect

    state = _support_case(tmp_path / "camille.toml")
    child = _pexpect.spawn(
        tracesguide_executable(),
        ["edit", "motdepasse", "--state", str(state)],
        env={**os.environ, "TERM": "xterm", "COLUMNS": "200"},
        encoding="utf-8",
        timeout=30,
    )
    child.expect(_pexpect.EOF)
    child.close()
    out = " ".join((child.before or "").split())
    assert child.exitstatus == 2
    assert "« motdepasse »" in out and "prénom, nom, adresse électronique" in out


def test_choice_labels_wrap_at_word_boundaries_and_are_never_cut() -> None:
    from tracesguide.wizard.questions import fit

    label = (
        "Beanworks Seeds and Grains bvba — BE-ORG-OP-7 (Spaans Fort 6 149725 Verrebroek Belgium)"
    )
    for width in (60, 80):
        lines = fit(label, width).split("\n")
        assert all(len(line) <= width - 5 for line in lines)
        assert " ".join(" ".join(lines).split()) == label  # every word, in order, none cut
    url = "https://webgate.ec.europa.eu/tracesnt/directory/publication/organic-operator/index"
    assert url in fit(f"Voir {url} maintenant", 60).split("\n")[1]  # a URL is never broken


def test_a_long_operator_line_is_whole_at_60_columns(tmp_path: Path) -> None:
    import pyte

    state = tmp_path / "s.toml"
    saved = advance(State.new(language="fr", now=T0), CONTENT, APP_ANSWERS, until="operator.search")
    state_module.save(saved, state)
    child = spawn(["setup", "--state", str(state)], size=(24, 60))
    screen = pyte.Screen(60, 24)
    stream = pyte.Stream(screen)
    child.expect("Appuyez sur Entrée pour continuer")
    child.send("\r")
    child.expect("Recherchez votre entreprise")
    child.sendline("Beanworks")
    child.expect("Votre entreprise")
    child.expect("Étape précédente")
    stream.feed((child.before or "") + str(child.after))
    shown = " ".join(" ".join(line.rstrip() for line in screen.display).split())
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert "Spaans Fort 6 149725 Verrebroek Belgium" in shown, shown


def test_the_phone_number_is_optional_on_the_sms_path(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "s.toml"
    answers = {**APP_ANSWERS, "second_factor_method": "sms", "sms_route": "direct"}
    lines = ['stop_at = "traces.home"', *(f'{k} = "{v}"' for k, v in answers.items())]
    (tmp_path / "a.toml").write_text("\n".join(lines) + "\n", "utf-8")  # no phone given
    result = cli("setup", "--answers", str(tmp_path / "a.toml"), "--state", str(state))
    assert result.code == 0, result.err
    saved = state_module.load(state)
    assert saved.steps["second-factor.sms.add-number"].status == "done"
    assert saved.answers.get("phone_masked", "") == ""
