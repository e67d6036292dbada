"""What questionary draws on one line is wrapped before it is drawn: a prompt, a choice's
label, a description. At 80 and 60 columns no line is cut inside a word, a URL is never
broken, and « » stay with their words (issue 18)."""

from __future__ import annotations

import pytest

from tracesguide.content import load
from tracesguide.wizard.questions import described, fit, shaped

WIDTHS = [80, 60]
CONTENT = load("fr")
QUESTIONS = [q for s in CONTENT.steps for q in s.ask]


def words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_prompt_fits_and_keeps_its_words(width: int) -> None:
    for question in QUESTIONS:
        drawn = shaped(question.prompt, 24, width)
        lines = drawn.split("\n")
        assert all(len(line) + 3 <= width for line in lines), drawn  # « ? » and a space
        assert words(drawn) == words(question.prompt)  # nothing lost nor cut
        # room for what is typed after it, else what is typed goes under it
        assert len(lines[-1]) + 24 <= width - 3 or lines[-1] == ""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_label_and_description_fits_without_a_cut_word(width: int) -> None:
    for choice in (c for q in QUESTIONS for c in q.choices):
        for drawn, text, first in (
            (fit(choice.label, width), choice.label, 5),
            (described(choice.description, width), choice.description, 15),
        ):
            if not text:
                continue
            lines = drawn.split("\n")
            assert len(lines[0]) + first <= width or " " not in lines[0], drawn
            assert all(len(line) < width for line in lines[1:]), drawn
            assert words(drawn) == words(text)
            assert not any(line.rstrip().endswith("«") for line in lines), drawn
            assert not any(line.lstrip().startswith("»") for line in lines), drawn


def test_a_url_is_never_broken() -> None:
    url = "https://webgate.ec.europa.eu/cas/userdata/myAccount.cgi?lang=fr&section=devices"
    drawn = shaped("Ouvrez " + url + " puis revenez ici :", 10, 60)
    assert any(url in line for line in drawn.split("\n")), drawn


def test_a_short_prompt_is_left_as_written() -> None:
    assert shaped("Votre entreprise :", 24, 80) == "Votre entreprise :"
    # a long menu label said back beside it would not fit: it goes under the prompt
    assert shaped("Votre entreprise :", 70, 80) == "Votre entreprise :\n"
