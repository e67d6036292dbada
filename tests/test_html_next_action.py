"""next_action for scripts (status --json, check --json), and replay speaking to staff."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import write_state


def test_status_and_check_give_the_next_action_and_who_acts(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path, until="eu-login.welcome")
    status = json.loads(cli("status", "--json", "--state", str(path)).out)
    assert status["next_action"] == {
        "step": "eu-login.welcome",
        "action": "Ouvrir la page de bienvenue de TRACES NT",
        "button": "Demander un accès.",
        "url": "https://webgate.ec.europa.eu/tracesnt/login",
        "actor": "user",
    }
    write_state(path, until="access.wait-validation")
    record = json.loads(cli("check", "--json", str(path)).out)
    assert record["next_action"]["step"] == "access.wait-validation"
    assert record["next_action"]["actor"] == "control-body"
    assert record["next_action"]["url"] is None


def test_no_next_action_once_complete(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    write_state(path)
    assert json.loads(cli("check", "--json", str(path)).out)["next_action"] is None
    result = cli("replay", str(path))
    assert "L'utilisateur a accès à TRACES NT" in result.out
    assert "Félicitations" not in result.out and "votre accès" not in result.out


def test_replay_of_a_missing_or_broken_file_advises_staff(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = cli("replay", str(tmp_path / "absent.toml"))
    assert missing.code == 2 and "setup" not in missing.err and "tracesguide status" in missing.err
    broken = tmp_path / "casse.toml"
    broken.write_text("pas du toml = [", "utf-8")
    result = cli("replay", str(broken))
    assert result.code == 2 and "Demandez à l'utilisateur" in result.err
