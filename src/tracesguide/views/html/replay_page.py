"""The replay of one user's state file as a web page for support staff.

``page`` gathers plain data (every value from the state through ``visible``), the
template ``replay.html.j2`` lays it out. The terminal report (``replay.print_report``)
and this page say the same things in the same order: who, where the user stands and
why, the progress by stage, the timeline, the screens seen, the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracesguide import __version__
from tracesguide.content import Content, Step
from tracesguide.engine import BLOCKED, DONE, Progress, StepStatus, progress
from tracesguide.engine import situation as engine_situation
from tracesguide.i18n import t
from tracesguide.i18n.wording import moment as people_moment
from tracesguide.reports.status import next_action
from tracesguide.state import Event, State
from tracesguide.views.html import Segment, link, render, segments, visible
from tracesguide.views.render import personalise as fill_text
from tracesguide.views.render import reason, status_label
from tracesguide.views.replay import event_detail, format_gap, kind_label
from tracesguide.views.situation import STAFF_ACTORS, actor_text, staff_lines

LONG_GAP_SECONDS = 3600  # a gap of an hour or more is shown in bold
ACTOR_KEYS = STAFF_ACTORS
LABEL_KEYS = (
    "html.toc",
    "replay_html.kicker",
    "replay_html.who",
    "replay_html.situation",
    "replay_html.stages",
    "replay_html.timeline",
    "replay_html.screens",
    "replay_html.answers",
    "replay_html.col_at",
    "replay_html.col_gap",
    "replay_html.col_event",
    "replay_html.col_step",
    "replay_html.col_detail",
    "replay_html.col_key",
    "replay_html.col_value",
    "replay_html.no_event",
    "replay_html.never_shown",
    "replay_html.reason",
    "replay_html.click",
    "replay_html.unknown_step",
    "replay_html.unknown_steps",
    "replay_html.source",
)


def labels() -> dict[str, str]:
    """The page's fixed words, by the last part of their key (``L.toc`` in templates)."""
    return {key.split(".", 1)[1]: t(key) for key in LABEL_KEYS}


def format_time(moment: datetime) -> str:
    return people_moment(moment, utc=True)


def full_name(answers: dict[str, str]) -> str:
    parts = (answers.get("first_name", ""), answers.get("last_name", ""))
    return visible(" ".join(p for p in parts if p)).strip()


def personalise(text: str, answers: dict[str, str]) -> list[Segment]:
    """Content text with the user's values in its placeholders, as text and links."""
    return segments(fill_text(text, {key: visible(value) for key, value in answers.items()}))


@dataclass
class Row:
    at: str
    gap: str
    kind: str
    label: str
    step: str
    known: bool
    detail: list[Segment]
    classes: str


@dataclass
class Screen:
    title: str
    url: str
    href: str
    lines: list[list[Segment]]
    fields: list[tuple[str, list[Segment]]]
    buttons: list[str]
    links: list[str]


@dataclass
class StepView:
    id: str
    anchor: str
    stage: str
    title: str
    status: str
    status_label: str
    at: str
    reason: list[Segment]
    never_shown: bool
    do: list[Segment]
    screen: Screen
    action: str
    warnings: list[list[Segment]]
    sources: str


def detail_text(content: Content, event: Event) -> str:
    return event_detail(content, event, visible)


def rows(content: Content, events: list[Event]) -> list[Row]:
    result: list[Row] = []
    previous: datetime | None = None
    for event in events:
        seconds = 0.0 if previous is None else (event.at - previous).total_seconds()
        previous = event.at
        classes = [event.kind if event.kind in ("problem", "blocked") else ""]
        if seconds >= LONG_GAP_SECONDS:
            classes.append("long-gap")
        result.append(
            Row(
                at=format_time(event.at),
                gap=format_gap(seconds) if result else "",
                kind=event.kind,
                label=kind_label(event.kind),
                step=visible(event.step),
                known=not event.step or content.has_step(event.step),
                detail=segments(detail_text(content, event)),
                classes=" ".join(c for c in classes if c),
            )
        )
    return result


def screen_view(step: Step, answers: dict[str, str]) -> Screen:
    screen = step.screen
    url = "".join(s.text for s in personalise(screen.url, answers)) if screen.url else ""

    def one(text: str) -> str:
        return "".join(s.text for s in personalise(text, answers))

    return Screen(
        title=one(screen.title),
        url=url,
        href=link(url),
        lines=[personalise(line, answers) for line in screen.lines],
        fields=[(one(f.label), personalise(f.value, answers)) for f in screen.fields],
        buttons=[one(b) for b in screen.buttons],
        links=[one(item) for item in screen.links],
    )


def step_view(content: Content, state: State, status: StepStatus) -> StepView:
    step = status.step
    record = state.steps.get(step.id)
    answers = state.answers
    sources = t("render.source_separator").join(
        t("render.source_where", title=content.source(r.source).title, where=r.where)
        for r in step.source
    )
    stage = content.stage(step.stage)
    return StepView(
        id=step.id,
        anchor="etape-" + step.id.replace(".", "-"),
        stage=f"{stage.number}. {stage.title}",
        title=step.title,
        status=status.status,
        status_label=status_label(status.status),
        at=format_time(record.at) if record else "",
        reason=segments(visible(reason(status.reason))),
        never_shown=not any(e.step == step.id and e.kind == "shown" for e in state.events),
        do=personalise(step.do, answers),
        screen=screen_view(step, answers),
        action="".join(s.text for s in personalise(step.action, answers)),
        warnings=[personalise(w, answers) for w in step.warnings],
        sources=sources,
    )


def waiting_days(content: Content, state: State, where: Progress, now: datetime) -> int | None:
    """Whole days since the request, while it is really pending (the engine's situation)."""
    return engine_situation(content, state, now, known=where).waiting_days


def situation(content: Content, state: State, where: Progress, now: datetime) -> dict[str, Any]:
    """Where the user stands and why, in sentences for staff."""
    lines: list[list[Segment]] = []
    tone = "progress"
    reached = sum(where.milestones.values())
    if where.complete:
        tone = "done"
        lines.append(segments(t("replay_html.complete")))
    elif where.ended:
        tone = "blocked"
        lines.append(segments(t("replay_html.ended", reason=visible(where.ended))))
    for step_id, why in where.blocked:
        if where.ended and why == where.ended:
            continue
        tone = "blocked"
        title = content.step(step_id).title if content.has_step(step_id) else visible(step_id)
        lines.append(
            segments(
                t("replay_html.blocked", title=title, step=step_id, reason=visible(reason(why)))
            )
        )
    seen = engine_situation(content, state, now, known=where)
    action = next_action(content, where.next_step) if not where.ended else None
    if action is not None:
        actor = actor_text(content, seen.actor)
        lines.append(
            segments(t("replay_html.next", title=action.action, step=action.step, actor=actor))
        )
    for line in staff_lines(content, seen, actor=False):
        lines.append(segments(visible(line)))
    days = seen.waiting_days
    if days is not None:
        lines.append(segments(t("replay_html.waiting", days=days)))
    problems = [e for e in state.events if e.kind == "problem"]
    if problems:
        last_problem = problems[-1]
        lines.append(
            segments(
                t(
                    "replay_html.problems",
                    count=len(problems),
                    problem=detail_text(content, last_problem),
                    step=visible(last_problem.step),
                    at=format_time(last_problem.at),
                )
            )
        )
    if state.events:
        last = state.events[-1]
        lines.append(
            segments(
                t(
                    "replay_html.last",
                    at=format_time(last.at),
                    kind=kind_label(last.kind),
                    step=visible(last.step) or "—",
                )
            )
        )
    milestones = t("replay_html.milestones_reached", count=reached, total=len(where.milestones))
    return {"tone": tone, "lines": lines, "milestones": milestones}


def page(
    content: Content,
    path: Path,
    state: State,
    step_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """The whole page, as text."""
    moment = now or datetime.now(UTC)
    where = progress(content, state)
    answers = state.answers
    name = full_name(answers) or t("replay_html.no_name")
    operator = visible(answers.get("operator_name", ""))
    number = visible(answers.get("operator_traces_number", ""))
    missing = t("replay.not_given")
    who = [
        (t("replay.name"), name),
        (t("replay.email"), visible(answers.get("email", "")) or missing),
        (t("replay.phone"), visible(answers.get("phone_masked", "")) or missing),
        (t("replay_html.operator"), f"{operator} ({number})" if number else operator or missing),
        (t("replay.language"), visible(state.language)),
        (t("replay.version"), visible(state.tool_version)),
        (t("replay.created"), t("replay.utc", time=format_time(state.created))),
        (t("replay.updated"), t("replay.utc", time=format_time(state.updated))),
        (t("replay.file"), visible(str(path))),
    ]
    if step_id is None:
        seen = {e.step for e in state.events if e.kind == "shown"} | set(state.steps)
        steps = [
            step_view(content, state, where.status_of(s.id)) for s in content.steps if s.id in seen
        ]
        events = state.events
    else:
        steps = [step_view(content, state, where.status_of(step_id))]
        events = [e for e in state.events if e.step == step_id]
    stages = [
        {
            "title": s.stage.title,
            "number": s.stage.number,
            "status": s.status,
            "label": status_label(s.status),
            "reason": visible(reason(s.reason)) if s.status == BLOCKED else "",
        }
        for s in where.stages
    ]
    done_stages = sum(1 for s in where.stages if s.status in (DONE, "skipped"))
    L = labels()
    toc = [
        ("situation", L["situation"]),
        ("etapes-majeures", L["stages"]),
        ("chronologie", L["timeline"]),
        ("ecrans", L["screens"]),
    ]
    if answers and step_id is None:
        toc.append(("reponses", L["answers"]))
    unknown = sorted(visible(s) for s in set(state.steps) - set(content.by_id))
    return render(
        "replay.html.j2",
        L=L,
        version=__version__,
        kicker=L["kicker"],
        title=t("replay_html.title", name=name, date=format_time(state.updated)[:10]),
        footer=t("html.footer", version=__version__, at=format_time(moment)),
        who=who,
        situation=situation(content, state, where, moment),
        stages=stages,
        percent=round(100 * done_stages / max(1, len(stages))),
        milestones=[(m, reached) for m, reached in where.milestones.items()],
        rows=rows(content, events),
        steps=steps,
        answers=[(visible(k), segments(visible(v))) for k, v in sorted(answers.items())]
        if step_id is None
        else [],
        unknown=", ".join(unknown),
        toc=toc,
        wide=False,
    )


def write_html(content: Content, path: Path, state: State, step_id: str | None, out: Path) -> None:
    """Write the page for staff to *out* only, private (0600, it names the user), atomically:
    a symlink at *out* is replaced, never followed."""
    from tracesguide.views.html import write_private

    write_private(out, page(content, path, state, step_id).encode("utf-8"))
