"""The queries typed in the directory at the operator step are kept for support: each
one a ``search`` event, bounded, and the first screen of ``replay`` shows the last ones
beside what was chosen or typed."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from rich.console import Console

from helpers import APP_ANSWERS, T0
from tracesguide.content import Step, load
from tracesguide.reports.replay import SEARCHES_SHOWN
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.wizard.answers import AnswersPrompter
from tracesguide.wizard.flow import MAX_QUERY, MAX_SEARCHES, Flow, OperatorChoice
from tracesguide.wizard.session import make_presenter

CONTENT = load()
QUERIES = [f"recherche {n}" for n in range(MAX_SEARCHES + 5)] + ["x" * (MAX_QUERY + 50)]


class Searching(AnswersPrompter):
    """An answers file whose person first searched the directory, many times."""

    def operator(self, step: Step, searched: Callable[[str], None]) -> OperatorChoice | None:
        for query in QUERIES:
            searched(query)
        return super().operator(step, searched)


def test_searches_are_recorded_bounded_and_replayed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "camille.toml"
    console = Console(file=io.StringIO(), width=80)
    moments = iter(T0 + timedelta(seconds=n) for n in range(10_000))
    flow = Flow(
        CONTENT,
        State.new(now=T0),
        path,
        Searching(dict(APP_ANSWERS), console),
        make_presenter(CONTENT, console, "answers"),
        clock=lambda: next(moments),
        save_each_answer=False,
    )
    flow.run()
    saved = state_module.load(path)
    searches = [e for e in saved.events if e.kind == "search"]
    assert len(searches) == MAX_SEARCHES  # the last ones of the step, the oldest gone
    assert searches[-1].detail == "x" * MAX_QUERY
    assert [e.detail for e in searches[-3:-1]] == QUERIES[-3:-1]
    assert {e.step for e in searches} == {"operator.search"}

    screen = " ".join(" ".join(cli("replay", str(path)).out.splitlines()[:24]).split())
    shown = " ; ".join(f"« {q} »" for q in [*QUERIES[-SEARCHES_SHOWN:-1], "x" * MAX_QUERY])
    assert "Recherches" in screen and shown[:60] in screen
    assert APP_ANSWERS["operator_name"] in screen  # beside what they chose or typed
