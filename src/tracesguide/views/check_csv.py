"""``check PATH... --csv OUT``: one row per file for a manager's spreadsheet.

RFC 4180 (comma, CRLF, fields quoted when they must be), UTF-8 with a byte order mark so
that spreadsheet software reads the accents. The rows are ``check.run``'s records, in
order (the same as ``check --json``), the folder page's fields: name, e-mail, operator,
stage, step, who acts, the next action, the days waiting, the days since the last
activity, the last problem and its desk. Every value from a file is inert, and a value a
spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage
return first) starts with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from tracesguide.content import Content
from tracesguide.i18n import t
from tracesguide.reports.check import Tally, Unusable, check_milestone, run, targets
from tracesguide.system.sanitize import inert
from tracesguide.views.html.folder_page import shown_answers
from tracesguide.views.situation import actor_text, desk_text

HEADER_KEYS = (
    "check_csv.name",
    "check_csv.email",
    "check_csv.operator",
    "check_csv.operator_number",
    "check_csv.stage",
    "check_csv.step",
    "check_csv.actor",
    "check_csv.next_action",
    "check_csv.waiting_days",
    "check_csv.inactive_days",
    "check_csv.last_problem",
    "check_csv.desk",
    "check_csv.required",
    "check_csv.file",
    "check_csv.error",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A value from a file, inert, never read as a formula."""
    shown = inert(value, single_line=True)
    return "'" + shown if shown.startswith(_FORMULA) else shown


def rows(
    content: Content, paths: Sequence[Path], require: str | None, now: datetime, tally: Tally
) -> Iterator[list[str]]:
    """The header, then a row per file as ``check.run`` judges it (nothing kept: *tally*
    counts them, for check's exit code once the last row is out)."""
    titles = {stage.id: f"{stage.number}. {stage.title}" for stage in content.stages}
    yield [t(key) for key in HEADER_KEYS]
    for result in run(content, paths, require, keep=shown_answers(content), now=now):
        tally.add(result)
        if isinstance(result, Unusable):
            yield [""] * (len(HEADER_KEYS) - 2) + [cell(str(result.path)), cell(result.error)]
            continue
        first, last, email, operator, number = result.kept
        seen = result.situation
        problem = seen.last_problem if seen else None
        nxt = result.next_action
        inactive = (now - result.updated).days if result.updated else None
        yield [
            cell(" ".join(p for p in (first, last) if p)),
            cell(email),
            cell(operator),
            cell(number),
            titles.get(result.stage, ""),
            nxt.step if nxt else "",
            actor_text(content, seen.actor, seen.control_body) if seen and nxt else "",
            nxt.action if nxt else "",
            "" if not seen or seen.waiting_days is None else str(seen.waiting_days),
            "" if inactive is None else str(inactive),
            cell(problem[0]) if problem else "",
            desk_text(content, problem[1], seen.control_body if seen else "")
            if problem and problem[1]
            else "",
            "" if require is None else (t("check_csv.yes") if result.ok else t("check_csv.no")),
            cell(str(result.path)),
            "",
        ]


def write(content: Content, paths: Sequence[Path], require: str | None, out: Path) -> int:
    """Write the spreadsheet to *out* (0600, atomically) and return check's exit code."""
    from tracesguide.views.html import refuse_target, write_private

    check_milestone(content, require)
    refuse_target(out, [path for path, _, _ in targets(paths)], "--csv")
    tally = Tally()
    write_private(out, _encoded(rows(content, paths, require, datetime.now(UTC), tally)))
    return tally.code


def _encoded(table: Iterator[list[str]], batch: int = 500) -> Iterator[bytes]:
    """The spreadsheet's bytes, a few hundred rows at a time (the BOM first)."""
    yield b"\xef\xbb\xbf"
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    while True:
        writer.writerows(islice(table, batch))
        if not text.tell():
            return
        yield text.getvalue().encode("utf-8")
        text.seek(0)
        text.truncate()
