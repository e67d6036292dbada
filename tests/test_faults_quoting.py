"""Bounded quoting: no error quotes a value whole, and no library's English text sits
inside a French line (issue 20)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import FAULT_COUNTS

HUGE = "x" * 100_000
EXAMPLE = Path(__file__).parents[1] / "docs/examples/answers.toml"


def _count(fault_class: str) -> None:
    FAULT_COUNTS[fault_class] = FAULT_COUNTS.get(fault_class, 0) + 1


def _one_line(result: Any) -> str:
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err[:2000]
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("--lang", HUGE, "status"),
        ("check", "--require", HUGE),
        ("operators", "fetch", "--status", HUGE),
        ("operators", "fetch", "--country", HUGE),
        (HUGE,),
        ("operators", HUGE),
        ("status", f"--{HUGE}"),
        ("show", HUGE),
        ("troubleshoot", HUGE),
        ("status", "--state", f"/tmp/{HUGE}"),
        ("replay", f"/tmp/{HUGE}"),
        ("setup", "--answers", f"/tmp/{HUGE}"),
        ("operators", "import", f"/tmp/{HUGE}"),
        ("reset", "--yes", "--state", f"/tmp/{HUGE}"),
        ("edit", "--state", f"/tmp/{HUGE}"),
        ("setup", "--answers", str(EXAMPLE), "--state", f"/tmp/{HUGE}"),
    ],
    ids=lambda args: " ".join(a if len(a) < 20 else "HUGE" for a in args),
)
def test_a_huge_value_is_cut_and_its_length_said(
    cli: Callable[..., Any], args: tuple[str, ...]
) -> None:
    result = cli(*args)
    assert result.code == 2
    line = _one_line(result)
    assert len(line) < 1_000
    assert "…" in line
    assert "caractères)" in line  # (100 000 caractères), (100 005 caractères)…
    assert "File name too long" not in line  # the OS's English text, translated
    _count("quoting, huge values cut, length said")


@pytest.mark.parametrize("command", ["setup", "reset", "edit", "status"])
def test_a_state_name_too_long_is_one_french_line(
    cli: Callable[..., Any], tmp_path: Path, command: str
) -> None:
    state = tmp_path / ("é" * 200) / "s.toml"  # 400 bytes: past NAME_MAX (255)
    args = [command, "--state", str(state)]
    if command == "setup":
        args += ["--answers", str(EXAMPLE)]
    line = _one_line(cli(*args))
    assert "trop long" in line and "éé" in line
    _count("paths, ENAMETOOLONG on the state path x command")


def _deep(path: Path, top: str = "") -> Path:
    path.write_text(top + "x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    return path


def _digits(path: Path, top: str = "") -> Path:
    path.write_text(top + "x = " + "1" * 4400 + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [_deep, _digits], ids=["nested", "digits"])
@pytest.mark.parametrize("reader", ["state", "answers"])
def test_parser_limits_are_said_in_french(
    cli: Callable[..., Any], tmp_path: Path, make: Callable[..., Path], reader: str
) -> None:
    if reader == "state":
        result = cli("status", "--state", str(make(tmp_path / "s.toml", "version = 1\n")))
    else:
        answers = make(tmp_path / "a.toml")
        result = cli("setup", "--answers", str(answers), "--state", str(tmp_path / "n.toml"))
    line = _one_line(result)
    assert result.code == 2
    for english in ("nested more than", "Exceeds the limit", "RecursionError", "ValueError"):
        assert english not in line
    assert "imbriquées trop profondément" in line or "4400 chiffres" in line
    _count("quoting, parser limits in French x reader")


def test_a_problem_for_an_unknown_step_is_an_error_naming_it(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    answers = tmp_path / "a.toml"
    answers.write_text(
        EXAMPLE.read_text("utf-8").replace(
            "[problems]", '[problems]\n"acess.wait-validation" = "x"'
        ),
        encoding="utf-8",
    )
    state = tmp_path / "s.toml"
    result = cli("setup", "--answers", str(answers), "--state", str(state))
    assert result.code == 2
    assert "acess.wait-validation" in _one_line(result)
    assert not state.exists()  # refused when read, before any step
    _count("quoting, [problems] naming an unknown step")
