"""The two ways ``tracesguide check`` shows its results: JSON lines, or a table.

``write_json_lines`` gives scripts one JSON object per file (documented in
docs/scripting.md); ``print_table`` gives people a table, every untrusted value inert,
then a summary line. Both take the typed results of ``check.run``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any, TextIO

from tracesguide.reports.check import Checked, Result, Tally, Unusable
from tracesguide.reports.status import JSON_FORMAT
from tracesguide.system.sanitize import inert

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console
    from rich.text import Text


# The situation's fields of a file with nothing saved (docs/scripting.md).
_NOT_STARTED: dict[str, Any] = {
    "format": JSON_FORMAT,
    "actor": "user",
    "blocked": None,
    "last_problem": None,
    "waiting_days": None,
    "ended": None,
}


def as_json(result: Result) -> dict[str, Any]:
    """One result as the JSON object of docs/scripting.md."""
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
    if not result.started:
        record["hint"] = _new_file_hint(result.path)
    return record


def write_json_lines(results: Iterable[Result], out: TextIO) -> int:
    """One JSON line per result, written as each comes (none is kept); returns check's
    exit code.

    ``ensure_ascii``: the exact data, yet no raw control or bidi character on stdout.
    """
    tally = Tally()
    dumps, write, add = json.dumps, out.write, tally.add
    for result in results:
        write(dumps(as_json(add(result))) + "\n")
    return tally.code


def summary(results: Sequence[Result] | Tally) -> str:
    from tracesguide.i18n import t

    if isinstance(results, Tally):
        tally = results
    else:
        tally = Tally()
        for result in results:
            tally.add(result)
    unusable, complete, incomplete = tally.unusable, tally.complete, tally.incomplete

    def count(number: int, one: str, many: str) -> str:
        return one.format(count=number) if number <= 1 else many.format(count=number)

    return ", ".join(
        (
            count(complete, t("check.count_complete_one"), t("check.count_complete_many")),
            count(incomplete, t("check.count_incomplete_one"), t("check.count_incomplete_many")),
            count(unusable, t("check.count_unusable_one"), t("check.count_unusable_many")),
        )
    )


def print_table(console: Console, results: Iterable[Result], require: str | None) -> int:
    """The results as a table, every untrusted value inert, then the summary line;
    returns check's exit code."""
    from rich.table import Table

    from tracesguide.i18n import t

    table = Table(expand=False)
    table.add_column(t("check.column_file"), overflow="fold")
    table.add_column(t("check.column_status"), no_wrap=True)
    table.add_column(
        t("check.column_milestone", name=require) if require else t("check.column_milestones"),
        no_wrap=True,
    )
    table.add_column(t("check.column_next"), overflow="fold")
    table.add_column(t("check.column_updated"), no_wrap=True)
    notes: list[Text] = []
    tally = Tally()
    for result in results:
        tally.add(result)
        path = str(result.path)
        if isinstance(result, Unusable):
            table.add_row(
                _cell(path), _cell(t("check.unusable"), "bold red"), _cell(""), _cell(""), _cell("")
            )
            from tracesguide.state.schema import unusable_prefix

            why = result.error.removeprefix(unusable_prefix(result.path))
            notes.append(_cell(f"✖ {path} : ", "red") + _cell(why))
            continue
        table.add_row(*_row(result, require, notes))
    console.print(table)
    for note in notes:
        console.print(note)
    line = summary(tally)
    if require:
        line += t("check.required_suffix", name=require)
    console.print(_cell(line))
    return tally.code


def _row(result: Checked, require: str | None, notes: list[Text]) -> list[Text]:
    from tracesguide.i18n import t

    path = str(result.path)
    if require:
        milestones = t("check.reached") if result.ok else t("check.not_reached")
    else:
        milestones = f"{sum(result.milestones.values())}/{len(result.milestones)}"
    if not result.started:
        label, style = t("check.not_started"), "yellow"
        notes.append(_cell(f"· {path} : ", "yellow") + _cell(_new_file_hint(result.path)))
    elif result.complete:
        label, style = t("check.complete"), "green"
    else:
        label, style = t("check.incomplete"), "yellow"
    for step, reason in result.blocked:
        notes.append(_cell(t("check.blocked_at", path=path, step=step), "red") + _cell(reason))
    updated = result.updated.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if result.updated else ""
    return [
        _cell(path),
        _cell(label, style),
        _cell(milestones, "green" if result.ok else ""),
        _cell(result.next_step or ""),
        _cell(updated),
    ]


def _cell(value: str, style: str = "") -> Text:
    from rich.text import Text

    return Text(inert(value, single_line=True), style=style)


def _new_file_hint(path: Path) -> str:
    from tracesguide.i18n import t
    from tracesguide.system.hints import command

    return t("state.new_file_hint", command=command("setup", path))
