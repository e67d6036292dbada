"""``operators fetch`` against a hostile directory server, a real one on 127.0.0.1.

Every case: one French line on stderr, exit 2, no traceback, the previous index intact
(an index imported first is still the one searched), within the page and run deadlines.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import FAULT_COUNTS
from directory_server import DirectoryServer, bomb, serving


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> Iterator[DirectoryServer]:
    with serving(DirectoryServer({("FR", "ISSUED"): 250})) as server:
        monkeypatch.setenv("TRACESGUIDE_DIRECTORY_URL", server.base_url)
        yield server


def _count(fault_class: str) -> None:
    FAULT_COUNTS[fault_class] = FAULT_COUNTS.get(fault_class, 0) + 1


def _import_mine(cli: Callable[..., Any], tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("nom;numéro traces\nMa Coopérative;FR-ORG-OP-1\n", encoding="utf-8")
    assert cli("operators", "import", str(mine)).code == 0


def _one_line(result: Any) -> str:
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.startswith("tracesguide:")]
    assert len(lines) == 1, result.err
    return lines[0]


@pytest.mark.parametrize(
    ("fault", "reason", "seconds"),
    [
        ("drip-body", "pas de réponse en 1 s", 12.0),
        ("drip-headers", "pas de réponse en 1 s", 12.0),
        ("fake-gzip", "réponse compressée illisible ou tronquée", 10.0),
        ("bomb", "réponse de plus de 16 Mio", 30.0),
        ("redirect-loop", "plus de 5 redirections", 10.0),
        ("redirect-port", "redirection vers une autre adresse que celle de l'annuaire", 10.0),
    ],
)
def test_a_hostile_page_is_one_line_in_bounded_time_and_keeps_the_index(
    cli: Callable[..., Any],
    directory: DirectoryServer,
    tmp_path: Path,
    fault: str,
    reason: str,
    seconds: float,
) -> None:
    _import_mine(cli, tmp_path)
    if fault == "bomb":
        print(f"the bomb: {len(bomb())} bytes for 1 GiB")  # made before the clock starts
    with socket.socket() as other:  # a real server on another port, never to be asked
        other.bind(("127.0.0.1", 0))
        other.listen()
        directory.other_port = other.getsockname()[1]
        directory.fault("FR", "ISSUED", 100, *[fault] * 4)
        start = time.monotonic()
        result = cli("operators", "fetch", "--delay", "0", "--timeout", "1")
        took = time.monotonic() - start
        other.setblocking(False)
        with pytest.raises(BlockingIOError):
            other.accept()  # the redirect to another port was not followed
    assert result.code == 2, result.err
    line = _one_line(result)
    assert "FR ISSUED, page 2 (offset 100) : " in line
    assert reason in line
    assert "100 enregistrements reçus sont gardés" in line
    assert took < seconds  # four attempts of one second each at most
    assert "Ma Coopérative" in cli("operators", "search", "ma cooperative").out
    assert directory.requests[0]["accept-encoding"] == "gzip, deflate"
    _count("fetch, hostile server answers")


def test_a_gzip_bomb_never_inflates_in_memory(directory: DirectoryServer) -> None:
    """1 GiB behind two gzip layers: refused with the memory bounded (a 1 GiB limit on
    the address space of the process that downloads)."""
    directory.fault("FR", "ISSUED", 0, "bomb", "bomb", "bomb", "bomb")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "tracesguide", "operators", "fetch", "--delay", "0"]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, preexec_fn=limit
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "réponse de plus de 16 Mio" in done.stderr
    _count("fetch, hostile server answers")


def test_the_whole_run_has_a_deadline(cli: Callable[..., Any], directory: DirectoryServer) -> None:
    directory.slices[("FR", "ISSUED")] = 5_000
    directory.slow_seconds = 0.4
    for offset in range(0, 5_000, 100):
        directory.fault("FR", "ISSUED", offset, "slow")
    start = time.monotonic()
    result = cli("operators", "fetch", "--delay", "0", "--timeout", "5", "--max-time", "2")
    assert time.monotonic() - start < 8
    assert result.code == 2
    line = _one_line(result)
    assert "téléchargement arrêté : plus de 2 s au total" in line
    assert "enregistrements reçus sont gardés" in line
    _count("fetch, deadlines")


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "http://h:abc/",
        "http://h:99999/",
        "http://exemple.fr/\x1b[31mrouge",
        "http://exemple.fr/a b",
        "javascript:alert(1)",
        "http:///annuaire",
        "http://" + "a" * 5000 + ".fr/",
    ],
)
def test_a_bad_directory_url_is_one_french_line(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("TRACESGUIDE_DIRECTORY_URL", url)
    result = cli("operators", "fetch")
    assert result.code == 2
    line = _one_line(result)
    assert "TRACESGUIDE_DIRECTORY_URL" in line
    assert "\x1b" not in result.err
    assert len(line) < 600
    _count("fetch, directory URLs")


def test_credentials_in_the_url_are_refused_and_never_shown(
    cli: Callable[..., Any], directory: DirectoryServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = directory.base_url.replace("http://", "http://camille:S3cretPass@")
    monkeypatch.setenv("TRACESGUIDE_DIRECTORY_URL", secret)
    result = cli("operators", "fetch", "--delay", "0")
    assert result.code == 2
    line = _one_line(result)
    assert "mot de passe" in line
    assert "S3cretPass" not in result.err + result.out
    assert directory.requests == []
    data = Path(os.environ["TRACESGUIDE_DATA_DIR"])
    for path in data.rglob("*") if data.exists() else []:
        assert not path.is_file() or b"S3cretPass" not in path.read_bytes()
    _count("fetch, directory URLs")


@pytest.mark.parametrize(
    "option", [("--delay", "nan"), ("--timeout", "nan"), ("--max-time", "nan")]
)
def test_option_values_are_finite(
    cli: Callable[..., Any], directory: DirectoryServer, option: tuple[str, str]
) -> None:
    result = cli("operators", "fetch", *option)
    assert result.code == 2
    line = _one_line(result)
    assert f"valeur invalide pour {option[0]}" in line
    assert directory.requests == []
    _count("fetch, option values")


@pytest.mark.parametrize(
    "args",
    [("--lang", "x" * 100_000, "status"), ("operators", "fetch", "--status", "y" * 100_000)],
)
def test_a_huge_value_is_quoted_cut(cli: Callable[..., Any], args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.code == 2
    line = _one_line(result)
    assert len(line) < 1_000
    assert "…" in line
    _count("quoting, huge values")
