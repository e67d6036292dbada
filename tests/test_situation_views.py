"""Every view of one state file tells the same situation (issue 17's "Must show")."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from helpers import APP_ANSWERS, T0, advance
from tracesguide.content import load
from tracesguide.engine import OPERATOR_NOT_FOUND
from tracesguide.i18n import t
from tracesguide.state import State
from tracesguide.state import store as state_module

CONTENT = load()
SITUATION_KEYS = (
    "format",
    "actor",
    "blocked",
    "last_problem",
    "waiting_days",
    "ended",
    "control_body_name",
)
SHARED = (
    *SITUATION_KEYS,
    "started",
    "complete",
    "next_step",
    "next_action",
    "milestones",
    "blocked_steps",
    "ended_reason",
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
    """access.wait-validation done, the user not signed in again yet."""
    after = CONTENT.steps[CONTENT.steps.index(CONTENT.step("access.wait-validation")) + 1]
    state = advance(State.new(now=T0), CONTENT, APP_ANSWERS, until=after.id)
    assert state.steps["access.wait-validation"].status == "done"
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
        assert record["blocked"] == {"code": OPERATOR_NOT_FOUND, "step": "operator.search"}
        assert record["last_problem"]["id"] == "oper-029"
        assert record["last_problem"]["desk"] == "control-body"
        assert record["control_body_name"] == "Certipaq BIO"  # who "control-body" is
        assert record["last_problem"]["at"] == (T0 + timedelta(days=1)).isoformat()
        assert record["format"] == 1


def test_a_validated_user_is_not_waiting(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    status, check = _records(cli, _validated(tmp_path / "ok.toml"))
    for record in (status, check):
        assert record["waiting_days"] is None
        assert record["actor"] == "user"


def test_status_and_check_give_one_file_the_same_fields(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # an English file read under a French locale: both records follow the file's language
    for path in (_support_case(tmp_path / "fr.toml"), _support_case(tmp_path / "en.toml", "en")):
        status, check = _records(cli, path)
        assert {k: status[k] for k in SHARED} == {k: check[k] for k in SHARED}
    assert status["next_action"] is None or status["next_action"]["action"] == (
        load("en").step(status["next_action"]["step"]).title
    )


def _page_text(path: Path) -> str:
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text())).split())


def _all_views(cli, path: Path, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What support staff read about *path*: terminal replay, both HTML pages."""
    replay = cli("replay", str(path))
    assert replay.code == 0, replay.out
    assert cli("replay", str(path), "--html", str(tmp_path / "r.html")).code == 0
    cli("check", "--html", str(tmp_path / "c.html"), str(path))
    status = cli("status", "--state", str(path))
    return {
        "status": " ".join(status.out.split()),
        "replay": " ".join(replay.out.split()),
        "replay --html": _page_text(tmp_path / "r.html"),
        "check --html": _page_text(tmp_path / "c.html"),
    }


def test_the_support_case_reads_the_same_in_every_view(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _support_case(tmp_path / "camille.toml")
    from tracesguide.content.placeholders import fill

    desk = fill(CONTENT, next(d.name for d in CONTENT.desks if d.id == "control-body"), {})
    blocker = t("situation.blocker_operator_not_found")
    for view, text in _all_views(cli, path, tmp_path).items():
        assert desk in text, view  # who must act: Certipaq BIO's desk (the default)
        assert t("html.actor_control_body", name="Certipaq BIO") in text, view
        assert blocker in text and "operator.search" in text, view  # what blocks
        assert "oper-029" in text, view  # the last problem


def test_a_validated_user_is_not_waiting_in_any_view(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _validated(tmp_path / "ok.toml")
    waiting = t("replay_text.waiting")
    for view, text in _all_views(cli, path, tmp_path).items():
        assert waiting not in text, view
    from tracesguide.reports.check import Checked, run
    from tracesguide.views.html.folder_page import shown_answers, stage_titles, user_row

    (result,) = run(CONTENT, [path], None, shown_answers(CONTENT), T0 + timedelta(days=19))
    assert isinstance(result, Checked)
    row = user_row(CONTENT, result, stage_titles(CONTENT))
    assert row.waiting is None  # no days of waiting counted on the folder page
