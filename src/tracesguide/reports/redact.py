"""``replay FILE --redact OUT``: a copy of a state file that names nobody, for a ticket.

The name, e-mail, masked phone, operator name, every other free-text answer and every
free-text detail (event details, step reasons) are replaced by placeholders; the same
value always gets the same placeholder, so the timeline still reads ("the same reason
twice"). What comes from the procedure itself (a choice's value, a problem's id, a
reason the content wrote, an answer's key) is kept: it says nothing about the person.
The copy is a valid state file (``replay`` and ``check`` accept it), written 0600
through ``files.write_atomic``; it never replaces the file it was made from.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tracesguide.content import Content
from tracesguide.i18n import t
from tracesguide.state import Event, State, StepRecord

# Answers kept as they are: not about the person (the operator's public TRACES number
# identifies a company's profile, which support needs to look it up).
KEPT_ANSWERS = frozenset({"email_language"})
# The operator's number is kept only when it has the form of one (« BE-ORG-OP-5 »), and is
# not a phone number in disguise; anything else typed there is masked.
OPERATOR_NUMBER = re.compile(r"[A-Z]{2}-[A-Z0-9][A-Z0-9./-]{2,78}")
_PHONE = re.compile(r"(?:0|33)[1-9]\d{8}")
# Words the wizard itself writes: the operator step's origins, « Autre problème ».
GUIDE_WORDS = frozenset({"search", "typed", "other", "operator-not-found"})


def operator_number(value: str) -> bool:
    digits = "".join(c for c in value if c.isdigit())
    return (
        OPERATOR_NUMBER.fullmatch(value) is not None
        and any(c.isdigit() for c in value)
        and not _PHONE.search(digits)
    )


class Placeholders:
    """Stable placeholders: one counter per kind, one placeholder per distinct value."""

    KEYS: ClassVar[dict[str, str]] = {  # the placeholder's pattern, by kind, in the catalog
        "first_name": "redact.first_name",
        "last_name": "redact.last_name",
        "email": "redact.email",
        "phone_masked": "redact.phone_masked",
        "operator_name": "redact.operator_name",
        "text": "redact.text",
    }

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}
        self.counts: dict[str, int] = {}

    def __call__(self, kind: str, value: str) -> str:
        if not value:
            return value
        key = (kind, value)
        if key not in self.seen:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.seen[key] = t(self.KEYS[kind], n=self.counts[kind])
        return self.seen[key]


def procedure_texts(content: Content) -> frozenset[str]:
    """Texts the procedure itself writes into a state file (kept by the redaction)."""
    texts: set[str] = set()
    for step in content.steps:
        texts.update(p.id for p in step.problems)
        for question in step.ask:
            texts.add(question.key)
            for choice in question.choices:
                texts.update((choice.blocks, choice.ends))
    texts.update(e.id for e in content.troubleshooting)
    texts.update(s.id for s in content.steps)
    texts.update(GUIDE_WORDS)
    texts.discard("")
    return frozenset(texts)


def redact(content: Content, state: State) -> State:
    """A copy of *state* without personal data (see the module's docstring)."""
    mask = Placeholders()
    known = procedure_texts(content)

    def answer(key: str, value: str) -> str:
        if key in KEPT_ANSWERS:
            return value
        if key == "operator_traces_number":
            return value if operator_number(value) else mask("text", value)
        if key == "operator_origin" and value in GUIDE_WORDS:
            return value
        if key in Placeholders.KEYS:
            return mask(key, value)
        question = content.question(key)
        if question is not None and question.choice(value) is not None:
            return value
        return mask("text", value)

    def text(value: str) -> str:
        return value if value in known else mask("text", value)

    return State(
        created=state.created,
        updated=state.updated,
        language=state.language,
        tool_version=state.tool_version,
        schema_version=state.schema_version,
        answers={key: answer(key, value) for key, value in state.answers.items()},
        steps={
            step: StepRecord(record.status, record.at, text(record.reason))
            for step, record in state.steps.items()
        },
        events=[
            Event(e.at, e.kind, e.step, e.detail if e.kind == "answer" else text(e.detail))
            for e in state.events
        ],
    )
