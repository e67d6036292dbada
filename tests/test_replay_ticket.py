"""The ticket « Camille ne trouve pas son opérateur », as support staff receive it.

The state file is built through the real wizard in a pseudo-terminal: a directory search
that finds nothing, « Je reviendrai plus tard », then OPER-029 reported. The first screen
of ``replay`` (80×24) answers the ticket: who must act, what blocks, the problem and its
desk; the chronology keeps step ids whole at 60 and 80 columns.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pty_driver import Session, tracesguide_executable
from tracesguide.content import load
from tracesguide.content.placeholders import fill

pytestmark = pytest.mark.pty

CONTENT = load()
APP = {
    "first_name": "Camille",
    "last_name": "EXEMPLE",
    "email": "camille.exemple@exemple.fr",
    "email_language": "fr",
    "second_factor_method": "app",
    "role": "operator",
    "has_certificate": "yes",
    "operator_name": "Négoce Camille Introuvable",  # the sample directory has no match
    "operator_traces_number": "",
}
STEP_IDS = [s.id for s in CONTENT.steps]


@pytest.fixture(scope="module")
def ticket(tmp_path_factory: pytest.TempPathFactory) -> Path:
    state = tmp_path_factory.mktemp("ticket") / "camille.toml"
    first = Session(state)
    assert first.run(APP, operator_listed=False) == 0  # nothing found, « plus tard »
    again = Session(state)
    # back from the search to the list, OPER-029 reported there, then the user stops
    # (Ctrl-C at the next question: the problem is saved, nothing moves on)
    asked: list[str] = []

    def stop_after_the_problem(session: Session, question: str) -> None:
        if "Quel" in question:
            asked.append(question)
        elif "Où en êtes-vous" in question and asked:
            session.child.sendintr()

    actions = {"operator.search": "back", "operator.open-list": "problem"}
    assert again.run(APP, actions=actions, on_question=stop_after_the_problem) == 130
    return state


def replay(state: Path, columns: int, *args: str) -> str:
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "24", "NO_COLOR": "1"}
    run = subprocess.run(
        [tracesguide_executable(), "replay", str(state), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_the_state_holds_the_ticket(ticket: Path) -> None:
    import tomllib

    events = tomllib.loads(ticket.read_text("utf-8"))["events"]
    kinds = [(e["kind"], e.get("step", ""), e.get("detail", "")) for e in events]
    assert ("later", "operator.search", "operator-not-found") in kinds
    assert ("problem", "operator.open-list", "oper-029") in kinds
    # what was typed in the directory, for support (recorded at each search)
    assert ("search", "operator.search", APP["operator_name"]) in kinds


def test_the_first_screen_answers_the_ticket(ticket: Path) -> None:
    lines = replay(ticket, 80).splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines)
    screen = " ".join(" ".join(lines[:24]).split())
    desk = fill(CONTENT, next(d.name for d in CONTENT.desks if d.id == "control-body"), {})
    assert "Doit agir" in screen and desk in screen  # who must act now
    assert "Ce qui bloque" in screen and f"attend la réponse du guichet « {desk} »" in screen
    assert "oper-029" in screen and "OPER-029" in screen  # the problem, its words
    assert "guichet" in screen  # and its desk
    assert "Camille EXEMPLE" in screen and "camille.exemple@exemple.fr" in screen
    assert "sans le trouver" not in screen or "Je reviendrai plus tard" in screen
    # what they searched for in the directory, beside what they chose or typed
    assert f"Recherches « {APP['operator_name']} »" in screen


@pytest.mark.parametrize("columns", [60, 80])
def test_step_ids_are_never_cut(ticket: Path, columns: int) -> None:
    for args in ((), ("--full",)):
        out = replay(ticket, columns, *args)
        lines = out.splitlines()
        # every step id the chronology names stands whole on one line
        shown = set(re.findall(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\b", out))
        pieces = {
            p
            for p in shown
            if p not in STEP_IDS and p.split(".")[0] in {s.split(".")[0] for s in STEP_IDS}
        }
        assert not {p for p in pieces if any(i.startswith(p) and i != p for i in STEP_IDS)}, pieces
        for step in ("operator.search", "operator.open-list", "second-factor.app.enter-pin"):
            assert any(step in line for line in lines), (columns, args, step)
        assert all(len(line.rstrip()) <= columns for line in lines if "──" not in line)


def test_the_compact_chronology_is_short_and_the_problem_stands_out(ticket: Path) -> None:
    compact = replay(ticket, 80).splitlines()
    full = replay(ticket, 80, "--full").splitlines()
    assert len(compact) < len(full) / 3
    problem = next(line for line in compact if "problème signalé" in line and "·" in line[:8])
    assert "⚠" in problem
    back = next(line for line in compact if "retour à l'étape précédente" in line)
    assert "↩" in back
    # a step shown then done is one line: no « écran affiché » before a « fait »
    assert sum("écran affiché" in line for line in compact) <= 3


def test_local_time_beside_utc(ticket: Path) -> None:
    out = replay(ticket, 80)
    assert "heure de Paris" in out
    first = next(line for line in out.splitlines() if re.match(r"\d\d:\d\d · \d\d:\d\d", line))
    utc, paris = (int(x[:2]) for x in first.split(" · ")[:2])
    assert (paris - utc) % 24 in (1, 2)  # CET or CEST


def test_replay_page_starts_with_the_same_answer(ticket: Path, tmp_path: Path) -> None:
    import html

    page = tmp_path / "ticket.html"
    run = subprocess.run(
        [tracesguide_executable(), "replay", str(ticket), "--html", str(page)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    text = page.read_text("utf-8")
    answer = text[text.index('id="situation"') : text.index("</section>")]
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer)).split())
    terminal = " ".join(replay(ticket, 200).split())
    for row in ("Doit agir", "Ce qui bloque", "Dernier problème", "Ensuite"):
        assert row in words
    desk = fill(CONTENT, next(d.name for d in CONTENT.desks if d.id == "control-body"), {})
    assert desk in words and "oper-029" in words
    # the one model, two renderings: the terminal says the same sentences
    problem = re.search(r"Dernier problème (.+?) Ensuite", words)
    assert problem is not None and problem.group(1).split(" ; ")[0] in terminal
    assert sys.executable  # the page was written by the installed program
