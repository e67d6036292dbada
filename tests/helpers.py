"""Builders for state files used across the tests (real files, written by the real code)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracesguide.content import Content, load
from tracesguide.engine import progress
from tracesguide.state import State
from tracesguide.state import store as state_module

T0 = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)

APP_ANSWERS = {
    "traces_access": "new",
    "first_name": "Camille",
    "last_name": "EXEMPLE",
    "email": "camille.exemple@exemple.fr",
    "email_language": "fr",
    "second_factor_method": "app",
    "role": "operator",
    "has_certificate": "yes",
    "operator_name": "ALPRO Comm.V.A.",
    "operator_traces_number": "BE-ORG-OP-5",
}


def advance(
    state: State,
    content: Content,
    answers: dict[str, str],
    until: str | None = None,
    start: datetime = T0,
) -> State:
    """Walk the engine from its next step, answering and marking done, as the wizard does.

    Stops before step *until* (or at the end / a block / the guide's end).
    """
    moment = start
    while True:
        nxt = progress(content, state).next_step
        if nxt is None or nxt.id == until:
            return state
        for question in nxt.ask:
            if question.key == "operator":
                for key in ("operator_name", "operator_traces_number"):
                    state.answer(key, answers[key], step=nxt.id, now=moment)
            elif question.key in answers:
                state.answer(question.key, answers[question.key], step=nxt.id, now=moment)
        after = progress(content, state).status_of(nxt.id)
        if after.status == "blocked":
            state.record("blocked", nxt.id, after.reason, now=moment)
            return state
        state.record("done", nxt.id, now=moment)
        moment += timedelta(minutes=1)


def write_state(
    path: Path, answers: dict[str, str] | None = None, until: str | None = None
) -> State:
    content = load()
    st = advance(State.new(now=T0), content, answers or APP_ANSWERS, until=until)
    state_module.save(st, path)
    return st


Event = tuple[str, str, str, int]  # kind, step, detail, minutes after the start


def write_hostile_state(
    path: Path,
    answers: dict[str, str],
    events: list[Event],
    tool_version: str,
    start: timedelta,
) -> State:
    """A state written by the real code up to the authorisation request, its free strings
    hostile: *answers* over the app path's, then *events* from ``T0 + start`` on."""
    answers = {**APP_ANSWERS, **answers}
    saved = advance(State.new(now=T0), load(), answers, until="operator.request-authorisation")
    for kind, step, detail, minutes in events:
        saved.record(kind, step, detail, now=T0 + start + timedelta(minutes=minutes))
    saved.tool_version = tool_version
    state_module.save(saved, path)
    return saved


HEAVY = ("questionary", "keyring", "prompt_toolkit")

# Headless Chromium for the support pages (tests/test_browser.py, scripts/screenshots.py).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def modules_loaded_by(args: list[str], code: int = 0, watch: tuple[str, ...] = HEAVY) -> list[str]:
    """Run ``tracesguide ARGS`` in a fresh interpreter; which of *watch* it imported."""
    import ast
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from tracesguide.cli import main\n"
        f"sys.argv = ['tracesguide', *{args!r}]\n"
        f"try:\n    main()\nexcept SystemExit as e:\n    assert e.code == {code}, e.code\n"
        f"print('LOADED', sorted(m for m in {watch!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    loaded: list[str] = ast.literal_eval(out.rsplit("LOADED ", 1)[1])
    return loaded
