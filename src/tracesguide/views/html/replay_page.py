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

from tracesguide import __version__
from tracesguide.content import Content, Step
from tracesguide.engine import BLOCKED, DONE, StepStatus
from tracesguide.i18n import t
from tracesguide.i18n.wording import moment as people_moment
from tracesguide.reports.replay import Entry, Replay, replay
from tracesguide.state import State
from tracesguide.views.html import Segment, link, render, segments, visible
from tracesguide.views.render import personalise as fill_text
from tracesguide.views.render import reason, status_label
from tracesguide.views.replay_text import (
    answer_rows,
    clock,
    clock_heading,
    day,
    detail,
    detail_rows,
    gap_text,
    kind_label,
)
from tracesguide.views.situation import STAFF_ACTORS

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
    "replay_html.answer",
    "replay_html.file_details",
    "replay_html.every_event",
)


def labels() -> dict[str, str]:
    """The page's fixed words, by the last part of their key (``L.toc`` in templates)."""
    return {key.split(".", 1)[1]: t(key) for key in LABEL_KEYS}


def format_time(moment: datetime) -> str:
    return people_moment(moment, utc=True)


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


def rows(content: Content, entries: tuple[Entry, ...]) -> list[Row]:
    """The chronology's lines as table rows (the model's, words from ``replay_text``)."""
    result: list[Row] = []
    for entry in entries:
        classes = [entry.kind if entry.kind in ("problem", "blocked") else ""]
        if entry.notable:
            classes.append("notable")
        if entry.long_gap:
            classes.append("long-gap")
        result.append(
            Row(
                at=f"{day(entry.at)} {clock(entry.at)}",
                gap=gap_text(entry.gap),
                kind=entry.kind,
                label=kind_label(entry.kind, visible),
                step=visible(entry.step),
                known=entry.known_step,
                detail=segments(detail(content, entry, visible)),
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


def tone(model: Replay) -> str:
    """The answer's colour: done, blocked (something blocks or the guide ends), else
    progress."""
    summary = model.summary
    if summary.complete:
        return "done"
    if summary.ended or summary.blocker:
        return "blocked"
    return "progress"


def page(
    content: Content,
    path: Path,
    state: State,
    step_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """The whole page, as text: the answer to the ticket first (the replay model's, the
    terminal's words), the stages, the chronology, the screens seen, the answers."""
    moment = now or datetime.now(UTC)
    model = replay(content, path, state, moment, step_id)
    where = model.situation.progress
    answers = state.answers
    name = visible(model.summary.name) or t("replay_html.no_name")
    if step_id is None:
        seen = {e.step for e in state.events if e.kind == "shown"} | set(state.steps)
        steps = [
            step_view(content, state, where.status_of(s.id)) for s in content.steps if s.id in seen
        ]
    else:
        steps = [step_view(content, state, where.status_of(step_id))]
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
        ("situation", L["answer"]),
        ("etapes-majeures", L["stages"]),
        ("chronologie", L["timeline"]),
        ("ecrans", L["screens"]),
    ]
    if answers and step_id is None:
        toc.append(("reponses", L["answers"]))
    unknown = sorted(visible(s) for s in set(state.steps) - set(content.by_id))
    reached = sum(where.milestones.values())
    return render(
        "replay.html.j2",
        L=L,
        version=__version__,
        kicker=L["kicker"],
        title=t("replay_html.title", name=name, date=format_time(state.updated)[:10]),
        footer=t("html.footer", version=__version__, at=format_time(moment)),
        answer=[
            (label, segments(value))
            for label, value in answer_rows(content, model.summary, visible)
        ],
        tone=tone(model),
        who=detail_rows(model.summary, str(path), state.language, state.tool_version, visible),
        clock=clock_heading(),
        milestones_reached=t(
            "replay_html.milestones_reached", count=reached, total=len(where.milestones)
        ),
        stages=stages,
        percent=round(100 * done_stages / max(1, len(stages))),
        milestones=[(m, done) for m, done in where.milestones.items()],
        rows=rows(content, model.chronology),
        every=rows(content, model.events) if model.chronology != model.events else [],
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
