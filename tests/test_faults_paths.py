"""Odd paths: a symlink loop, a too-long name, for the reading commands."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import FAULT_COUNTS


def test_a_symlink_loop_in_a_folder_is_a_record_and_the_others_follow(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "suivi"
    folder.mkdir()
    os.symlink("loop.toml", folder / "loop.toml")
    (folder / "z.toml").write_text("x = 1\n", encoding="utf-8")
    result = cli("check", "--json", str(folder))
    assert "Traceback" not in result.err
    assert result.err == ""
    records = [json.loads(line) for line in result.out.splitlines()]
    assert [Path(r["path"]).name for r in records] == ["loop.toml", "z.toml"]
    assert all(r.get("error") for r in records)
    for command in (
        ["check", str(folder / "loop.toml")],
        ["status", "--state", str(folder / "loop.toml")],
    ):
        one = cli(*command)
        assert one.code == 2
        assert "Traceback" not in one.err
        assert "loop.toml" in one.err + one.out
    FAULT_COUNTS["paths, symlink loop"] = 3
