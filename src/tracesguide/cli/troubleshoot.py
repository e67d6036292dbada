"""``tracesguide troubleshoot``: one entry, a step's entries, or all of them.

Without a problem id: a menu on a terminal (questionary, imported only then), a plain
list otherwise; ``--json`` gives the records of ``reports.troubleshoot``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from tracesguide.content import Content, Entry
from tracesguide.i18n import t
from tracesguide.reports.troubleshoot import lookup, record
from tracesguide.views.troubleshoot import entry_view, list_view

if TYPE_CHECKING:
    from rich.console import Console


def choose(content: Content, console: Console) -> Entry | None:
    """A menu of the entries on a terminal, asked by the wizard's prompter (imported only
    when the menu is shown); None when the user chooses to quit."""
    from tracesguide.wizard.prompter import QuestionaryPrompter

    return QuestionaryPrompter(console, navigation=False).troubleshooting(content)


def run(content: Content, console: Console, problem: str | None, json_output: bool) -> None:
    """The command: one entry, a step's entries, or all of them (menu, list or JSON)."""
    if problem is None:
        if json_output:
            _print_json({"problems": [record(content, e) for e in content.troubleshooting]})
        elif sys.stdin.isatty() and sys.stdout.isatty():
            entry = choose(content, console)
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


def your_answers() -> dict[str, str]:
    """The answers of the state file, if there is a readable one (the desks then name the
    user's control body); none otherwise: ``troubleshoot`` never fails for a state file."""
    from tracesguide.state import store
    from tracesguide.system.errors import TracesguideError
    from tracesguide.system.paths import resolve_state_path

    try:
        path, _ = resolve_state_path(None)
        return dict(store.load(path).answers) if path.is_file() else {}
    except (TracesguideError, OSError, ValueError):
        return {}


def _print_json(data: dict[str, Any]) -> None:
    import json

    # ensure_ascii, as status and check: the exact text, in plain ASCII.
    print(json.dumps(data))
