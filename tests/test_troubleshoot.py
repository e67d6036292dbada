"""tracesguide troubleshoot: sourced entries, who can act, the list, the menu, JSON, the steps."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pexpect
import pytest

from helpers import APP_ANSWERS, modules_loaded_by
from pty_driver import Session, tracesguide_executable
from tracesguide.content import load, troubleshooting_for
from tracesguide.state import store as state_module

CONTENT = load()
# The problems users meet (official facts, "Problems users meet") and those of the seeds.
EXPECTED = {
    "email-not-received",
    "link-expired",
    "second-factor-lost",
    "access-suspended",
    "second-account",
    "oper-029",
    "pending-long",
    "validated-no-change",
    "duplicate-operators",
    "sms-not-received",
}


def flat(text: str) -> str:
    return " ".join(text.split())


# --- the entries ----------------------------------------------------------------------------


def test_the_problems_users_meet_are_all_there() -> None:
    assert {e.id for e in CONTENT.troubleshooting} == EXPECTED


@pytest.mark.parametrize("entry", CONTENT.troubleshooting, ids=lambda e: e.id)
def test_each_entry_cites_a_source_and_names_who_can_act(entry) -> None:  # type: ignore[no-untyped-def]
    sources = {s.id for s in CONTENT.sources}
    assert entry.source
    assert all(r.source in sources and r.where.strip() for r in entry.source)
    assert entry.symptoms and entry.actions and entry.desks
    assert set(entry.desks) <= {d.id for d in CONTENT.desks}
    assert entry.steps and all(CONTENT.has_step(s) for s in entry.steps)
    # shown without a state file: no placeholder that would show a made-up value
    assert "{" not in json.dumps(list(entry))


def test_desks_say_what_they_can_do() -> None:
    desks = {d.id: d for d in CONTENT.desks}
    assert {"admin", "control-body", "eu-login-support", "sante-traces"} <= set(desks)
    assert "Ne valide aucune demande" in desks["sante-traces"].role
    assert "trouver la bonne autorité" in desks["sante-traces"].role
    pending = next(e for e in CONTENT.troubleshooting if e.id == "pending-long")
    assert pending.desks[0] == "control-body"  # the desk that validates comes first
    assert "sante-traces" in pending.desks


def test_key_facts_of_the_entries() -> None:
    text = {e.id: flat(" ".join([*e.check, *e.actions])) for e in CONTENT.troubleshooting}
    assert "PANIC" in text["second-factor-lost"]
    assert "support d'EU Login" in text["second-factor-lost"]
    assert "Unsuspend User" in text["access-suspended"]
    assert "reconciliation" in " ".join(
        next(e for e in CONTENT.troubleshooting if e.id == "second-account").symptoms
    )
    assert "Certipaq BIO" in text["oper-029"]
    assert "déconnectez-vous" in text["validated-no-change"].lower()
    assert "Ne créez jamais un autre opérateur" in text["duplicate-operators"]
    assert "1er juillet 2025" in text["sms-not-received"]


# --- linked to the steps: what the wizard's « problème » answer offers -------------------------


def test_each_step_offers_its_entries() -> None:
    for entry in CONTENT.troubleshooting:
        for step_id in entry.steps:
            assert entry in troubleshooting_for(CONTENT, step_id)
            offered = {p.id: p for p in CONTENT.step(step_id).problems}
            assert offered[entry.id].label == entry.label
    assert [e.id for e in troubleshooting_for(CONTENT, "eu-login.email")] == ["email-not-received"]
    assert troubleshooting_for(CONTENT, "eu-login.language") == ()


def test_a_problem_chosen_in_setup_is_recorded_and_replay_shows_it(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "250")  # replay's table on one line per event
    answers = tmp_path / "answers.toml"
    lines = [f'{k} = "{v}"' for k, v in APP_ANSWERS.items()]
    lines.append('[problems]\n"access.wait-validation" = "validated-no-change"')
    answers.write_text("\n".join(lines) + "\n")
    state = tmp_path / "state.toml"
    result = cli("setup", "--answers", str(answers), "--state", str(state))
    assert result.code == 0, result.err
    saved = state_module.load(state)
    problems = [(e.step, e.detail) for e in saved.events if e.kind == "problem"]
    assert problems == [("access.wait-validation", "validated-no-change")]
    replay = flat(cli("replay", str(state), "--step", "access.wait-validation").out)
    assert "Ma demande est validée, mais rien n'a changé (validated-no-change)" in replay


@pytest.mark.pty
def test_wizard_problem_offers_the_steps_entries_and_replay_names_it(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """In a real terminal: « J'ai un problème » at a step → its first entry → replay."""
    state = tmp_path / "state.toml"
    answers = {**APP_ANSWERS, "operator_name": "alpro"}
    session = Session(state)
    assert session.run(answers, actions={"operator.request-authorisation": "problem"}) == 0
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", session.output)
    oper = next(e for e in CONTENT.troubleshooting if e.id == "oper-029")
    assert "Ne créez pas l'opérateur" in out  # what to do, once the entry is chosen
    saved = state_module.load(state)
    problems = [(e.step, e.detail) for e in saved.events if e.kind == "problem"]
    assert problems == [("operator.request-authorisation", "oper-029")]
    monkeypatch.setenv("COLUMNS", "250")
    replay = flat(cli("replay", str(state), "--step", "operator.request-authorisation").out)
    assert f"{oper.label} (oper-029)" in replay


# --- the command ----------------------------------------------------------------------------


def test_without_argument_off_a_terminal_a_plain_list(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("troubleshoot")
    assert result.code == 0
    for entry in CONTENT.troubleshooting:
        assert entry.id in result.out
    assert "\x1b" not in result.out


def test_one_entry_with_its_sections_and_source(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("troubleshoot", "OPER-029")
    assert result.code == 0, result.err
    out = flat(result.out)
    for heading in ("Symptômes", "À vérifier", "Que faire", "Qui peut agir", "Source :"):
        assert heading in out
    assert "Votre organisme de contrôle (Certipaq BIO)" in out
    assert "Problems users meet — OPER-029" in out


def test_a_step_id_gives_that_steps_entries(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("troubleshoot", "access.wait-validation", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["step"] == "access.wait-validation"
    assert [p["id"] for p in data["problems"]] == ["pending-long", "validated-no-change"]


def test_json(cli) -> None:  # type: ignore[no-untyped-def]
    everything = json.loads(cli("troubleshoot", "--json").out)
    assert [p["id"] for p in everything["problems"]] == [e.id for e in CONTENT.troubleshooting]
    result = cli("troubleshoot", "pending-long", "--json")
    assert result.out.isascii()
    one = json.loads(result.out)
    assert set(one) == {"id", "label", "symptoms", "check", "actions", "desks", "steps", "sources"}
    assert one["desks"][0]["id"] == "control-body"
    assert all(s["source"] and s["title"] and s["where"] for s in one["sources"])


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("oper29", "oper-029"), ("link-expird", "link-expired"), ("téléphone", "second-factor-lost")],
)
def test_unknown_problem_names_the_closest_and_exits_2(cli, typed: str, suggested: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("troubleshoot", typed)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert f"« {typed} »" in result.err and suggested in result.err


def test_unknown_problem_text_is_printed_inert(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("troubleshoot", "zzz\x1b[31m[bold]")
    assert result.code == 2
    assert "\x1b" not in result.err
    assert "tracesguide troubleshoot" in result.err  # nothing close: how to list them


def test_questionary_only_for_the_menu() -> None:
    assert modules_loaded_by(["troubleshoot", "oper-029"]) == []
    assert modules_loaded_by(["troubleshoot"]) == []  # not a terminal: the plain list


def _menu(tmp_path: Path) -> pexpect.spawn:
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1", "TERM": "xterm"}
    return pexpect.spawn(
        tracesguide_executable(),
        ["troubleshoot"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 80),
    )


def test_menu_on_a_terminal(tmp_path: Path) -> None:
    child = _menu(tmp_path)
    child.expect("Quel problème rencontrez-vous")
    position = [e.id for e in CONTENT.troubleshooting].index("oper-029")
    child.send("\x1b[B" * position + "\r")
    child.expect(re.escape("(oper-029)"))
    child.expect("Qui peut agir")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_menu_ctrl_c(tmp_path: Path) -> None:
    child = _menu(tmp_path)
    child.expect("Quel problème rencontrez-vous")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


# --- the loader refuses broken entries --------------------------------------------------------

ENTRY = """
[[desks]]
id = "control-body"
name = "Organisme"
role = "Valide."

[[troubleshooting]]
id = "pending"
label = "En attente"
symptoms = ["Rien ne bouge."]
actions = ["Appelez."]
desks = ["control-body"]
steps = ["a.four"]
[[troubleshooting.source]]
source = "s"
where = "Problems users meet"
"""


def _with_entry(extra: str = ENTRY) -> str:
    from test_content import MINIMAL

    return MINIMAL + extra


def test_a_minimal_entry_is_offered_at_its_step() -> None:
    from tracesguide.content import parse_text

    content = parse_text(_with_entry())
    assert [p.id for p in content.step("a.four").problems] == ["pending"]
    assert "• Appelez." in content.step("a.four").problems[0].help


BROKEN_ENTRIES = {
    "unknown desk": ('desks = ["control-body"]', 'desks = ["helpdesk"]'),
    "unknown step": ('steps = ["a.four"]', 'steps = ["a.nine"]'),
    "unknown source": ('source = "s"\nwhere = "Problems', 'source = "x"\nwhere = "Problems'),
    "no source": ('[[troubleshooting.source]]\nsource = "s"\nwhere = "Problems users meet"\n', ""),
    "no actions": ('actions = ["Appelez."]\n', ""),
    "no desk": ('desks = ["control-body"]', "desks = []"),
    "bad id": ('id = "pending"', 'id = "En attente"'),
    "unknown key": ('label = "En attente"', 'label = "En attente"\ncolour = "rouge"'),
}


@pytest.mark.parametrize("name", sorted(BROKEN_ENTRIES))
def test_loader_refuses_broken_entries(name: str) -> None:
    from tracesguide.content import parse_text
    from tracesguide.system.errors import ContentError

    old, new = BROKEN_ENTRIES[name]
    assert old in ENTRY
    with pytest.raises(ContentError):
        parse_text(_with_entry(ENTRY.replace(old, new, 1)))


def test_loader_refuses_duplicate_entries_and_clashing_step_problems() -> None:
    from tracesguide.content import parse_text
    from tracesguide.system.errors import ContentError

    second = ENTRY.split("[[troubleshooting]]", 1)[1]
    with pytest.raises(ContentError, match="en double"):
        parse_text(_with_entry(ENTRY + "[[troubleshooting]]" + second))
    from test_content import MINIMAL

    clash = MINIMAL.replace(
        'where = "Étape N°4"\n',
        'where = "Étape N°4"\n[[steps.problems]]\nid = "pending"\nlabel = "L"\nhelp = "H"\n',
        1,
    )
    assert clash != MINIMAL
    with pytest.raises(ContentError, match="porte l'identifiant"):
        parse_text(clash + ENTRY)


def test_each_desk_says_where_to_reach_it_without_an_invented_address(cli) -> None:  # type: ignore[no-untyped-def]
    import json as json_module

    from tracesguide.content import load

    content = load("fr")
    desks = {d.id: d for d in content.desks}
    assert "https://webgate.ec.europa.eu/cas/contact.html" in desks["eu-login-support"].contact
    assert "certificat de conformité" in desks["control-body"].contact
    assert "@" not in desks["control-body"].contact  # no e-mail address made up
    entry = next(e for e in content.troubleshooting if "eu-login-support" in e.desks)
    result = cli("troubleshoot", entry.id, "--json")
    assert result.code == 0, result.err
    shown = {d["id"]: d for d in json_module.loads(result.out)["desks"]}
    assert shown["eu-login-support"]["contact"] == desks["eu-login-support"].contact
