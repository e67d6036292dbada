"""The engine's situation in words, for staff: who must act, what blocks, the last problem.

Every view for staff (``replay`` in the terminal and in HTML, ``check --html``) draws
the one ``engine.Situation`` through these functions; none works it out again.
"""

from __future__ import annotations

from tracesguide.content import ADMIN_ACTOR, CONTROL_BODY_ACTOR, USER_ACTOR, Content
from tracesguide.content.placeholders import body_answers, control_body, fill
from tracesguide.engine import (
    BLOCKED_ANSWER,
    BLOCKED_PROBLEM,
    OPERATOR_NOT_FOUND,
    USER,
    Situation,
)
from tracesguide.i18n import t
from tracesguide.i18n.wording import moment as people_moment

# Who must act, for support staff (the actors the steps declare).
STAFF_ACTORS = {
    USER_ACTOR: "html.actor_user",
    CONTROL_BODY_ACTOR: "html.actor_control_body",
    ADMIN_ACTOR: "html.actor_organisation_admin",
}

# What blocks, by the engine's code (an answer that blocks has its own sentence).
BLOCKER_KEYS = {
    OPERATOR_NOT_FOUND: "situation.blocker_operator_not_found",
    BLOCKED_PROBLEM: "situation.blocker_problem",
}


def actor_text(content: Content, actor: str, body: str = "") -> str:
    """Who must act, in words: a step's actor, else the troubleshooting desk's name.
    *body*: the user's control body (``Situation.control_body``), else the default."""
    if actor == CONTROL_BODY_ACTOR:
        return t(STAFF_ACTORS[actor], name=body or control_body(content, {}))
    if actor in STAFF_ACTORS:
        return t(STAFF_ACTORS[actor])
    return desk_text(content, actor, body)


def desk_text(content: Content, desk: str, body: str = "") -> str:
    found = next((d for d in content.desks if d.id == desk), None)
    return fill(content, found.name, body_answers(content, body)) if found is not None else desk


def staff_lines(content: Content, seen: Situation, actor: bool = True) -> list[str]:
    """What blocks, the last problem and who must act, one sentence each (may be none)."""
    lines: list[str] = []
    if seen.blocked is not None and seen.blocked.code != BLOCKED_ANSWER:
        desk = (
            desk_text(content, seen.last_problem.desk, seen.control_body)
            if seen.last_problem
            else ""
        )
        what = t(BLOCKER_KEYS[seen.blocked.code], desk=desk)
        lines.append(t("situation.blocker_line", step=seen.blocked.step, what=what))
    if seen.last_problem is not None:
        problem = seen.last_problem
        lines.append(
            t(
                "situation.last_problem",
                id=problem.id,
                desk=desk_text(content, problem.desk, seen.control_body) if problem.desk else "—",
                at=people_moment(problem.at, utc=True),
            )
        )
    if actor and not seen.ended and not seen.complete:
        lines.append(
            t("situation.actor_line", actor=actor_text(content, seen.actor, seen.control_body))
        )
    return lines


def user_lines(content: Content, seen: Situation) -> list[str]:
    """The same situation told to the user on a resume: what blocks, the problem they
    reported and who must act before they can go on (nothing when it is up to them)."""
    lines: list[str] = []
    if seen.blocked is not None and seen.blocked.code != BLOCKED_ANSWER:
        desk = (
            desk_text(content, seen.last_problem.desk, seen.control_body)
            if seen.last_problem
            else ""
        )
        lines.append(t("wizard.resume_blocked", what=t(BLOCKER_KEYS[seen.blocked.code], desk=desk)))
    if seen.last_problem is not None:
        problem = seen.last_problem
        entry = next((e for e in content.troubleshooting if e.id == problem.id), None)
        lines.append(
            t(
                "wizard.resume_problem",
                problem=entry.label if entry is not None else problem.id,
                at=people_moment(problem.at),
            )
        )
    if not seen.ended and not seen.complete and seen.actor != USER and seen.step:
        lines.append(
            t("wizard.resume_actor", actor=actor_text(content, seen.actor, seen.control_body))
        )
    return lines
