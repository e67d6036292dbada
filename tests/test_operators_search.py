"""Matching as a person types: accents, small words, legal forms, typos, identifiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracesguide.operators import (
    Directory,
    DirectorySource,
    Operator,
    load_sample,
    name_key,
    search,
)
from tracesguide.operators.normalize import country_code, country_from_identifier, id_key

OPERATORS = [
    Operator(
        "Coopérative agricole du Moulin SARL",
        "FR-ORG-OP-101",
        "2 rue du Moulin 26200 Montélimar France",
        "FR",
        ("Organic Importer (ORGANIC IMPORTER)",),
        "FR-BIO-01.123-0000101.2025.001",
    ),
    Operator(
        "Ökohof Müller GmbH & Co. KG",
        "DE-ORG-OP-202",
        "Mühlweg 3 21335 Lüneburg Deutschland",
        "DE",
        ("Production",),
    ),
    Operator(
        "L'Huilerie de l'Étang S.A.S.",
        "FR-ORG-OP-303",
        "Chemin de l'Étang 34120 Pézenas France",
        "FR",
        ("Organic Importer (ORGANIC IMPORTER)", "Processing"),
    ),
    Operator(
        "Beanworks Seeds and Grains bvba",
        "BE-ORG-OP-7",
        "Spaans Fort 6 149725 Verrebroek Belgium",
        "BE",
        ("Organic Importer (ORGANIC IMPORTER)",),
    ),
    Operator("Coffeeteam", "BE-ORG-OP-6", "Generaal Lemanstraat 74 Berchem Belgium", "BE"),
    Operator("Moulin de la Vallée", "FR-ORG-OP-404", "Vallée 1 Aubenas France", "FR"),
    Operator("Brasserie Dupré et Fils EURL", "FR-ORG-OP-505", "Nîmes France", "FR"),
]


@pytest.fixture
def directory() -> Directory:
    return Directory.from_operators(OPERATORS, DirectorySource("file", Path("test.csv")))


def names(matches: list) -> list[str]:  # type: ignore[type-arg]
    return [m.operator.name for m in matches]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("cooperative", "Coopérative agricole du Moulin SARL"),
        ("COOPERATIVE AGRICOLE MOULIN", "Coopérative agricole du Moulin SARL"),
        ("cooperative agricole du moulin sarl", "Coopérative agricole du Moulin SARL"),
        ("okohof", "Ökohof Müller GmbH & Co. KG"),
        ("oekohof mueller", "Ökohof Müller GmbH & Co. KG"),
        ("okohof muller gmbh", "Ökohof Müller GmbH & Co. KG"),
        ("huilerie etang", "L'Huilerie de l'Étang S.A.S."),
        ("l'huilerie de l'etang sas", "L'Huilerie de l'Étang S.A.S."),
        ("beanworks seeds grains", "Beanworks Seeds and Grains bvba"),
        ("coffee team", "Coffeeteam"),
        ("cofeeteam", "Coffeeteam"),  # a typo
        ("brasserie dupre fils", "Brasserie Dupré et Fils EURL"),
        ("brasserie  dupre-et-fils", "Brasserie Dupré et Fils EURL"),
    ],
)
def test_a_name_typed_loosely_finds_the_operator_first(
    directory: Directory, typed: str, expected: str
) -> None:
    matches = search(directory, typed, limit=3)
    assert matches, typed
    assert matches[0].operator.name == expected
    assert matches[0].matched_on == "name"


def test_exact_identifier_comes_first_with_score_100(directory: Directory) -> None:
    for typed in ("BE-ORG-OP-7", "be org op 7", " be-org-op-7 "):
        matches = search(directory, typed)
        assert names(matches) == ["Beanworks Seeds and Grains bvba"]
        assert matches[0].score == 100
        assert matches[0].matched_on == "traces_number"
    by_reference = search(directory, "FR-BIO-01.123-0000101.2025.001")
    assert names(by_reference) == ["Coopérative agricole du Moulin SARL"]
    assert by_reference[0].matched_on == "reference"


def test_unrelated_text_finds_nothing(directory: Directory) -> None:
    assert search(directory, "zzyzx quantum") == []
    assert search(directory, "BE-ORG-OP-999") == []


def test_filters_country_activity_and_traces_number(directory: Directory) -> None:
    assert set(names(search(directory, "moulin", country="FR"))) == {
        "Coopérative agricole du Moulin SARL",
        "Moulin de la Vallée",
    }
    assert search(directory, "moulin", country="BE") == []
    assert names(search(directory, country="Belgique")) == [
        "Beanworks Seeds and Grains bvba",
        "Coffeeteam",
    ]
    importers = search(directory, activity="importer", limit=10)
    assert {m.operator.traces_number for m in importers} == {
        "FR-ORG-OP-101",
        "FR-ORG-OP-303",
        "BE-ORG-OP-7",
    }
    assert all(m.matched_on == "filters" for m in importers)
    assert names(search(directory, activity="processing")) == ["L'Huilerie de l'Étang S.A.S."]
    only = search(directory, traces_number="de-org-op-202")
    assert names(only) == ["Ökohof Müller GmbH & Co. KG"]
    assert only[0].score == 100
    # A traces number and a text must both match.
    assert search(directory, "coffeeteam", traces_number="DE-ORG-OP-202") == []


def test_limit_caps_the_results(directory: Directory) -> None:
    assert len(search(directory, country="FR", limit=2)) == 2
    assert search(directory, "moulin", limit=0) == []


def test_shipped_sample_holds_the_four_operators_of_the_guide() -> None:
    sample = load_sample()
    assert sample.source.kind == "sample"
    operators = {op.traces_number: op for op in sample}
    assert {k: op.name for k, op in operators.items()} == {
        "BE-ORG-OP-5": "ALPRO Comm.V.A.",
        "BE-ORG-OP-7": "Beanworks Seeds and Grains bvba",
        "BE-ORG-OP-6": "Coffeeteam",
        "BE-ORG-OP-4": "Colzagro",
    }
    assert operators["BE-ORG-OP-5"].address == "Vlamingstraat 28 149256 Wevelgem Belgium"
    assert all(op.country == "BE" for op in operators.values())
    assert all(op.activities == ("Organic Importer (ORGANIC IMPORTER)",) for op in sample)
    assert names(search(sample, "alpro")) == ["ALPRO Comm.V.A."]


def test_normalised_forms() -> None:
    assert name_key("Coopérative agricole du Moulin SARL") == "cooperative agricole moulin"
    assert name_key("ALPRO Comm.V.A.") == "alpro"
    assert name_key("Ökohof Müller GmbH & Co. KG") == "okohof muller"
    assert name_key("Straße der Œufs") == "strasse oeufs"
    assert name_key("SA") == "sa"  # nothing but a legal form: kept
    assert id_key("be-org-op 5") == "BEORGOP5"
    assert country_code("Belgique") == "BE"
    assert country_code("el") == "GR"
    assert country_code("Ruritania") == "Ruritania"
    assert country_from_identifier("NL-BIO-01.528-0005749.2025.001") == "NL"
    assert country_from_identifier("XX-1") == ""
