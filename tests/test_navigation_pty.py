"""Navigation in a real 80×24 terminal: back one step, edit, the role, a switch of method,
the last screen before each question, and the screen-reader mode."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pexpect
import pytest

from pty_driver import DEFAULT_ANSWERS, Session, tracesguide_executable
from test_wizard_pty import APP, SMS
from tracesguide.engine import numbered_steps

pytestmark = pytest.mark.pty
SMALL = (24, 80)


def saved(path: Path) -> dict:  # type: ignore[type-arg]
    return tomllib.loads(path.read_text())


def events(path: Path, kind: str) -> list[dict[str, str]]:
    return [e for e in saved(path)["events"] if e["kind"] == kind]


def test_back_one_step_is_an_event_and_the_step_is_shown_again(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    session = Session(state, size=SMALL)
    assert session.run(APP, actions={"eu-login.create-account": "back"}) == 0
    assert "Félicitations" in session.output
    (back,) = events(state, "back")
    assert back["step"] == "eu-login.form" and back["detail"] == "eu-login.create-account"
    shown = [e["step"] for e in events(state, "shown")]
    assert shown.count("eu-login.form") == 2
    # going back to a step asks its questions again, with the answers as defaults
    answered = [e["detail"] for e in events(state, "answer")]
    assert answered.count("first_name") == 2


def test_back_from_the_operator_search(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    session = Session(state, size=SMALL)
    assert session.run(APP, actions={"operator.search": "back"}) == 0
    (back,) = events(state, "back")
    assert back["step"] == "operator.open-list" and back["detail"] == "operator.search"
    assert saved(state)["answers"]["operator_traces_number"] == "BE-ORG-OP-5"


def edit(state: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        tracesguide_executable(),
        ["edit", *args, "--state", str(state)],
        env={"PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1", "TERM": "xterm", "PATH": "/usr/bin"},
        encoding="utf-8",
        timeout=30,
        dimensions=SMALL,
    )


def test_edit_email_opens_the_steps_that_use_it_then_setup_resumes(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    first = Session(state, size=SMALL)
    assert first.run(APP, actions={"traces.welcome": "later"}) == 0
    child = edit(state, "email")
    child.expect("adresse électronique")
    child.send("\x15" + "camille.nouvelle@exemple.fr\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Étapes rouvertes" in (child.before or "")
    data = saved(state)
    assert data["answers"]["email"] == "camille.nouvelle@exemple.fr"
    for step in ("eu-login.email", "eu-login.set-password"):
        assert step not in data["steps"]
    assert data["steps"]["eu-login.welcome"]["status"] == "done"  # not concerned
    assert [e["detail"] for e in events(state, "edit")] == ["email"]
    assert {e["step"] for e in events(state, "reopened")} >= {"eu-login.set-password"}
    again = Session(state, size=SMALL)
    assert again.run(APP) == 0 and "Félicitations" in again.output
    assert again.showed("eu-login.set-password")
    assert not again.showed("eu-login.welcome")


def test_a_role_that_ends_the_guide_is_confirmed_and_edit_role_undoes_it(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    session = Session(state, size=SMALL)
    # first "no, choose again" (nothing recorded), then the same role confirmed
    code = session.run({**APP, "role": "authority"}, confirm_end=("no", "yes"))
    assert code == 0 and "tracesguide edit role" in " ".join(session.output.split())
    assert saved(state)["answers"]["role"] == "authority"
    assert [e["detail"] for e in events(state, "answer")].count("role") == 1
    child = edit(state, "role")
    child.expect("Pour quelle entité")
    child.send("\x1b[A" * 2 + "\r")  # from « Autorité » up to « Opérateur »
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert saved(state)["answers"]["role"] == "operator"
    again = Session(state, size=SMALL)
    assert again.run(APP) == 0 and "Félicitations" in again.output
    assert again.showed("operator.certificate")


def test_after_an_sms_problem_the_wizard_offers_the_app(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    session = Session(state, size=SMALL)
    actions = {"second-factor.sms.finalise": "problem"}
    assert session.run(SMS, actions=actions, switch_to="app") == 0
    assert "Félicitations" in session.output
    data = saved(state)
    assert data["answers"]["second_factor_method"] == "app"
    assert data["steps"]["second-factor.app.scan-qr"]["status"] == "done"
    assert "second-factor.sms.add-number" not in data["steps"]  # opened again (when)
    assert [e["detail"] for e in events(state, "problem")] == ["sms-not-received"]
    # the method menu after the switch: the cursor on the app, not on the SMS that failed
    menus = [t for t in session.transcript if "Quel second facteur" in t]
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", menus[-1])
    assert re.search(r"» Application mobile EU Login", drawn), drawn[-400:]


KEY = {k: v for k, v in SMS.items() if k not in ("sms_route", "phone")}
KEY["second_factor_method"] = "key"
# someone who already uses TRACES NT: the keys of the other paths are simply not asked
EXISTING = {**APP, "traces_access": "existing"}


def literal(message: str) -> str:
    """A catalog message as a pattern: its placeholders match anything on the line."""
    return ".+?".join(re.escape(part) for part in re.split(r"\{[^}]*\}", message))


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "answers", [SMS, APP, KEY, EXISTING], ids=["sms", "app", "key", "existing"]
)
def test_the_last_screen_before_each_question_holds_progress_action_and_question(
    tmp_path: Path, answers: dict[str, str], language: str
) -> None:
    session = Session(tmp_path / "state.toml", size=SMALL, lang=language)
    words = session.catalog
    titles = {s.title: s for s in session.content.steps}
    prompts = {q.prompt[:30] for q in session.questions.values()}
    progress = re.compile(literal(words["screens.progress"]))
    click = words["render.click"]
    page = words["screens.page"].split("{")[0]
    checked: list[str] = []

    def check(session: Session, pattern: str) -> None:
        screen = session.display()
        flat = " ".join(screen.split())
        assert progress.search(screen), screen
        doing = re.findall(r"➜ (.+)", screen)
        assert doing, screen
        title = " ".join(doing[-1].split("  (")[0].split())
        step = next(s for t, s in titles.items() if t.startswith(title[:40]))
        # the step's whole instruction is on the screen at its question (issue 18)
        joined = "".join(screen.split("\n"))
        for word in re.sub(r"\{\w+\}", " ", step.do).split():
            assert word in flat or word in joined, (word, screen)
        # the button and the page's address are on the screen, once in the header:
        # « Cliquez sur » / « Page : » only when the instruction does not say them
        do = " ".join(step.do.split())
        header = flat.rsplit("➜ ", 1)[-1]  # this step's header, to the question
        if step.action:
            action = " ".join(step.action.split())
            assert action in flat, screen
            assert (click + action in header) == (action not in do), screen
        if step.screen.url:
            assert step.screen.url in screen, screen
            if step.screen.url in do:
                assert page + step.screen.url not in header, screen
        question = " ".join(pattern.split())
        assert question[:25] in flat or any(p[:25] in flat for p in prompts), screen
        checked.append(step.id)

    assert session.run(answers, on_question=check) == 0
    applying = [s.id for s in numbered_steps(session.content, {**DEFAULT_ANSWERS, **answers})]
    assert "access.sign-in-again" in checked
    assert set(applying) <= set(checked), set(applying) - set(checked)  # every step


def test_accessible_mode_through_the_first_stage(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    child = pexpect.spawn(
        tracesguide_executable(),
        ["setup", "--accessible", "--state", str(state)],
        env={"TERM": "xterm", "PATH": "/usr/bin", "COLUMNS": "80", "LINES": "24"},
        encoding="utf-8",
        timeout=30,
        dimensions=SMALL,
    )
    typed = {
        "prénom": "Camille",
        "nom de famille": "EXEMPLE",
        "adresse électronique": "camille.exemple@exemple.fr",
    }
    seen = ""
    pauses = 0
    while not state.exists() or "eu-login.set-password" not in saved(state).get("steps", {}):
        index = child.expect(
            ["Tapez le numéro de votre choix", "Votre réponse : ", "Entrée pour continuer : "]
        )
        seen += child.before or ""
        if index == 2:  # the welcome and « Avant de commencer », each read first
            child.sendline("")
            pauses += 1
            continue
        if index == 0:
            child.sendline("1")  # « C'est fait », or the recommended language
        else:
            asked = " ".join(seen.rstrip().splitlines()[-2:]).lower()  # the prompt, said last
            key = next(k for k in typed if k in asked)
            child.sendline(typed[key])
            child.expect("Choisi : ")
            seen += child.before or ""
    child.sendintr()
    child.expect(pexpect.EOF)
    seen += child.before or ""
    child.close()
    assert re.search(r"Étape 3 sur \d+ · Compte EU Login", seen)
    assert "1. C'est fait" in seen and "Choisi : C'est fait" in seen
    assert "1. Je l'ai reçu" in seen  # eu-login.email: nothing to do but to receive it
    assert "Choisi : Français (recommandé)" in seen
    assert pauses == 2
    assert not re.search("[╭╮╰╯│─]", seen)  # no boxes
    assert "\x1b[3" not in seen and "\x1b[9" not in seen  # no colour
    data = saved(state)
    assert data["answers"]["first_name"] == "Camille"
    assert data["steps"]["eu-login.set-password"]["status"] == "done"
