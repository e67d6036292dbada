"""``operators lookup SIRET``: the French organic directory (Agence Bio), for real over HTTP.

A local server on 127.0.0.1 (``agencebio_server``) stands in for the « API Professionnels
BIO »: found, not found, several establishments of one SIREN, a certificate withdrawn,
no import activity, a 500, a slow answer, a body that is not JSON, an oversized one and
hostile fields. The TRACES NT directory index is a real import of certificate records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import agencebio_server as bio
from agencebio_server import AgenceBioServer, serving
from test_operators_certificate import certificate
from tracesguide.i18n import t

# The TRACES NT side: the company of the French directory under its TRACES NT name,
# certified by another control body than the seeds' Certipaq BIO.
TRACES_RECORDS = [
    {
        **certificate(11, "Coopérative du Moulin SARL", "FR-ORG-OP-101"),
        "issuingBody": {"code": "FR-BIO-98", "name": "Ecocert France"},
    },
    certificate(12, "Jardins de Provence", "FR-ORG-OP-202", activities=("PRODUCTION",)),
    certificate(13, "Bio Import Est", "FR-ORG-OP-303", "WITHDRAWN"),
]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[AgenceBioServer]:
    with serving() as directory:
        monkeypatch.setenv("TRACESGUIDE_AGENCEBIO_URL", directory.url)
        yield directory


@pytest.fixture
def traces(cli: Callable[..., Any], tmp_path: Path) -> None:
    source = tmp_path / "annuaire.json"
    source.write_text(json.dumps(TRACES_RECORDS), encoding="utf-8")
    assert cli("operators", "import", str(source)).code == 0


def _flat(text: str) -> str:
    return " ".join(text.split())


def _error_lines(err: str) -> int:
    """The lines of stderr besides the one that says what is sent: the error, one line."""
    lines = err.strip().splitlines()
    assert lines[0].startswith("Envoyé : le SIRET seulement"), lines
    assert lines[-1].startswith("tracesguide: erreur : "), lines
    assert "Traceback" not in err
    return len(lines) - 1


@pytest.mark.usefixtures("traces")
def test_a_siret_found_shows_the_company_and_its_traces_candidates(
    cli: Callable[..., Any], server: AgenceBioServer
) -> None:
    result = cli("operators", "lookup", "412 345 670 00019")
    assert result.code == 0, result.err
    out = _flat(result.out)
    for shown in (
        "COOPERATIVE DU MOULIN SARL",
        "Le Moulin Bio",
        "ECOCERT FRANCE",
        "ENGAGEE",
        "oui (Importation)",
        "Coopérative du Moulin SARL — FR-ORG-OP-101 (Ecocert France (FR-BIO-98))",
    ):
        assert shown in out, shown
    assert t("agencebio.sent", url=server.url) in result.err  # said before it is sent
    # only the SIRET left the machine, with an identifying User-Agent, nothing else
    assert len(server.requests) == 1
    request = server.requests[0]
    sent = {k: v for k, v in request.items() if k not in ("user-agent", "cookie", "authorization")}
    assert sent == {"siret": bio.IMPORTER}
    assert request["user-agent"].startswith("tracesguide/")
    assert request["cookie"] == "" and request["authorization"] == ""


@pytest.mark.usefixtures("traces")
def test_json_gives_the_establishment_the_body_and_the_candidates(
    cli: Callable[..., Any], server: AgenceBioServer
) -> None:
    result = cli("operators", "lookup", bio.IMPORTER, "--json")
    assert result.code == 0, result.err
    record = json.loads(result.out)
    assert record["found"]["legal_name"] == "COOPERATIVE DU MOULIN SARL"
    assert record["found"]["imports"] is True
    assert record["certificate_body"]["name"] == "ECOCERT FRANCE"
    assert record["traces_candidates"][0]["traces_number"] == "FR-ORG-OP-101"


def test_a_siret_not_in_the_directory_exits_1(
    cli: Callable[..., Any], server: AgenceBioServer
) -> None:
    result = cli("operators", "lookup", bio.UNKNOWN)
    assert result.code == 1
    assert t("agencebio.not_found", siret=bio.UNKNOWN) in _flat(result.out)


def test_several_establishments_of_one_siren(
    cli: Callable[..., Any], server: AgenceBioServer
) -> None:
    # the site asked is there, with another one of the same company
    result = cli("operators", "lookup", bio.SECOND_SITE, "--json")
    record = json.loads(result.out)
    assert record["found"]["siret"] == bio.SECOND_SITE
    assert [e["siret"] for e in record["others"]] == [bio.IMPORTER]
    # the site asked is not there, two others of the same SIREN are: said, the first shown
    text = cli("operators", "lookup", bio.THIRD_SITE)
    assert text.code == 0, text.err
    assert "d'autres établissements de la même entreprise (SIREN 412345670)" in _flat(text.out)
    assert f"{bio.IMPORTER}, {bio.SECOND_SITE}" in _flat(text.out)


def test_a_withdrawn_certificate_is_said(cli: Callable[..., Any], server: AgenceBioServer) -> None:
    result = cli("operators", "lookup", bio.WITHDRAWN)
    assert result.code == 0, result.err
    assert "l'état du certificat de ECOCERT FRANCE est « RETIREE »" in _flat(result.out)


def test_no_import_activity_is_said(cli: Callable[..., Any], server: AgenceBioServer) -> None:
    result = cli("operators", "lookup", bio.NO_IMPORT)
    assert "non : aucune activité d'import n'est listée" in _flat(result.out)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("41234567000018", "agencebio.siret_checksum"),
        ("4123456700001", "agencebio.siret_length"),
        ("4123-4567-0000", "agencebio.siret_digits"),
    ],
)
def test_a_wrong_siret_is_refused_with_its_reason_and_nothing_is_sent(
    cli: Callable[..., Any], server: AgenceBioServer, value: str, reason: str
) -> None:
    result = cli("operators", "lookup", value)
    assert result.code == 2
    assert t(reason, count=13) in result.err
    assert len(result.err.strip().splitlines()) == 1  # one line, no traceback
    assert server.requests == []  # not even the line that says what is sent


def test_a_500_is_retried_then_one_french_line(
    cli: Callable[..., Any], server: AgenceBioServer
) -> None:
    server.fault(bio.FAULTY, "500", "500", "500")
    result = cli("operators", "lookup", bio.FAULTY)
    assert result.code == 2
    assert "(HTTP 500), même après plusieurs essais" in result.err
    assert _error_lines(result.err) == 1
    assert len(server.requests) == 3  # one request, retried twice


def test_a_500_then_an_answer_is_found(cli: Callable[..., Any], server: AgenceBioServer) -> None:
    server.known[bio.FAULTY] = [bio.item(bio.FAULTY, "REPRISE SAS")]
    server.fault(bio.FAULTY, "500")
    result = cli("operators", "lookup", bio.FAULTY)
    assert result.code == 0, result.err
    assert "REPRISE SAS" in result.out


@pytest.mark.parametrize("fault", ["notjson", "html"])
def test_an_answer_that_is_not_json(
    cli: Callable[..., Any], server: AgenceBioServer, fault: str
) -> None:
    server.fault(bio.FAULTY, fault)
    result = cli("operators", "lookup", bio.FAULTY)
    assert result.code == 2
    assert t("agencebio.not_json") in result.err
    assert _error_lines(result.err) == 1


@pytest.mark.parametrize("fault", ["huge", "bomb"])
def test_an_oversized_answer_is_refused(
    cli: Callable[..., Any], server: AgenceBioServer, fault: str
) -> None:
    if fault == "bomb":  # made before the request (seconds on a busy machine), not in it
        from directory_server import bomb

        bomb()
    server.fault(bio.FAULTY, fault, fault, fault)
    result = cli("operators", "lookup", bio.FAULTY)
    assert result.code == 2
    assert "réponse de plus de 2 Mio" in result.err
    assert _error_lines(result.err) == 1


def test_a_slow_answer_is_a_timeout_with_its_deadline(server: AgenceBioServer) -> None:
    """The whole answer within the deadline (a server that holds it is given up on)."""
    from tracesguide.operators import agencebio
    from tracesguide.system.errors import DirectoryError

    server.slow_seconds = 5.0
    server.fault(bio.FAULTY, "slow", "slow")
    settings = agencebio.Settings(server.url, timeout=0.5, retries=1, delay=0.0)
    with pytest.raises(DirectoryError) as raised:
        agencebio.lookup(bio.FAULTY, settings)
    assert "pas de réponse complète en 0.5 s, même après plusieurs essais" in raised.value.message
    assert len(server.requests) == 2


def test_offline_is_one_french_line(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("TRACESGUIDE_AGENCEBIO_URL", f"http://127.0.0.1:{port}/api/")
    result = cli("operators", "lookup", bio.IMPORTER)
    assert result.code == 2
    assert "pas de connexion à 127.0.0.1" in result.err
    assert _error_lines(result.err) == 1


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://127.0.0.1/api/", "n'est pas une adresse http(s)"),
        ("http://user:secret@127.0.0.1/api/", "nom d'utilisateur ou un mot de passe"),
        ("http://127.0.0.1/a pi/", "espaces ou des caractères de contrôle"),
    ],
)
def test_the_url_variable_is_checked_like_the_directory_one(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, url: str, says: str
) -> None:
    monkeypatch.setenv("TRACESGUIDE_AGENCEBIO_URL", url)
    result = cli("operators", "lookup", bio.IMPORTER)
    assert result.code == 2
    assert "TRACESGUIDE_AGENCEBIO_URL" in result.err and says in result.err
    assert "secret" not in result.err


@pytest.mark.parametrize("json_output", [False, True])
def test_hostile_fields_are_printed_inert(
    cli: Callable[..., Any], server: AgenceBioServer, json_output: bool
) -> None:
    args = ("operators", "lookup", bio.HOSTILE, *(("--json",) if json_output else ()))
    result = cli(*args)
    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "EVIL" in result.out and "CORP" in result.out
    assert "⟨U+200B⟩" in result.out  # an invisible character, shown
    if not json_output:  # rich markup stays literal text, never a style nor a link
        assert "[bold red]CORP[/bold red]" in result.out
        assert "[link=http://x.example]ECOCERT[/link]" in result.out


def test_lookup_imports_httpx_only_when_it_runs() -> None:
    """``operators search`` and ``info`` never import httpx (the lookup module is lazy)."""
    from helpers import modules_loaded_by

    assert modules_loaded_by(["operators", "lookup", "--help"], watch=("httpx",)) == []
