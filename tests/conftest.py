"""Shared fixtures: every test runs in its own home, with no real user folder touched."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# The TOML project's conformance corpus (github.com/toml-lang/toml-test, its ``tests``
# folder) is not part of this repository: the tests that use it take its path from
# this variable or the ``--toml-test-corpus`` option (``.ci/run`` sets it) and are
# skipped, saying so, without it.
CORPUS_ENV = "TRACESGUIDE_TOML_TEST_CORPUS"
CORPUS_MIN_FILES = 700
_corpus_option: str | None = None
_corpus_uses: list[int] = []  # files handed out, one entry per test that asked
# Cases tried per fault class (tests/test_faults_state.py), shown after the run.
FAULT_COUNTS: dict[str, int] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--toml-test-corpus",
        default=None,
        help=f"the toml-test corpus's tests/ folder (default: ${CORPUS_ENV})",
    )


def pytest_configure(config: pytest.Config) -> None:
    global _corpus_option
    _corpus_option = config.getoption("--toml-test-corpus")


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
    # French by default, whatever the machine's locale; each test starts in French.
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    from tracesguide import i18n

    monkeypatch.setattr(i18n, "_language", i18n.DEFAULT_LANGUAGE)
    monkeypatch.setattr(i18n, "_chosen", False)
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
    """Every ``*.toml`` of the toml-test corpus; skips the test when no corpus is named.

    With a corpus named, fewer than 700 files is a failure: a test that uses the corpus
    can never pass on zero files.
    """
    where = _corpus_option or os.environ.get(CORPUS_ENV)
    if not where:
        pytest.skip(
            f"toml-test corpus not given: set {CORPUS_ENV} (or --toml-test-corpus) "
            "to its tests/ folder"
        )
    files = sorted(Path(where).rglob("*.toml"))
    assert len(files) >= CORPUS_MIN_FILES, (
        f"toml-test corpus at {where}: {len(files)} *.toml files, "
        f"at least {CORPUS_MIN_FILES} expected"
    )
    _corpus_uses.append(len(files))
    return files


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its counts to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fault_counts"] = dict(FAULT_COUNTS)
        workeroutput["corpus_uses"] = list(_corpus_uses)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    output = getattr(node, "workeroutput", {})
    for fault_class, count in output.get("fault_counts", {}).items():
        FAULT_COUNTS[fault_class] = FAULT_COUNTS.get(fault_class, 0) + count
    _corpus_uses.extend(output.get("corpus_uses", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for fault_class, count in sorted(FAULT_COUNTS.items()):
        terminalreporter.write_line(f"faults: {fault_class}: {count} cases held")
    if _corpus_uses:
        terminalreporter.write_line(
            f"toml-test corpus: {len(_corpus_uses)} tests ran over "
            f"{', '.join(map(str, sorted(set(_corpus_uses))))} files each"
        )
