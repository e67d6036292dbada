"""The English procedure (``procedures/en.toml``) has the French one's shape, in English.

``en.toml`` is not yet in ``content.LANGUAGES`` (the commands do not offer it yet): it is
parsed here directly, with the same loader and checks as the packaged languages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tracesguide import content as content_module
from tracesguide.content import Content, load, parse_text

EN_FILE = content_module.PROCEDURES / "en.toml"
FR = load("fr")
EN = parse_text(EN_FILE.read_text("utf-8"), EN_FILE.name)
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def shape(c: Content) -> dict[str, Any]:
    """Everything that must be the same in every language: ids, paths, questions, entries."""
    return {
        "sources": [s.id for s in c.sources],
        "stages": [(s.id, s.offer_change) for s in c.stages],
        "steps": [
            (
                s.id,
                s.stage,
                s.actor,
                s.when,
                s.depends_on,
                s.milestone,
                s.optional,
                s.timer and s.timer[:2],
            )
            for s in c.steps
        ],
        "questions": [
            (
                s.id,
                q.key,
                q.kind,
                q.before,
                q.optional,
                bool(q.not_found),
                [(ch.value, ch.recommended, bool(ch.ends), bool(ch.blocks)) for ch in q.choices],
            )
            for s in c.steps
            for q in s.ask
        ],
        "problems": [(s.id, [p.id for p in s.problems]) for s in c.steps],
        "desks": [d.id for d in c.desks],
        "troubleshooting": [(e.id, e.desks, e.steps, len(e.source)) for e in c.troubleshooting],
        "messages": [(s.id, s.message and s.message.file) for s in c.steps],
    }


def test_same_stages_steps_questions_and_troubleshooting() -> None:
    assert EN.language == "en"
    fr, en = shape(FR), shape(EN)
    for key in fr:
        assert en[key] == fr[key], key


def test_same_placeholders_step_by_step() -> None:
    for fr_step, en_step in zip(FR.steps, EN.steps, strict=True):
        for fr_text, en_text in (
            (fr_step.do, en_step.do),
            (" ".join(fr_step.screen.lines), " ".join(en_step.screen.lines)),
        ):
            assert set(PLACEHOLDER.findall(fr_text)) == set(PLACEHOLDER.findall(en_text)), (
                fr_step.id
            )


FRENCH = re.compile(r"\b(vous|votre|vos|cliquez|étape|depuis|n'est|courriel)\b", re.IGNORECASE)


def english(text: str) -> str:
    """*text* without what it quotes from French pages: “…” and French screen labels."""
    return re.sub(r"“[^”]*”", "", text)


@pytest.mark.parametrize("step", EN.steps, ids=lambda s: s.id)
def test_steps_are_written_in_english(step) -> None:  # type: ignore[no-untyped-def]
    texts = [step.title, step.do, *step.warnings]
    texts += [q.prompt for q in step.ask] + [c.label for q in step.ask for c in q.choices]
    for text in texts:
        assert not FRENCH.search(english(text)), text


@pytest.mark.parametrize("entry", EN.troubleshooting, ids=lambda e: e.id)
def test_troubleshooting_is_written_in_english(entry) -> None:  # type: ignore[no-untyped-def]
    for text in (entry.label, *entry.symptoms, *entry.check, *entry.actions):
        assert not FRENCH.search(english(text)), text


def test_the_sms_end_is_in_the_past_in_english_too() -> None:
    text = " ".join([s.do for s in EN.steps] + [w for s in EN.steps for w in s.warnings])
    assert "no longer accepted as a second factor since 1 July 2025" in text
    assert not re.search(r"being (removed|phased out)|will (end|be removed)|by mid-2025", text)


def test_no_personal_data_and_known_placeholders() -> None:
    from test_content import (
        ALLOWED_EMAILS,
        ALLOWED_PHONES,
        EMAIL,
        PHONE,
        PLACEHOLDERS,
        all_strings,
    )

    text = EN_FILE.read_text("utf-8")
    assert {e.lower() for e in EMAIL.findall(text)} <= ALLOWED_EMAILS
    assert set(PHONE.findall(text)) <= ALLOWED_PHONES
    assert set(re.findall(r"\bn00\w+", text)) <= {"n00xxxxx"}
    for value in all_strings(EN._replace(summary="")):  # the summary names answers
        assert set(re.findall(r"\{([^{}]*)\}", value)) <= PLACEHOLDERS, value
