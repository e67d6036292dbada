"""``tracesguide check``: which state files are complete, for scripts.

Exit codes (a documented contract, docs/scripting.md): 0 every file is complete
(or has reached the ``--require`` milestone), 1 at least one is not, 2 at least
one is unusable (missing, invalid, from a newer schema) or the command line is
wrong. 2 wins over 1.

Built for thousands of files: the content is loaded once, each file costs one
``state.load`` and one ``engine.progress``, and this module imports neither rich
nor the wizard's libraries (the text table lives in ``print_table``, imported
only without ``--json``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracesguide import state as state_module
from tracesguide.content import MILESTONES, Content
from tracesguide.engine import progress
from tracesguide.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, TracesguideError
from tracesguide.paths import resolve_state_path
from tracesguide.reading import next_action

if TYPE_CHECKING:
    from rich.console import Console

SKIPPED_SUFFIX = ".bak.toml"  # the copies `tracesguide reset` keeps are not users

Record = dict[str, Any]


def check_milestone(require: str | None) -> None:
    """Refuse an unknown milestone name, listing the valid ones."""
    if require is not None and require not in MILESTONES:
        raise TracesguideError(
            f"jalon inconnu : « {require} »",
            f"Jalons possibles : {', '.join(MILESTONES)}.",
        )


def targets(paths: Sequence[Path]) -> Iterator[tuple[Path, bool, str]]:
    """Each file to check, whether it was named, and why it cannot be checked ("" if it can).

    A folder stands for every ``*.toml`` directly inside it, sorted by name (reset's
    ``*.bak.toml`` copies left out); no path means the default state. A missing named
    file is unusable; a missing default file means "not started".
    """
    if not paths:
        path, explicit = resolve_state_path(None)
        yield path, explicit, ""
        return
    for path in paths:
        if not path.is_dir():
            yield path, True, ""
            continue
        try:
            with os.scandir(path) as entries:
                names = sorted(
                    e.name
                    for e in entries
                    if e.name.endswith(".toml") and not e.name.endswith(SKIPPED_SUFFIX)
                )
        except OSError as error:
            yield path, True, f"dossier illisible ({error.strerror or error})"
            continue
        if not names:
            yield path, True, "aucun fichier d'état (*.toml) dans ce dossier"
        for name in names:
            yield path / name, True, ""


def check_file(
    content: Content,
    path: Path,
    explicit: bool,
    require: str | None,
    problem: str = "",
    fast: bool = False,
) -> Record:
    """One file's record: where it stands, or why it is unusable."""
    if problem:
        return {"path": str(path), "error": problem}
    if not explicit and not path.exists() and not path.is_symlink():
        return {
            "path": str(path),
            "started": False,
            "complete": False,
            "required": require,
            "ok": False,
            "milestones": dict.fromkeys(MILESTONES, False),
            "next_step": content.steps[0].id,
            "next_action": next_action(content, content.steps[0]),
            "blocked": [],
            "updated": None,
            "hint": state_module.NEW_FILE_HINT,
        }
    try:
        saved = state_module.load(path, fast=fast)
    except TracesguideError as error:
        return {"path": str(path), "error": error.message}
    where = progress(content, saved)
    ok = where.complete if require is None else where.milestones[require]
    return {
        "path": str(path),
        "started": True,
        "complete": where.complete,
        "required": require,
        "ok": ok,
        "milestones": where.milestones,
        "next_step": where.next_step.id if where.next_step else None,
        "next_action": None if where.ended else next_action(content, where.next_step),
        "blocked": [{"step": step, "reason": reason} for step, reason in where.blocked],
        "updated": saved.updated.isoformat(),
    }


def run(content: Content, paths: Sequence[Path], require: str | None) -> Iterator[Record]:
    """A record per file, in order; an unusable file never stops the others."""
    check_milestone(require)
    files = list(targets(paths))
    fast = len(files) > 1  # state's fast reader pays for itself over many files
    for path, explicit, problem in files:
        yield check_file(content, path, explicit, require, problem, fast)


def exit_code(records: Iterable[Record]) -> int:
    """2 if any record is unusable, else 1 if any is not ok, else 0."""
    code = EXIT_OK
    for record in records:
        if "error" in record:
            return EXIT_USAGE
        if not record["ok"]:
            code = EXIT_INCOMPLETE
    return code


def summary(records: Sequence[Record]) -> str:
    unusable = sum(1 for r in records if "error" in r)
    complete = sum(1 for r in records if "error" not in r and r["ok"])
    incomplete = len(records) - unusable - complete

    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count > 1 else ''}"

    return ", ".join(
        (
            plural(complete, "complet"),
            plural(incomplete, "incomplet"),
            plural(unusable, "inutilisable"),
        )
    )


def _utc_minute(moment: str | None) -> str:
    if not moment:
        return ""
    from datetime import UTC, datetime

    return datetime.fromisoformat(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def print_table(console: Console, records: Sequence[Record], require: str | None) -> None:
    """The records as a table, every untrusted value inert, then the summary line."""
    from rich.table import Table
    from rich.text import Text

    from tracesguide.sanitize import inert

    def cell(value: str, style: str = "") -> Text:
        return Text(inert(value, single_line=True), style=style)

    table = Table(expand=False)
    table.add_column("fichier", overflow="fold")
    table.add_column("état", no_wrap=True)
    table.add_column(f"jalon {require}" if require else "jalons", no_wrap=True)
    table.add_column("prochaine étape", overflow="fold")
    table.add_column("mis à jour (UTC)", no_wrap=True)
    notes: list[Text] = []
    for record in records:
        path = record["path"]
        if "error" in record:
            table.add_row(
                cell(path), cell("inutilisable", "bold red"), cell(""), cell(""), cell("")
            )
            why = record["error"].removeprefix(f"fichier d'état {path} inutilisable : ")
            notes.append(cell(f"✖ {path} : ", "red") + cell(why))
            continue
        if require:
            milestones = "✔ atteint" if record["ok"] else "· non atteint"
        else:
            milestones = f"{sum(record['milestones'].values())}/{len(record['milestones'])}"
        if not record["started"]:
            label, style = "non commencé", "yellow"
            notes.append(cell(f"· {path} : ", "yellow") + cell(record.get("hint", "")))
        elif record["complete"]:
            label, style = "complet", "green"
        else:
            label, style = "incomplet", "yellow"
        for blocked in record["blocked"]:
            notes.append(
                cell(f"✖ {path} : bloqué à {blocked['step']} : ", "red") + cell(blocked["reason"])
            )
        table.add_row(
            cell(path),
            cell(label, style),
            cell(milestones, "green" if record["ok"] else ""),
            cell(record["next_step"] or ""),
            cell(_utc_minute(record["updated"])),
        )
    console.print(table)
    for note in notes:
        console.print(note)
    line = summary(records)
    if require:
        line += f" (jalon exigé : {require})"
    console.print(Text(line))
