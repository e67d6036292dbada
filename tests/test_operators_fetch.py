"""``tracesguide operators fetch`` against a real HTTP server on 127.0.0.1 (in-process)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from directory_server import LIMIT, DirectoryServer, serving
from helpers import modules_loaded_by

# a page deadline no loaded machine misses; the test of a slow page sets its own
FAST = ("--delay", "0", "--timeout", "20")


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> Iterator[DirectoryServer]:
    """A directory with 250 issued French certificates; TRACESGUIDE_DIRECTORY_URL set."""
    with serving(DirectoryServer({("FR", "ISSUED"): 250})) as server:
        monkeypatch.setenv("TRACESGUIDE_DIRECTORY_URL", server.base_url)
        yield server


@pytest.fixture
def run(cli: Callable[..., Any]) -> Callable[..., Any]:
    return cli


def fetch(run: Callable[..., Any], *args: str) -> Any:
    return run("operators", "fetch", *FAST, *args)


def test_fetch_builds_the_index_that_search_uses(
    run: Callable[..., Any], directory: DirectoryServer
) -> None:
    result = fetch(run)
    assert result.code == 0, result.err
    assert "Annuaire téléchargé : 250 opérateurs" in result.out
    assert "FR ISSUED : 250 enregistrements sur 250 annoncés" in result.out
    # polite and as the page asks: pages of 100, one slice, an identifying User-Agent
    assert directory.offsets() == [0, 100, 200]
    first = directory.requests[0]
    assert (first["max"], first["states"], first["countryCode"]) == ("100", "ISSUED", "FR")
    assert first["sort"] == "-issuedOn"
    assert first["user-agent"].startswith("tracesguide/")
    found = run("operators", "search", "--json", "FR-ORG-OP-IS17")
    assert found.code == 0
    (match,) = json.loads(found.out)
    assert match["name"] == "Opérateur FR ISSUED n°17"
    assert match["status"] == "ISSUED"
    assert match["activities"] == ["Production"]
    assert match["issuing_body"] == "Certipaq BIO (FR-BIO-01)"
    assert match["address"] == "17 rue du Moulin 26200 Montélimar"
    assert match["country"] == "FR"
    assert "annuaire importé depuis http://127.0.0.1" in found.err
    info = run("operators", "info")
    assert f"Annuaire public téléchargé depuis : {directory.base_url}/for/query" in info.out
    assert "250 opérateurs, téléchargé le" in info.out
    assert "FR ISSUED : 250 enregistrements sur 250 annoncés" in info.out
    as_json = json.loads(run("operators", "info", "--json").out)
    assert as_json["fetch"]["slices"] == [
        {"country": "FR", "status": "ISSUED", "total": 250, "records": 250}
    ]
    data = Path(os.environ["TRACESGUIDE_DATA_DIR"])
    assert not any(p.name.endswith(".partial") for p in data.iterdir())


def test_slices_by_country_and_status_and_past_the_query_limit(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    slices = {("FR", "ISSUED"): LIMIT + 150, ("FR", "EXPIRED"): 30, ("BE", "ISSUED"): 5}
    with serving(DirectoryServer(slices)) as server:
        monkeypatch.setenv("TRACESGUIDE_DIRECTORY_URL", server.base_url)
        args = ("--country", "France", "--country", "be", "--status", "issued", "--status")
        args += ("EXPIRED",)
        # a busy machine may time a page out and ask it again: what counts is the pages
        result = run("operators", "fetch", "--delay", "0", "--timeout", "20", *args)
    assert result.code == 0, result.err
    assert "FR ISSUED : 10 150 enregistrements sur 10 150 annoncés" in result.out
    assert "FR EXPIRED : 30 enregistrements sur 30 annoncés" in result.out
    assert "BE ISSUED : 5 enregistrements sur 5 annoncés" in result.out
    assert "BE EXPIRED : 0 enregistrements sur 0 annoncés" in result.out
    assert "Annuaire téléchargé : 10 185 opérateurs" in result.out
    # never past the limit of one query: the rest comes newest-last, overlap dropped
    assert max(int(r["offset"]) for r in server.requests) < LIMIT
    oldest_first = {int(r["offset"]) for r in server.requests if r["sort"] == "issuedOn"}
    assert oldest_first == {0, 100, 200}  # 150 left, and one page of overlap


def test_transient_faults_are_retried(run: Callable[..., Any], directory: DirectoryServer) -> None:
    directory.slow_seconds = 6  # well past the 2 s deadline, even on a loaded machine
    directory.fault("FR", "ISSUED", 0, "500", "slow")
    directory.fault("FR", "ISSUED", 100, "truncate", "html")
    directory.fault("FR", "ISSUED", 200, "notjson", "noheader")
    result = fetch(run, "--timeout", "2")
    assert result.code == 0, result.err
    assert "Annuaire téléchargé : 250 opérateurs" in result.out
    # each page after its two faults; a page late under load may be asked once more
    offsets = directory.offsets()
    assert sorted(set(offsets)) == [0, 100, 200]
    assert all(offsets.count(offset) >= 3 for offset in (0, 100, 200)), offsets


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("500", "HTTP 500"),
        ("html", "une page HTML au lieu des données"),
        ("truncate", "réponse interrompue ou tronquée"),
        ("notjson", "ce n'est pas du JSON complet"),
        ("noheader", "en-tête documentfoundcount absent"),
    ],
)
def test_a_page_that_stays_bad_is_reported_and_loses_nothing(
    run: Callable[..., Any], directory: DirectoryServer, tmp_path: Path, fault: str, reason: str
) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("nom;numéro traces\nMa Coopérative;FR-ORG-OP-1\n", encoding="utf-8")
    assert run("operators", "import", str(mine)).code == 0
    directory.fault("FR", "ISSUED", 100, *[fault] * 4)
    result = fetch(run)
    assert result.code == 2
    assert result.out == ""
    (line,) = result.err.strip().splitlines()[1:]
    assert "FR ISSUED, page 2 (offset 100) : " in line
    assert reason in line
    assert "100 enregistrements reçus sont gardés" in line
    assert "Traceback" not in result.err
    # the imported index is still the one searched
    assert "Ma Coopérative" in run("operators", "search", "ma cooperative").out
    # the next fetch takes up where it stopped
    again = fetch(run)
    assert again.code == 0, again.err
    assert "Reprise d'un téléchargement interrompu : 100 enregistrements" in again.err
    assert directory.offsets()[-2:] == [100, 200]
    assert directory.offsets().count(0) == 1
    assert "Annuaire téléchargé : 250 opérateurs" in again.out


def test_a_record_with_a_missing_field_is_reported_with_its_place(
    run: Callable[..., Any], directory: DirectoryServer
) -> None:
    directory.broken[("FR", "ISSUED", 105)] = "operator"
    directory.broken[("FR", "ISSUED", 3)] = "expiresOn"
    result = fetch(run)
    assert result.code == 0, result.err
    assert "Annuaire téléchargé : 248 opérateurs" in result.out
    assert "FR ISSUED, page 1, enregistrement 4 : champ « expiresOn » absent" in result.err
    assert "FR ISSUED, page 2, enregistrement 6 : champ « operator » absent" in result.err
    assert "248 enregistrements sur 250 annoncés" in result.out


def test_offline_is_one_clear_line_and_keeps_the_index(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TRACESGUIDE_DIRECTORY_URL", f"http://127.0.0.1:{port}/tracesnt/x")
    result = fetch(run)
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == (
        f"tracesguide: erreur : pas de connexion à 127.0.0.1:{port} : réessayez, "
        "ou importez un fichier avec « operators import »"
    )
    assert "Aucun annuaire importé" in run("operators", "info").out


def test_bad_options_and_url_are_usage_errors(
    run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "pays inconnu" in fetch(run, "--country", "Atlantide").err
    assert "statut inconnu" in fetch(run, "--status", "is-sued!").err
    monkeypatch.setenv("TRACESGUIDE_DIRECTORY_URL", "ftp://exemple.fr/annuaire")
    bad = fetch(run)
    assert bad.code == 2
    assert "TRACESGUIDE_DIRECTORY_URL n'est pas une adresse http(s)" in bad.err


def test_ctrl_c_keeps_what_was_fetched_and_the_next_fetch_resumes(
    directory: DirectoryServer, isolated_home: Path
) -> None:
    directory.slices[("FR", "ISSUED")] = 2_000
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "tracesguide", "operators", "fetch", "--timeout", "5"]
    child = subprocess.Popen(
        [*command, "--delay", "0.2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while len(directory.requests) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 130, err.decode()
    message = err.decode().strip().splitlines()[-1]
    assert "tracesguide: Téléchargement interrompu :" in message
    assert "enregistrements reçus sont gardés" in message
    assert "tracesguide operators fetch » pour reprendre" in message
    assert not (Path(os.environ["TRACESGUIDE_DATA_DIR"]) / "operators-index.txt").exists()
    asked_before = directory.offsets()
    resumed = subprocess.run([*command, "--delay", "0"], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "Reprise d'un téléchargement interrompu" in resumed.stderr
    assert "Annuaire téléchargé : 2 000 opérateurs" in resumed.stdout
    asked_after = directory.offsets()[len(asked_before) :]
    # at most the page that was in flight is asked again
    assert len(set(asked_before) & set(asked_after)) <= 1
    assert sorted(set(asked_before) | set(asked_after)) == list(range(0, 2_000, 100))


def test_search_and_status_never_import_httpx() -> None:
    assert modules_loaded_by(["operators", "search", "alpro"], watch=("httpx",)) == []
    assert modules_loaded_by(["operators", "info"], watch=("httpx",)) == []


def test_a_second_fetch_at_the_same_time_is_refused(
    run: Callable[..., Any], directory: DirectoryServer
) -> None:
    from filelock import FileLock

    data = Path(os.environ["TRACESGUIDE_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    with FileLock(str(data / "operators-fetch.partial.lock")):  # another fetch runs
        busy = fetch(run)
    assert busy.code == 2
    assert "un autre téléchargement de l'annuaire est en cours" in busy.err
    assert directory.requests == []
    assert fetch(run).code == 0
