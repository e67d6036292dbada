"""Text form of ``tracesguide status``: the same data as ``--json``, for people."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from tracesguide.content import Content
from tracesguide.engine import Situation
from tracesguide.i18n import t
from tracesguide.i18n.wording import moment
from tracesguide.reports.status import StatusReport
from tracesguide.system.hints import command
from tracesguide.system.sanitize import inert
from tracesguide.views.render import MARKS, STYLES, say_line, status_label
from tracesguide.views.situation import STAFF_ACTORS, actor_text, staff_lines

__all__ = ["STAFF_ACTORS", "print_status"]


def print_status(
    console: Console,
    content: Content,
    report: StatusReport,
    *,
    for_user: bool = True,
    seen: Situation | None = None,
) -> None:
    """The status report for people; *for_user* adds how to resume (not for support).

    *content* is the procedure the report was made with (the titles are in the report).
    """
    resume = command("setup", Path(report.state_path))  # as typed, with --state
    console.print(Text(t("status.state_file"), style="dim") + Text(inert(report.state_path)))
    if not report.started or report.updated is None:
        say_line(console, t("status.not_started", command=resume))
        return
    console.print(Text(t("status.updated", updated=moment(report.updated)), style="dim"))
    console.print()
    for stage in report.stages:
        line = Text()
        line.append(f"{MARKS[stage.status]} ", style=STYLES[stage.status])
        line.append(stage.title)
        line.append(f"  {status_label(stage.status)}", style=STYLES[stage.status] or "dim")
        console.print(line)
    console.print()
    milestones = Text(t("status.milestones"))
    for name, reached in report.milestones.items():
        mark = "✔" if reached else "·"
        milestones.append(
            f"{mark} {content.milestone_name(name)}  ", style="green" if reached else ""
        )
    console.print(milestones)
    for message in report.messages:  # on one line: a path to copy
        say_line(console, t("status.message", path=inert(message, single_line=True)))
    for step_id, why in report.blocked:
        console.print(
            Text(t("status.blocked_at", step=step_id), style="red")
            + Text(inert(why, single_line=True))
        )
    if report.complete:
        done = t("status.complete") if for_user else t("replay_html.complete")
        console.print(Text(done, style="bold green"))
    elif report.ended:
        ended = (
            t("status.ended_role")
            if for_user
            else t("replay_html.ended", reason=inert(report.ended, single_line=True))
        )
        console.print(Text(ended, style="yellow"))
    elif report.next_step and not for_user and report.next_action:
        action = report.next_action
        who = seen.actor if seen is not None else action.actor
        actor = actor_text(content, who, seen.control_body if seen is not None else "")
        sentence = t("replay_html.next", title=action.action, step=action.step, actor=actor)
        console.print(Text(sentence, style="bold"))
    elif report.next_step:
        console.print(
            Text(t("status.next_step"), style="bold")
            + Text(f"{report.next_step_title} ({report.next_step})")
        )
        if for_user:
            console.print(Text(t("status.resume", command=resume), style="dim"))
    if seen is not None and (not for_user or seen.actor != "user"):
        for sentence in staff_lines(content, seen, actor=for_user):
            console.print(Text(inert(sentence, single_line=True), style="yellow"))
