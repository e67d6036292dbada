"""Every view of one state file tells the same situation (issue 17's "Must show")."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from helpers import APP_ANSWERS, T0, advance
from tracesguide.content import load
from tracesguide.engine import OPERATOR_NOT_FOUND
from tracesguide.state import State
from tracesguide.state import store as state_module

CONTENT = load()
SITUATION_KEYS = ("format", "actor", "blocker", "last_problem", "waiting_days", "ended_at")
SHARED = (
    *SITUATION_KEYS,
    "started",
    "complete",
    "next_step",
    "next_action",
    "milestones",
    "blocked",
    "ended",
    "updated",
)


def _support_case(path: Path, language: str = "fr") -> Path:
    """OPER-029 reported at the operator step, then "later": « opérateur introuvable »."""
    state = advance(
        State.new(language=language, now=T0), load(language), APP_ANSWERS, until="operator.search"
    )
    at = T0 + timedelta(days=1)
    state.record("problem", "operator.search", "oper-029", now=at)
    state.record("later", "operator.search", OPERATOR_NOT_FOUND, now=at)
    state_module.save(state, path)
    return path


def _validated(path: Path) -> Path:
    state = advance(State.new(now=T0), CONTENT, APP_ANSWERS)
    state_module.save(state, path)
    return path


def _records(cli, path: Path) -> tuple[dict, dict]:  # type: ignore[no-untyped-def,type-arg]
    status = cli("status", "--state", str(path), "--json")
    check = cli("check", "--json", str(path))
    assert status.code == 0, status.out
    return json.loads(status.out), json.loads(check.out.splitlines()[0])


def test_the_support_case_names_the_control_body_in_both_records(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    status, check = _records(cli, _support_case(tmp_path / "camille.toml"))
    for record in (status, check):
        assert record["actor"] == "control-body"
        assert record["blocker"] == {"code": OPERATOR_NOT_FOUND, "step": "operator.search"}
        assert record["last_problem"]["id"] == "oper-029"
        assert record["last_problem"]["desk"] == "control-body"
        assert record["last_problem"]["at"] == (T0 + timedelta(days=1)).isoformat()
        assert record["format"] == 1


def test_a_validated_user_is_not_waiting(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    status, check = _records(cli, _validated(tmp_path / "ok.toml"))
    for record in (status, check):
        assert record["waiting_days"] is None
        assert record["complete"] is True and record["actor"] == "user"


def test_status_and_check_give_one_file_the_same_fields(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # an English file read under a French locale: both records follow the file's language
    for path in (_support_case(tmp_path / "fr.toml"), _support_case(tmp_path / "en.toml", "en")):
        status, check = _records(cli, path)
        assert {k: status[k] for k in SHARED} == {k: check[k] for k in SHARED}
    assert status["next_action"] is None or status["next_action"]["action"] == (
        load("en").step(status["next_action"]["step"]).title
    )
