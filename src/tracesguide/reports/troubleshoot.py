"""``tracesguide troubleshoot``: the problems users meet, what to check, what to do, who acts.

The entries are content (``[[troubleshooting]]`` in ``procedures/<lang>.toml``, see
``docs/content.md``); this module finds them and turns them into JSON-ready data
(``views.troubleshoot`` draws them, ``cli.troubleshoot`` runs the command). An unknown
id is a usage error naming the closest ids.
"""

from __future__ import annotations

from typing import Any

from tracesguide.content import Content, Entry, troubleshooting_for
from tracesguide.i18n import t
from tracesguide.system.errors import TracesguideError, shorten


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
    raise TracesguideError(t("troubleshoot.unknown", problem=shorten(wanted)), hint)


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
        "desks": [
            {"id": d, "name": desks[d].name, "role": desks[d].role, "contact": desks[d].contact}
            for d in entry.desks
        ],
        "steps": list(entry.steps),
        "sources": [
            {"source": r.source, "title": content.source(r.source).title, "where": r.where}
            for r in entry.source
        ],
    }
