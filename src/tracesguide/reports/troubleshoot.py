"""``tracesguide troubleshoot``: the problems users meet, what to check, what to do, who acts.

The entries are content (``[[troubleshooting]]`` in ``procedures/<lang>.toml``, see
``docs/content.md``); this module finds them, renders them and turns them into JSON.
Without a problem id: a menu on a terminal (asked by the wizard's prompter), a plain
list otherwise. An unknown id is a usage error naming the closest ids.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from tracesguide.content import Content, Entry, troubleshooting_for
from tracesguide.i18n import t
from tracesguide.system.errors import TracesguideError

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console, RenderableType


def lookup(content: Content, wanted: str) -> tuple[Entry, ...]:
    """The entries *wanted* names: one entry by id, or those a step offers by step id.

    Case and surrounding spaces do not matter (``OPER-029`` is ``oper-029``).
    """
    key = wanted.strip().lower()
    entry = next((e for e in content.troubleshooting if e.id == key), None)
    if entry is not None:
        return (entry,)
    if content.has_step(key) and troubleshooting_for(content, key):
        return troubleshooting_for(content, key)
    close = closest_ids(content, key)
    hint = (
        t("troubleshoot.did_you_mean", ids=", ".join(close))
        if close
        else t("troubleshoot.see_list")
    )
    raise TracesguideError(t("troubleshoot.unknown", problem=wanted), hint)


def closest_ids(content: Content, wanted: str, limit: int = 3) -> list[str]:
    """The entry ids nearest to a mistyped one (by spelling, then by words of the label)."""
    import difflib

    ids = [e.id for e in content.troubleshooting]
    close = difflib.get_close_matches(wanted, ids, n=limit, cutoff=0.5)
    if close:
        return close
    words = [w for w in wanted.replace("-", " ").split() if len(w) > 2]
    return [
        e.id
        for e in content.troubleshooting
        if words and any(w in e.id or w in e.label.lower() for w in words)
    ][:limit]


def record(content: Content, entry: Entry) -> dict[str, Any]:
    """An entry as JSON-ready data (documented in docs/troubleshooting.md)."""
    desks = {d.id: d for d in content.desks}
    return {
        "id": entry.id,
        "label": entry.label,
        "symptoms": list(entry.symptoms),
        "check": list(entry.check),
        "actions": list(entry.actions),
        "desks": [{"id": d, "name": desks[d].name, "role": desks[d].role} for d in entry.desks],
        "steps": list(entry.steps),
        "sources": [
            {"source": r.source, "title": content.source(r.source).title, "where": r.where}
            for r in entry.source
        ],
    }


def entry_view(content: Content, entry: Entry) -> RenderableType:
    """One entry: what the user says, symptoms, checks, actions, desks, steps, sources."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    desks = {d.id: d for d in content.desks}
    parts: list[RenderableType] = []
    title = Text(entry.label, style="bold")
    title.append(f"  ({entry.id})", style="dim")
    parts.append(title)
    sections = (
        (t("troubleshoot.symptoms"), entry.symptoms),
        (t("troubleshoot.check"), entry.check),
        (t("troubleshoot.actions"), entry.actions),
        (t("troubleshoot.desks"), [f"{desks[d].name} — {desks[d].role}" for d in entry.desks]),
    )
    for heading, items in sections:
        if not items:
            continue
        parts.append(Text(heading, style="bold cyan"))
        bullets = Table.grid(padding=(0, 1))
        bullets.add_column(width=3, justify="right")
        bullets.add_column()
        for item in items:
            bullets.add_row("•", Text(item))
        parts.append(bullets)
    if entry.steps:
        parts.append(Text(t("troubleshoot.offered_at", steps=", ".join(entry.steps)), style="dim"))
    for ref in entry.source:
        where = f"{content.source(ref.source).title} — {ref.where}"
        parts.append(Text(t("troubleshoot.source", sources=where), style="dim"))
    return Group(*parts)


def list_view(content: Content) -> RenderableType:
    """Every entry on one line: its id, then what the user says."""
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for entry in content.troubleshooting:
        table.add_row(Text(entry.id), Text(entry.label))
    return table


def run(
    content: Content,
    console: Console,
    problem: str | None,
    json_output: bool,
    menu: Callable[[Content], Entry | None],
) -> None:
    """The command: one entry, a step's entries, or all of them (*menu* on a terminal,
    the prompter's; a list or JSON otherwise)."""
    if problem is None:
        if json_output:
            _print_json({"problems": [record(content, e) for e in content.troubleshooting]})
        elif sys.stdin.isatty() and sys.stdout.isatty():
            entry = menu(content)
            if entry is not None:
                console.print(entry_view(content, entry))
        else:
            console.print(t("troubleshoot.list_heading"))
            console.print(list_view(content))
        return
    entries = lookup(content, problem)
    if json_output:
        if len(entries) == 1 and entries[0].id == problem.strip().lower():
            _print_json(record(content, entries[0]))
        else:
            step = problem.strip().lower()
            _print_json({"step": step, "problems": [record(content, e) for e in entries]})
        return
    for i, entry in enumerate(entries):
        if i:
            console.print()
        console.print(entry_view(content, entry))


def _print_json(data: dict[str, Any]) -> None:
    import json

    # ensure_ascii, as status and check: the exact text, in plain ASCII.
    print(json.dumps(data))
