"""The two ways ``tracesguide check`` shows its results: JSON lines, or a table.

``write_json_lines`` gives scripts one JSON object per file (documented in
docs/scripting.md); ``print_table`` gives people a table (a name column, the
dates as ``replay`` writes them), written as each record comes, every untrusted value
inert, then a summary line. Both take the typed results of ``check.run``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from tracesguide.reports.check import Checked, Result, Tally, Unusable
from tracesguide.reports.status import JSON_FORMAT
from tracesguide.system.sanitize import inert

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from tracesguide.content import Content


# The situation's fields of a file with nothing saved (docs/scripting.md).
_NOT_STARTED: dict[str, Any] = {
    "format": JSON_FORMAT,
    "actor": "user",
    "blocked": None,
    "last_problem": None,
    "waiting_days": None,
    "ended": None,
}


def as_json(result: Result, now: datetime | None = None) -> dict[str, Any]:
    """One result as the JSON object of docs/scripting.md: with the answers of
    ``shown_answers`` (when ``run`` kept them), the fields of ``check --csv`` too.
    *now*: for ``inactive_days`` (the current time when None)."""
    if isinstance(result, Unusable):
        return {"path": str(result.path), "error": inert(result.error, single_line=True)}
    record: dict[str, Any] = {
        "path": str(result.path),
        "started": result.started,
        "complete": result.complete,
        "required": result.required,
        "ok": result.ok,
        "milestones": result.milestones,
        "next_step": result.next_step,
        "next_action": result.next_action.as_json() if result.next_action else None,
        "blocked_steps": [{"step": step, "reason": reason} for step, reason in result.blocked],
        "updated": result.updated.isoformat() if result.updated else None,
        "ended_reason": result.ended,
    }
    if result.situation is not None:
        record.update(result.situation.as_json())
    else:
        record.update(_NOT_STARTED)
    record.update(_people_fields(result, now or datetime.now(UTC)))
    if not result.started:
        record["hint"] = _new_file_hint(result.path)
    return record


def _people_fields(result: Checked, now: datetime) -> dict[str, Any]:
    """What a manager's spreadsheet has beside the situation (``check --csv``): who, the
    operator, the stage, the days since the last activity, the control body's name (the
    desk ``control-body`` names). The answers are those ``run`` kept (``shown_answers``):
    ``null`` when absent."""
    first, last, email, operator, number = (tuple(result.kept) + ("",) * 5)[:5]
    seen = result.situation
    return {
        "name": " ".join(part for part in (first, last) if part) or None,
        "email": email or None,
        "operator": operator or None,
        "operator_number": number or None,
        "stage": result.stage or None,
        "inactive_days": max((now - result.updated).days, 0) if result.updated else None,
        "control_body_name": (seen.control_body or None) if seen else None,
    }


def write_json_lines(results: Iterable[Result], out: TextIO, now: datetime | None = None) -> int:
    """One JSON line per result, written as each comes (none is kept); returns check's
    exit code.

    ``ensure_ascii``: the exact data, yet no raw control or bidi character on stdout.
    """
    tally = Tally()
    dumps, write, add = json.dumps, out.write, tally.add
    moment = now or datetime.now(UTC)
    for result in results:
        write(dumps(as_json(add(result), moment)) + "\n")
    return tally.code


def summary(results: Sequence[Result] | Tally) -> str:
    from tracesguide.i18n import t

    if isinstance(results, Tally):
        tally = results
    else:
        tally = Tally()
        for result in results:
            tally.add(result)
    return t(
        "check.counts",
        complete=tally.complete,
        incomplete=tally.incomplete,
        unusable=tally.unusable,
    )


def shown_answers(content: Content) -> tuple[str, ...]:
    """The answers the records carry, as the content names them (``[who]``): the table's
    name column (the first two), and the JSON's name, e-mail and operator;
    ``check.run`` carries them in its records (``keep``)."""
    who = content.person
    return (who.first_name, who.last_name, who.email, who.operator_name, who.operator_number)


NAME_WIDTH = 24  # a longer name is cut with « … » (``replay`` gives it whole)
STATUS_WIDTH = 12
DATE_WIDTH = 16  # 30/11/2026 00:00
FILE_MIN = 20
GAP = "  "


class _Layout:
    """The table's columns at *width*: one line per file when the next step's id (never
    cut) and enough of the file fit beside the rest, else two (the step and the file on
    the second line, indented)."""

    def __init__(self, width: int, require: str | None, step_width: int, date: str) -> None:
        from tracesguide.i18n import t

        self.width = max(width, 40)
        self.date = max(DATE_WIDTH, len(date))
        self.milestones = (
            max(
                len(t("check.reached")),
                len(t("check.not_reached")),
                len(t("check.column_required")),
            )
            if require
            else max(len(t("check.column_milestones")), 3)
        )
        self.step = max(step_width, len(t("check.column_next")))
        others = STATUS_WIDTH + self.milestones + self.date + 3 * len(GAP)
        self.name = max(10, min(NAME_WIDTH, self.width - others))
        first = self.name + others
        self.one_line = first + len(GAP) + self.step + len(GAP) + FILE_MIN <= self.width
        self.file = max(self.width - first - 2 * len(GAP) - self.step, FILE_MIN)

    def row(self, name: str, status: str, milestones: str, date: str, step: str, file: str) -> str:
        head = GAP.join(
            (
                _fit(name, self.name),
                status.ljust(STATUS_WIDTH),
                milestones.ljust(self.milestones),
                date.ljust(self.date),
            )
        )
        if self.one_line:
            return (head + GAP + step.ljust(self.step) + GAP + _fit_left(file, self.file)).rstrip()
        # two lines: the step's id whole, then as much of the file as the line holds
        room = self.width - 4 - len(step) - len(GAP)
        if room >= FILE_MIN or not step:
            below = "    " + (step + GAP if step else "") + _fit_left(file, max(room, FILE_MIN))
        else:
            below = "    " + step + "\n    " + _fit_left(file, self.width - 4)
        return head.rstrip() + "\n" + below.rstrip()


def _fit(text: str, width: int) -> str:
    """*text* in *width* columns: padded, or cut with « … »."""
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def _fit_left(text: str, width: int) -> str:
    """A path in *width* columns: cut at its start (the file's name is at the end)."""
    return text if len(text) <= width else "…" + text[len(text) - width + 1 :]


def people_date(moment: datetime | None) -> str:
    """The one date format people read, at Paris's time as ``replay`` gives it (UTC where
    the system has no zone database)."""
    if moment is None:
        return ""
    from tracesguide.i18n import t
    from tracesguide.reports.replay import local_zone

    zone = local_zone() or UTC
    return moment.astimezone(zone).strftime(t("wording.date_format"))


def print_table(
    console: Console, content: Content, results: Iterable[Result], require: str | None
) -> int:
    """The results as a table, written as each comes (the records of ``check --json``,
    names kept by ``run``), every untrusted value inert, a file's blocked steps and hint
    under its row, then the summary line; returns check's exit code."""
    from tracesguide.i18n import t
    from tracesguide.reports.replay import local_zone

    zone = "check.column_updated_local" if local_zone() is not None else "check.column_updated"
    steps = max(len(step.id) for step in content.steps)
    layout = _Layout(console.size.width, require, steps, t(zone))
    write = console.file.write
    header = layout.row(
        t("check.column_name"),
        t("check.column_status"),
        t("check.column_required") if require else t("check.column_milestones"),
        t(zone),
        t("check.column_next"),
        t("check.column_file"),
    )
    if require:
        write(
            _wrapped(
                t("check.required_heading", name=inert(require, single_line=True)), layout.width
            )
            + "\n"
        )
    write(
        header
        + "\n"
        + "─" * min(layout.width, max(len(line) for line in header.splitlines()))
        + "\n"
    )
    tally = Tally()
    reached, not_reached = t("check.reached"), t("check.not_reached")
    for result in results:
        tally.add(result)
        path = inert(str(result.path), single_line=True)
        if isinstance(result, Unusable):
            from tracesguide.state.schema import unusable_prefix

            why = result.error.removeprefix(unusable_prefix(result.path))
            write(layout.row("", t("check.unusable"), "", "", "", path) + "\n")
            write(
                _wrapped(
                    t("check.unusable_note", why=inert(why, single_line=True)), layout.width, "    "
                )
                + "\n"
            )
            continue
        if require:
            milestones = reached if result.ok else not_reached
        else:
            milestones = f"{sum(result.milestones.values())}/{len(result.milestones)}"
        if not result.started:
            status = t("check.not_started")
        elif result.complete:
            status = t("check.complete")
        else:
            status = t("check.incomplete")
        name = inert(" ".join(part for part in result.kept[:2] if part), single_line=True)
        write(
            layout.row(
                name,
                status,
                milestones,
                people_date(result.updated),
                inert(result.next_step or "", single_line=True),
                path,
            )
            + "\n"
        )
        for step, reason in result.blocked:
            note = t(
                "check.blocked_note",
                step=inert(step, single_line=True),
                reason=inert(reason, single_line=True),
            )
            write(_wrapped(note, layout.width, "    ") + "\n")
        if not result.started:
            write(_wrapped("· " + _new_file_hint(result.path), layout.width, "    ") + "\n")
    line = summary(tally)
    if require:
        line += t("check.required_suffix", name=inert(require, single_line=True))
    write(_wrapped(line, layout.width) + "\n")
    return tally.code


def _wrapped(text: str, width: int, indent: str = "") -> str:
    """*text* wrapped at spaces to *width* (an id is never cut, no line starts with « : »)."""
    import textwrap

    from tracesguide.i18n.typography import NBSP, french_spaces

    lines = textwrap.wrap(
        french_spaces(text),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(line.replace(NBSP, " ") for line in lines)


def _new_file_hint(path: Path) -> str:
    from tracesguide.i18n import t
    from tracesguide.system.hints import command

    return t("state.new_file_hint", command=command("setup", path))
