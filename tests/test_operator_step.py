"""The wizard's operator step, its parts a person relies on: the typed entry's checks,
look-alike results, and the line saying which directory was searched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tracesguide.operators import Operator, load_default_directory
from tracesguide.state.validate import Invalid
from tracesguide.wizard.operator_step import describe, look_alike, typed_identifier, typed_name


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("BE-ORG-OP-5", "BE-ORG-OP-5"),
        (" fr-bio-01.040-0001234.2025.001 ", "FR-BIO-01.040-0001234.2025.001"),
        ("NL-BIO-01.528-0005749.2025.001", "NL-BIO-01.528-0005749.2025.001"),
    ],
)
def test_typed_identifiers_that_look_right_are_kept(typed: str, kept: str) -> None:
    assert typed_identifier(typed) == kept


@pytest.mark.parametrize(
    "typed", ["", "alpro", "12345", "FR-", "FR-ORG-OP", "<script>", "F-1", "FR ORG-OP-101"]
)
def test_typed_identifiers_that_do_not_look_right_are_refused(typed: str) -> None:
    with pytest.raises(Invalid, match="numéro TRACES"):
        typed_identifier(typed)


def test_typed_names() -> None:
    assert typed_name("  Coopérative   du Moulin ") == "Coopérative du Moulin"
    assert typed_name("Evil\x1b[31m Corp") == "Evil Corp"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(Invalid):
            typed_name(bad)


def test_look_alike_names_or_addresses_with_other_identifiers() -> None:
    moulin = Operator(
        "Coopérative du Moulin SARL", "FR-ORG-OP-1", "2 rue du Moulin 26200 Montélimar"
    )
    copy = Operator("Cooperative du Moulin", "FR-ORG-OP-2", "Route de Lyon 26000 Valence")
    neighbour = Operator(
        "Les Jardins de Provence", "FR-ORG-OP-3", "2 rue du Moulin 26200 Montélimar"
    )
    other = Operator("Biocoop Ardèche", "FR-ORG-OP-4", "1 place du Marché 07000 Privas")
    second_certificate = Operator(
        "Biocoop Ardèche", "FR-ORG-OP-4", "1 place du Marché 07000 Privas"
    )
    assert look_alike([moulin, copy, neighbour, other]) == [moulin, copy, neighbour]
    # the same operator twice (two certificates) is not a duplicate
    assert look_alike([other, second_certificate]) == []


def test_describe_says_which_directory_was_searched(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    assert describe(load_default_directory()).startswith("Recherche dans l'exemple fourni")
    source = tmp_path / "annuaire.csv"
    source.write_text("nom;numéro traces\nMa Coopérative;FR-ORG-OP-1\n", encoding="utf-8")
    assert cli("operators", "import", str(source)).code == 0
    line = describe(load_default_directory())
    assert line.startswith(f"Recherche dans l'annuaire importé depuis {source}")
    assert line.endswith("(opérateurs : 1).")
