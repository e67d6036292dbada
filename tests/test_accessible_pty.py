"""``setup --accessible`` in a real 80×24 terminal, every step of a path, in French and in
English: plain numbered lines, and at each step's question the screen still holds where
you are, the step's whole instruction and the question (issue 18)."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest

from pty_driver import DEFAULT_ANSWERS, Session
from test_navigation_pty import KEY, literal, saved
from test_wizard_pty import APP
from tracesguide.engine import numbered_steps

pytestmark = pytest.mark.pty
SMALL = (24, 80)


def drive(session: Session, answers: dict[str, str]) -> list[str]:
    """Answer every question as a screen-reader user would (numbers, typed text), check
    each step's screen at its first question; the ids of the steps checked."""
    words = session.catalog
    content = session.content
    questions = session.questions
    titles = {" ".join(s.title.split())[:40]: s for s in content.steps}
    progress = re.compile(literal(words["screens.progress"]))
    where = words["wizard.where_are_you"]
    patterns = [
        re.escape(words["accessible.choose"].strip()),
        re.escape(words["accessible.answer"].strip()),
        re.escape(words["accessible.press_enter"].strip()),
        pexpect.EOF,
    ]
    checked: list[str] = []
    for _ in range(400):  # a path has fewer questions: more is a loop (refused answers)
        index = session.expect(patterns)
        if index == 3:
            return checked
        if index == 2:
            session.child.sendline("")
            continue
        lines = [line.strip() for line in session.display().splitlines() if line.strip()]
        flat = " ".join(" ".join(lines).split())
        titled = re.findall(r"➜ (.+)", session.display())
        step = titles[" ".join(titled[-1].split())[:40]] if titled else None
        if step is not None and step.id not in checked:  # the step's first question
            assert progress.search(flat), flat
            for word in re.sub(r"\{\w+\}", " ", step.do).split():
                assert word in flat, (word, session.display())
            checked.append(step.id)
        if index == 0:
            first = max(i for i, line in enumerate(lines) if line.startswith("1. "))
            prompt, listed = lines[first - 1], []
            for line in lines[first:]:
                if re.match(r"\d+\. ", line):
                    listed.append(line.split(". ", 1)[1])
                elif listed and not line.startswith(words["accessible.choose"].strip()[:10]):
                    listed[-1] += " " + line  # a label wrapped at the edge
            question = next((q for q in questions.values() if q.prompt == prompt), None)
            if prompt == where:
                number = 1  # done, read, received: always the first
            elif question is not None and question.choices and question.key in answers:
                wanted = next(c for c in question.choices if c.value == answers[question.key])
                number = next(
                    n for n, label in enumerate(listed, 1) if label.startswith(wanted.label)
                )
            else:  # the operator step's own menus: the best match, the first way on
                number = 1
            session.child.sendline(str(number))
        else:
            recent = " ".join(" ".join(lines[-6:]).split())  # a long prompt takes 2 lines
            said = [
                (recent.rfind(" ".join(q.prompt.split())), q.key)
                for q in questions.values()
                if q.key in answers and " ".join(q.prompt.split()) in recent
            ]
            key = max(said)[1] if said else "operator_name"  # else: the company's name
            session.child.sendline(answers[key])
    raise AssertionError(session.display())


@pytest.mark.parametrize(
    ("language", "answers"), [("fr", KEY), ("en", APP)], ids=["fr-key", "en-app"]
)
def test_every_step_fits_the_screen_in_plain_lines(
    tmp_path: Path, language: str, answers: dict[str, str]
) -> None:
    state = tmp_path / "state.toml"
    answers = {**DEFAULT_ANSWERS, **answers}
    session = Session(state, size=SMALL, args=("setup", "--accessible"), lang=language)
    checked = drive(session, answers)
    session.child.close()
    assert session.child.exitstatus == 0, session.display()
    applying = [s.id for s in numbered_steps(session.content, answers)]
    assert set(applying) <= set(checked), set(applying) - set(checked)  # every step
    assert saved(state)["answers"]["second_factor_method"] == answers["second_factor_method"]
