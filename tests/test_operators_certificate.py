"""``tracesguide operators certificate``: an operator's certificates and a verdict to act on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TODAY = "2026-11-26"
ADDRESS = {
    "street": {"value": "2 rue du Moulin"},
    "cityReference": {"postalCode": "26200", "name": "Montélimar"},
}


def certificate(
    number: int,
    name: str,
    identifier: str,
    status: str = "ISSUED",
    activities: tuple[str, ...] = ("PRODUCTION", "IMPORT"),
    expires: str = "2027-06-30",
    address: dict[str, object] | None = None,
) -> dict[str, object]:
    """A record in the shape of the public directory's JSON."""
    return {
        "id": number,
        "reference": f"FR-BIO-01.040-{number:07d}.2025.001",
        "operatorIdentifier": identifier,
        "status": {"id": status, "translation": status.title()},
        "issuingBody": {"code": "FR-BIO-01", "name": "Certipaq BIO"},
        "operator": {"name": name, "address": address or {"street": {"value": f"{number} rue"}}},
        "activities": [{"id": a, "translation": a.title()} for a in activities],
        "categoriesOfProduct": [{"id": "A", "translation": "Unprocessed plant products"}],
        "issuedOn": "2025-07-01",
        "expiresOn": expires,
    }


RECORDS = [
    certificate(1, "Coopérative du Moulin SARL", "FR-ORG-OP-101"),
    certificate(2, "Coopérative du Moulin SARL", "FR-ORG-OP-101", "EXPIRED", expires="2025-06-30"),
    certificate(3, "Jardins de Provence", "FR-ORG-OP-202", activities=("PRODUCTION",)),
    certificate(4, "Bio Import Est", "FR-ORG-OP-303", "WITHDRAWN"),
    certificate(5, "Terres Bio Occitanie", "FR-ORG-OP-404", address=ADDRESS),
    certificate(6, "Terres Biologiques d'Occitanie SAS", "FR-ORG-OP-405", address=ADDRESS),
    certificate(7, "Vergers Anciens", "FR-ORG-OP-506", "EXPIRED", expires="2026-01-31"),
]


@pytest.fixture
def run(cli: Callable[..., Any], tmp_path: Path) -> Callable[..., Any]:
    """``tracesguide operators certificate ...`` on an imported directory of RECORDS."""
    source = tmp_path / "annuaire.json"
    source.write_text(json.dumps(RECORDS), encoding="utf-8")
    assert cli("operators", "import", str(source)).code == 0

    def check(*args: str) -> Any:
        return cli("operators", "certificate", "--date", TODAY, *args)

    return check


def test_issued_with_import_can_request_the_authorisation(run: Callable[..., Any]) -> None:
    result = run("cooperative du moulin")
    assert result.code == 0, result.err
    assert "Certificats de Coopérative du Moulin SARL (FR-ORG-OP-101)" in result.out
    assert "FR-BIO-01.040-0000001.2025.001" in result.out
    assert "FR-BIO-01.040-0000002.2025.001" in result.out  # the expired one is listed too
    assert "Certipaq BIO (FR-BIO-01)" in result.out
    assert "Production ; Import" in result.out
    assert "Unprocessed plant products" in result.out
    assert "en cours (ISSUED)" in result.out
    assert "expiré (EXPIRED)" in result.out
    assert "2027-06-30 (encore 216 jours)" in result.out
    assert "Vous pouvez demander l'autorisation dans TRACES NT" in " ".join(result.out.split())


def test_expiry_is_judged_at_the_given_date(run: Callable[..., Any], cli: Any) -> None:
    soon = cli("operators", "certificate", "FR-ORG-OP-101", "--date", "2027-06-10")
    assert soon.code == 0
    assert "expire dans 20 jours" in " ".join(soon.out.split())
    late = cli("operators", "certificate", "FR-ORG-OP-101", "--date", "2027-07-01", "--json")
    assert late.code == 1
    payload = json.loads(late.out)
    assert (payload["verdict"], payload["ok"], payload["date"]) == ("expired", False, "2027-07-01")


@pytest.mark.parametrize(
    ("query", "verdict", "says"),
    [
        ("Jardins de Provence", "no_import", "aucun certificat en cours ne porte d'activité"),
        ("FR-ORG-OP-303", "withdrawn", "retiré ou suspendu"),
        ("vergers anciens", "expired", "le certificat a expiré"),
        ("Zzyzx Quantum Farms", "not_found", "Aucun opérateur trouvé"),
    ],
)
def test_why_not(run: Callable[..., Any], query: str, verdict: str, says: str) -> None:
    result = run(query)
    assert result.code == 1
    assert says in " ".join(result.out.split())
    as_json = json.loads(run(query, "--json").out)
    assert as_json["verdict"] == verdict
    assert as_json["ok"] is False
    assert says in as_json["message"]


def test_a_certificate_reference_finds_its_operator(run: Callable[..., Any]) -> None:
    payload = json.loads(run("FR-BIO-01.040-0000002.2025.001", "--json").out)
    assert payload["operator"]["traces_number"] == "FR-ORG-OP-101"
    assert payload["verdict"] == "can_request"
    states = {c["reference"]: c["state"] for c in payload["certificates"]}
    assert states == {
        "FR-BIO-01.040-0000001.2025.001": "valid",
        "FR-BIO-01.040-0000002.2025.001": "expired",
    }
    first = payload["certificates"][0]
    assert (first["has_import"], first["days_left"]) == (True, 216)
    assert first["activities"] == ["Production", "Import"]


def test_operators_that_look_alike_are_not_guessed(run: Callable[..., Any]) -> None:
    result = run("Terres Bio Occitanie")
    assert result.code == 1
    assert "FR-ORG-OP-404" in result.out
    assert "FR-ORG-OP-405" in result.out
    text = " ".join(result.out.split())  # rich wraps long lines
    assert "Les doublons sont un problème connu de TRACES NT" in text
    assert "n'en créez jamais un autre" in text
    by_number = run("FR-ORG-OP-405", "--json")
    assert by_number.code == 0
    assert json.loads(by_number.out)["operator"]["name"] == "Terres Biologiques d'Occitanie SAS"


def test_unusable_input_exits_2(run: Callable[..., Any]) -> None:
    assert run("  ").code == 2
    bad_date = run("alpro", "--date", "31/12/2026")
    assert bad_date.code == 2
    assert "date illisible" in bad_date.err


def test_hostile_directory_text_is_inert(cli: Callable[..., Any], tmp_path: Path) -> None:
    hostile = certificate(9, "[bold]Evil[/bold]\x1b[31m Corp\u202e", "FR-ORG-OP-909")
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps([hostile]), encoding="utf-8")
    assert cli("operators", "import", str(source)).code == 0
    result = cli("operators", "certificate", "FR-ORG-OP-909", "--date", TODAY)
    assert "[bold]Evil[/bold] Corp" in result.out
    assert "\x1b" not in result.out
    assert "\u202e" not in result.out
