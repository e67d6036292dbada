"""replay --redact: a copy that names nobody, still a state replay and check accept."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import APP_ANSWERS, T0, advance
from tracesguide.content import load
from tracesguide.state import State
from tracesguide.state import store as state_module

CONTENT = load()
PERSONAL = ("Camille", "EXEMPLE", "camille.exemple@exemple.fr", "•• 78", "ALPRO", "Lyon")


def personal_state(path: Path) -> State:
    answers = {**APP_ANSWERS, "phone_masked": "+33 6 •• •• •• 78"}
    saved = advance(State.new(now=T0), CONTENT, answers, until="access.wait-validation")
    step = "access.wait-validation"
    saved.record("note", step, "Camille EXEMPLE a appelé depuis Lyon", now=T0)
    saved.record("note", step, "Camille EXEMPLE a appelé depuis Lyon", now=T0)
    saved.record("problem", step, "pending-long", now=T0)
    state_module.save(saved, path)
    return saved


def test_redacted_copy_hides_the_person_and_stays_usable(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "dupont.toml"
    original = personal_state(source)
    before = source.read_bytes()
    out = tmp_path / "ticket.toml"
    result = cli("replay", str(source), "--redact", str(out))
    assert result.code == 0, result.err
    assert source.read_bytes() == before
    assert out.stat().st_mode & 0o777 == 0o600
    data = out.read_text("utf-8")
    for value in PERSONAL:
        assert value not in data, value
    copy = state_module.load(out)
    assert copy.answers["first_name"] == "Prénom-1" and copy.answers["last_name"] == "NOM-1"
    assert copy.answers["email"].endswith("@exemple.invalid")
    assert copy.answers["operator_traces_number"] == original.answers["operator_traces_number"]
    # choices and the content's problem ids are kept: the progress is the same
    assert copy.answers["second_factor_method"] == "app"
    assert copy.steps == original.steps
    assert "pending-long" in [e.detail for e in copy.events]
    # the same value gets the same placeholder
    notes = [e.detail for e in copy.events if e.kind == "note"]
    assert len(notes) == 2 and notes[0] == notes[1] and "Lyon" not in notes[0]
    # replay and check accept it and say the same about where the user stands
    assert cli("replay", str(out)).code == 0
    first = json.loads(cli("check", "--json", str(source)).out)
    second = json.loads(cli("check", "--json", str(out)).out)
    first.pop("path"), second.pop("path")
    who = ("name", "email", "operator", "operator_number")  # the person: masked
    assert all(first[k] != second[k] for k in who[:3] if first[k])  # a TRACES number stays
    assert {k: v for k, v in first.items() if k not in who} == {
        k: v for k, v in second.items() if k not in who
    }


def test_redact_refuses_to_replace_the_input(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "dupont.toml"
    personal_state(source)
    before = source.read_bytes()
    link = tmp_path / "lien.toml"
    link.symlink_to(source)
    names = sorted(p.name for p in tmp_path.iterdir())
    for out in (source, link, tmp_path):
        result = cli("replay", str(source), "--redact", str(out))
        assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == names
