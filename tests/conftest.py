"""Shared fixtures: every test runs in its own home, with no real user folder touched."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "toml-test" / "tests"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("TRACESGUIDE_DATA_DIR", str(home / "data"))
    for var in ("TRACESGUIDE_STATE", "TRACESGUIDE_DIRECTORY", "FORCE_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    # the tests' own keyring backends (tests/keyring_backends.py) count as OS keyrings
    monkeypatch.setenv(
        "TRACESGUIDE_TRUSTED_KEYRING",
        "keyring_backends.MemoryKeyring,keyring_backends.FileKeyring",
    )
    monkeypatch.setenv("COLUMNS", "120")
    yield home


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``tracesguide ARGS`` in-process through the real entry point (errors included)."""
    from tracesguide.cli import main

    def run(*args: str) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["tracesguide", *args])
        code = 0
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.toml"))
