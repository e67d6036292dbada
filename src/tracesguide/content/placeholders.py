"""Filling a content text's placeholders (``{first_name}``…) as the content declares them.

The content's ``[placeholders]`` table names each placeholder and its neutral value; a
value made of other placeholders (``{first_name} {last_name}``) joins them. The user's
answers are untrusted (support staff replay other people's files): each is made inert.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from tracesguide.content.model import Content, Placeholder
from tracesguide.system.sanitize import inert

_NAME = re.compile(r"\{([a-z_]+)\}")


@cache
def pattern(placeholders: tuple[Placeholder, ...]) -> re.Pattern[str]:
    """What a text's placeholders look like, for this content."""
    return re.compile(r"\{(" + "|".join(re.escape(p.key) for p in placeholders) + r")\}")


def values(content: Content, answers: Mapping[str, str]) -> dict[str, str]:
    """Each placeholder's value: the user's answer (inert, one line) or its neutral value."""
    filled: dict[str, str] = {}
    joined: list[Placeholder] = []
    for placeholder in content.placeholders:
        if _NAME.search(placeholder.default):
            joined.append(placeholder)
            continue
        given = inert(answers.get(placeholder.key, ""), single_line=True).strip()
        filled[placeholder.key] = given or placeholder.default
    for placeholder in joined:  # the user's answer, else the others joined
        given = inert(answers.get(placeholder.key, ""), single_line=True).strip()
        filled[placeholder.key] = given or _NAME.sub(
            lambda m: filled.get(m.group(1), m.group(0)), placeholder.default
        )
    return filled


def control_body(content: Content, answers: Mapping[str, str]) -> str:
    """The control body's name: the one the certificate named (the operator question's
    ``body`` answer), else the content's default for it; "" if the content has none."""
    from tracesguide.content.model import OPERATOR_KIND

    question = next((q for s in content.steps for q in s.ask if q.kind == OPERATOR_KIND), None)
    if question is None or "body" not in dict(question.stores):
        return ""
    return values(content, answers).get(question.stored("body"), "")


def fill(content: Content, text: str, answers: Mapping[str, str]) -> str:
    """*text* with its placeholders replaced by ``values``."""
    if "{" not in text:
        return text
    filled = values(content, answers)
    return pattern(content.placeholders).sub(lambda m: filled[m.group(1)], text)


def personal(content: Content, answers: Mapping[str, str]) -> Content:
    """*content* with its desks' names, roles and contacts filled for these answers (the
    control body the certificate named); with no answers, the content's defaults."""
    desks = tuple(
        desk._replace(
            name=fill(content, desk.name, answers),
            role=fill(content, desk.role, answers),
            contact=fill(content, desk.contact, answers),
        )
        for desk in content.desks
    )
    return content._replace(desks=desks)


def body_answers(content: Content, body: str) -> dict[str, str]:
    """The answers that name *body* as the control body (for ``fill``)."""
    from tracesguide.content.model import OPERATOR_KIND

    question = next((q for s in content.steps for q in s.ask if q.kind == OPERATOR_KIND), None)
    if not body or question is None or "body" not in dict(question.stores):
        return {}
    return {question.stored("body"): body}
