"""``replay FILE --redact OUT``: a copy of a state file that names nobody, for a ticket.

The name, e-mail, masked phone, operator name, every other free-text answer and every
free-text detail (event details, step reasons) are replaced by placeholders; the same
value always gets the same placeholder, so the timeline still reads ("the same reason
twice"). What comes from the procedure itself (a choice's value, a problem's id, a
reason the content wrote, an answer's key) is kept: it says nothing about the person.
Keys are masked too when the procedure does not know them: an answer's key, a step's
id, an event's step (a hand-edited file can hold any text of the right form there), and
the tool's version when it does not have a version's form.
The copy is a valid state file (``replay`` and ``check`` accept it), written 0600
through ``files.write_atomic``; it never replaces the file it was made from.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tracesguide.content import Content, Who
from tracesguide.i18n import t
from tracesguide.state import Event, State, StepRecord

# The operator's number is kept only when it has the form of one (« BE-ORG-OP-5 »), and is
# not a phone number in disguise; anything else typed there is masked.
OPERATOR_NUMBER = re.compile(r"[A-Z]{2}-[A-Z0-9][A-Z0-9./-]{2,78}")
_PHONE = re.compile(r"(?:0|33)[1-9]\d{8}")
# A version as tracesguide writes it (« 0.4.0 », « 1.0.0rc1 », « 0.4.0+local »).
_VERSION = re.compile(r"\d{1,4}(?:\.\d{1,4}){0,3}(?:[a-z]{1,5}\d{0,4})?(?:\+[a-z0-9.]{1,20})?")
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

    # The placeholder's pattern in the catalog, by what the answer is: the fields of the
    # content's ``[who]`` (first name, last name, e-mail, phone, operator's name), any text.
    KEYS: ClassVar[dict[str, str]] = {
        **dict(
            zip(
                Who._fields[:5],
                (
                    "redact.first_name",
                    "redact.last_name",
                    "redact.email",
                    "redact.phone_masked",
                    "redact.operator_name",
                ),
                strict=True,
            )
        ),
        "text": "redact.text",
        "key": "redact.key",  # an answer's key (the state file's key form)
        "step": "redact.step",  # a step's id (the step id form)
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


def answer_keys(content: Content) -> frozenset[str]:
    """The answer keys the procedure knows (its questions' and its ``[who]``'s)."""
    keys = {key for step in content.steps for q in step.ask for key in q.answer_keys}
    keys.update(getattr(content.person, field) for field in content.person._fields)
    return frozenset(keys)


def _known_body(value: str) -> bool:
    """Whether *value* is exactly how the guide writes a control body of its table
    (``operators.control_bodies``), its code included: nothing else in it."""
    from tracesguide.operators.control_bodies import from_certificate

    body = from_certificate(value)
    return body is not None and bool(body.source) and value in (body.name, body.label)


def redact(content: Content, state: State) -> State:
    """A copy of *state* without personal data (see the module's docstring)."""
    mask = Placeholders()
    known = procedure_texts(content)
    known_keys = answer_keys(content)

    who = content.person
    body_keys = {
        key for s in content.steps for q in s.ask for role, key in q.stores if role == "body"
    }
    kinds = {getattr(who, field): field for field in Placeholders.KEYS if hasattr(who, field)}

    def key_of(key: str) -> str:
        return key if key in known_keys else mask("key", key)

    def step_of(step: str) -> str:
        return step if not step or content.has_step(step) else mask("step", step)

    def answer(key: str, value: str) -> str:
        if key == who.operator_number:  # a company's public number: support looks it up
            return value if operator_number(value) else mask("text", value)
        if key == who.operator_origin and value in GUIDE_WORDS:
            return value
        if key in body_keys and _known_body(value):
            return value  # a control body of the guide's table: public, names nobody
        if key in kinds:
            return mask(kinds[key], value)
        question = content.question(key)
        if question is not None and question.choice(value) is not None:
            return value  # a choice's value: the guide's own word (the e-mails' language)
        return mask("text", value)

    def text(value: str) -> str:
        return value if value in known else mask("text", value)

    return State(
        created=state.created,
        updated=state.updated,
        language=state.language,
        tool_version=(
            state.tool_version
            if _VERSION.fullmatch(state.tool_version)
            else mask("text", state.tool_version)
        ),
        schema_version=state.schema_version,
        answers={key_of(key): answer(key, value) for key, value in state.answers.items()},
        steps={
            step_of(step): StepRecord(record.status, record.at, text(record.reason))
            for step, record in state.steps.items()
        },
        events=[
            Event(
                e.at,
                e.kind,
                step_of(e.step),
                key_of(e.detail) if e.kind == "answer" and e.detail else text(e.detail),
            )
            for e in state.events
        ],
    )
