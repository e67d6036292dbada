"""cli_build: the click command built lazily is the one typer builds, command for command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer._click.exceptions import UsageError
from typer.main import get_command

from helpers import write_state
from tracesguide.cli import app
from tracesguide.cli.build import lazy_command


def _shape(command: Any) -> Any:
    """What a command is made of: its options and arguments, help keys, subcommands."""
    params = [
        (p.name, tuple(p.opts), type(p.type).__name__, repr(p.default), getattr(p, "help", None))
        for p in command.params
    ]
    subcommands = {name: _shape(sub) for name, sub in getattr(command, "commands", {}).items()}
    return (command.name, command.help, params, subcommands)


def test_every_command_is_the_one_typer_builds() -> None:
    eager, lazy = get_command(app), lazy_command(app, lambda command: None)
    assert list(lazy.commands) == list(eager.commands)  # the same names, in the same order
    assert _shape(lazy) == _shape(eager)


def test_a_command_run_builds_that_command_only(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    write_state(path, until="traces.choose-role")
    prepared: list[str | None] = []
    root = lazy_command(app, lambda command: prepared.append(command.name))
    with pytest.raises(SystemExit) as ended:
        root.main(["status", "--json", "--state", str(path)], prog_name="tracesguide")
    assert ended.value.code == 0
    assert prepared == ["status"]


def test_a_mistyped_command_is_suggested_without_building_the_others() -> None:
    prepared: list[str | None] = []
    root = lazy_command(app, lambda command: prepared.append(command.name))
    with pytest.raises(UsageError) as refused:
        root.main(["stauts"], prog_name="tracesguide", standalone_mode=False)
    assert "'status'" in refused.value.message
    assert prepared == []


def test_the_tool_suggests_the_command_in_french(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("stauts")
    assert result.code == 2
    assert "status" in result.err
