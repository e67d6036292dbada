"""« Autre problème » in the real wizard (a pseudo-terminal): the user types what happens
in one line, a note too long is refused and asked again, the note is kept as a ``note``
event after the problem, and ``replay`` shows it on its first screen, as typed (inert)."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from pty_driver import Session, tracesguide_executable
from test_wizard_pty import APP

pytestmark = pytest.mark.pty

NOTE = "La page reste blanche après le clic [bold]vers 14 h[/bold]"


def test_other_problem_takes_a_note_typed_in_the_wizard(tmp_path: Path) -> None:
    state = tmp_path / "camille.toml"
    session = Session(state)
    reported: list[str] = []

    def stop_after_the_note(s: Session, question: str) -> None:
        if question.startswith("Quel problème"):
            reported.append(s.step)
        elif question.startswith("Où en êtes-vous") and reported:
            s.child.sendintr()  # the note is saved; the user stops there

    first = "eu-login.welcome"
    code = session.run(
        APP,
        actions={first: "problem"},
        on_question=stop_after_the_note,
        notes=[("x" * 201, "200 caractères au plus."), (NOTE, "")],
    )
    assert code == 130, session.output[-2000:]
    assert reported == [first]
    events = tomllib.loads(state.read_text("utf-8"))["events"]
    kinds = [(e["kind"], e.get("step", ""), e.get("detail", "")) for e in events]
    problem = kinds.index(("problem", first, "other"))
    assert kinds[problem + 1] == ("note", first, NOTE)  # only the accepted note
    assert sum(kind == "note" for kind, _, _ in kinds) == 1

    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "NO_COLOR": "1"}
    run = subprocess.run(
        [tracesguide_executable(), "replay", str(state)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    screen = " ".join(" ".join(run.stdout.splitlines()[:24]).split())
    assert "[bold]vers 14 h[/bold]" in screen  # as typed, never read as markup
    assert "\x1b" not in run.stdout
