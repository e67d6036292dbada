"""Text form of ``tracesguide doctor``: one line per check, its verdict, what to do."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from tracesguide.i18n import t
from tracesguide.reports.doctor import Report
from tracesguide.system.sanitize import inert
from tracesguide.views.render import say_line

_MARKS = {"ok": "✓", "info": "·", "warning": "!", "problem": "✗"}
_STYLES = {"ok": "green", "info": "dim", "warning": "yellow", "problem": "bold red"}


def print_report(console: Console, report: Report) -> None:
    """Each check (its name, verdict, what was found, what to do), then the summary."""
    labels = {
        "terminal": t("doctor.label_terminal"),
        "encoding": t("doctor.label_encoding"),
        "locale": t("doctor.label_locale"),
        "keyring": t("doctor.label_keyring"),
        "state_file": t("doctor.label_state_file"),
        "state_folder": t("doctor.label_state_folder"),
        "state_lock": t("doctor.label_state_lock"),
        "index": t("doctor.label_index"),
        "data_folder": t("doctor.label_data_folder"),
        "directory_url": t("doctor.label_directory_url"),
        "chromium": t("doctor.label_chromium"),
    }
    verdicts = {
        "ok": t("doctor.verdict_ok"),
        "info": t("doctor.verdict_info"),
        "warning": t("doctor.verdict_warning"),
        "problem": t("doctor.verdict_problem"),
    }
    for check in report.checks:
        line = Text()
        line.append(f"{_MARKS[check.verdict]} ", style=_STYLES[check.verdict])
        label = labels.get(check.id, check.id)
        heading = t("doctor.heading", label=label, verdict=verdicts[check.verdict])
        line.append(heading, style=_STYLES[check.verdict])
        line.append(inert(check.found, single_line=True))
        console.print(line)
        if check.todo:
            todo = Text("    → ", style="dim")
            todo.append(inert(check.todo, single_line=True))
            console.print(todo)
    console.print()
    if report.problems:
        say_line(console, t("doctor.summary_problems", count=report.problems), "bold red")
    elif report.warnings:
        say_line(console, t("doctor.summary_warnings", count=report.warnings), "yellow")
    else:
        say_line(console, t("doctor.summary_ok"), "green")
