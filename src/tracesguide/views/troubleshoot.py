"""The troubleshooting entries drawn for people: one entry, or the list of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracesguide.content import Content, Entry
from tracesguide.i18n import t

if TYPE_CHECKING:
    from rich.console import RenderableType


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
        (
            t("troubleshoot.desks"),
            [
                " — ".join(filter(None, (desks[d].name, desks[d].role, desks[d].contact)))
                for d in entry.desks
            ],
        ),
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
