"""``tracesguide operators`` via the real entry point: output, JSON, exit codes, hostile text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HOSTILE_NAME = "[bold]x[/bold]\x1b]8;;http://evil\x07Evil Corp\x1b[31m\u202e SARL"


@pytest.fixture
def run(cli: Callable[..., Any]) -> Callable[..., Any]:
    """``tracesguide operators ...``, in-process."""
    return cli


def write_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["name;traces_number;address;country;activities"]
    lines += [f"{name};{number};{address};;Organic Importer" for name, number, address in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_search_the_shipped_sample(run: Callable[..., Any]) -> None:
    result = run("operators", "search", "alpro")
    assert result.code == 0
    assert "ALPRO Comm.V.A." in result.out
    assert "BE-ORG-OP-5" in result.out
    assert "Vlamingstraat 28 149256 Wevelgem Belgium" in result.out
    assert "Organic Importer (ORGANIC IMPORTER)" in result.out
    assert "score 100" in result.out
    assert "Source : exemple fourni" in result.err
    assert "operators import" in result.err


def test_json_output_is_a_pure_list(run: Callable[..., Any]) -> None:
    result = run("operators", "search", "--json", "be org op 6")
    assert result.code == 0
    (match,) = json.loads(result.out)
    assert match["name"] == "Coffeeteam"
    assert match["traces_number"] == "BE-ORG-OP-6"
    assert match["country"] == "BE"
    assert match["activities"] == ["Organic Importer (ORGANIC IMPORTER)"]
    assert match["address"] == "Generaal Lemanstraat 74 149847 Berchem Belgium"
    assert (match["score"], match["matched_on"]) == (100, "traces_number")
    assert "Source" in result.err


def test_no_match_exits_1_with_the_rule_of_the_guide(run: Callable[..., Any]) -> None:
    result = run("operators", "search", "zzyzx quantum")
    assert result.code == 1
    assert result.out == ""
    assert "Aucun opérateur trouvé" in result.err
    assert "jamais de doublon" in result.err
    assert "Certipaq BIO" in result.err
    as_json = run("operators", "search", "zzyzx quantum", "--json")
    assert as_json.code == 1
    assert json.loads(as_json.out) == []


def test_matches_end_with_the_rule_too(run: Callable[..., Any]) -> None:
    result = run("operators", "search", "--country", "BE", "--activity", "importer")
    assert result.code == 0
    for name in ("ALPRO Comm.V.A.", "Beanworks Seeds and Grains bvba", "Coffeeteam", "Colzagro"):
        assert name in result.out
    flat = " ".join(result.out.split())
    assert "lui seul le peut" in flat and "Ne créez jamais l'opérateur vous-même" in flat


@pytest.mark.parametrize(
    "args",
    [
        ("operators", "search"),
        ("operators", "search", "   "),
        ("operators", "search", "alpro", "--limit", "0"),
        ("operators", "search", "alpro", "--bogus"),
    ],
)
def test_usage_errors_exit_2(run: Callable[..., Any], args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "erreur" in result.err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x00\x01\x02binary", "fichier binaire"),
        (b"", "vide"),
        (b"col_a,col_b\n1,2\n", "aucune colonne de nom"),
        (b'{"not": "a list"}', "liste d'enregistrements"),
    ],
)
def test_unusable_directory_is_one_line_and_exit_2(
    run: Callable[..., Any], tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    for args in (
        ("operators", "search", "alpro", "--directory", str(path)),
        ("operators", "import", str(path)),
    ):
        result = run(*args)
        assert result.code == 2
        assert result.out == ""
        lines = result.err.strip().splitlines()
        assert lines[0].startswith("tracesguide: erreur : ")
        assert words in lines[0]
        assert len(lines) == 1  # the message and what to do, on one line
        assert "Traceback" not in result.err


def test_import_then_info_then_search_uses_the_index(
    run: Callable[..., Any], tmp_path: Path
) -> None:
    info = run("operators", "info")
    assert info.code == 0
    assert "Aucun annuaire importé" in info.out
    source = write_csv(
        tmp_path / "annuaire.csv",
        [
            ("Coopérative agricole du Moulin SARL", "FR-ORG-OP-1", "Montélimar France"),
            ("", "FR-ORG-OP-2", "no name"),
            ("Ökohof Müller GmbH", "DE-ORG-OP-3", "Lüneburg Deutschland"),
        ],
    )
    imported = run("operators", "import", str(source))
    assert imported.code == 0
    assert "2 opérateurs" in imported.out
    assert "ligne 3 : nom d'opérateur vide" in imported.err
    info = run("operators", "info")
    assert str(source.resolve()) in info.out
    assert "2 opérateurs" in info.out
    assert "1 ligne ignorée" in info.out
    as_json = json.loads(run("operators", "info", "--json").out)
    assert (as_json["imported"], as_json["rows"], as_json["skipped"]) == (True, 2, 1)
    found = run("operators", "search", "oekohof", "--json")
    assert found.code == 0
    assert json.loads(found.out)[0]["name"] == "Ökohof Müller GmbH"
    assert "annuaire importé" in found.err
    direct = run("operators", "search", "cooperative", "--directory", str(source), "--json")
    assert json.loads(direct.out)[0]["traces_number"] == "FR-ORG-OP-1"
    assert "1 ligne invalide ignorée" in direct.err


def test_directory_text_is_printed_inert(run: Callable[..., Any], tmp_path: Path) -> None:
    source = tmp_path / "hostile.json"
    record = {
        "operatorIdentifier": "FR-ORG-OP-66\x1b[2J",
        "operator": {"name": HOSTILE_NAME, "address": "1 rue [link=http://evil]x[/link]\nFrance"},
        "activities": ["[red]Import[/red]\x9b31m"],
    }
    source.write_text(json.dumps([record]), encoding="utf-8")
    for args in (
        ("operators", "search", "evil corp", "--directory", str(source)),
        ("operators", "search", "evil corp", "--directory", str(source), "--json"),
    ):
        result = run(*args)
        assert result.code == 0
        for stream in (result.out, result.err):
            assert "\x1b" not in stream
            assert "\x07" not in stream
            assert "\x9b" not in stream
            assert "\u202e" not in stream
        text = result.out if "--json" not in args else json.loads(result.out)[0]["name"]
        assert "[bold]x[/bold]" in text  # literal: never interpreted as markup
        assert "Evil Corp" in text
    human = run("operators", "search", "evil corp", "--directory", str(source))
    assert "1 rue [link=http://evil]x[/link] France" in human.out
    assert "[red]Import[/red]" in human.out


def test_hostile_path_in_an_error_is_inert(run: Callable[..., Any], tmp_path: Path) -> None:
    result = run("operators", "search", "x", "--directory", str(tmp_path / "a\x1b]8;;evil\x07.csv"))
    assert result.code == 2
    assert "\x1b" not in result.err
    assert "\x07" not in result.err
