"""Directory files (CSV, JSON), the local index and the order of sources, on real files."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracesguide.operators import (
    DIRECTORY_ENV,
    import_directory,
    index_path,
    load_default_directory,
    load_directory,
    read_directory_file,
    read_index_info,
    search,
)
from tracesguide.operators.index import load_index
from tracesguide.system.errors import DirectoryError

FRENCH_CSV = (
    "Nom;Numéro TRACES;Adresse;Pays;Activités;Référence\r\n"
    "Coopérative agricole du Moulin SARL;FR-ORG-OP-101;2 rue du Moulin, Montélimar;France;"
    "Organic Importer (ORGANIC IMPORTER)|Processing;FR-BIO-01.123-0000101.2025.001\r\n"
    ";FR-ORG-OP-102;nameless;FR;;\r\n"
    '"Ökohof Müller GmbH; Lüneburg";DE-ORG-OP-202;"Mühlweg 3\nLüneburg";DE;Production;\r\n'
    "Too many;FR-ORG-OP-103;a;FR;b;c;extra\r\n"
    "\r\n"
    "Brasserie Dupré EURL;FR-ORG-OP-505;Nîmes;;;\r\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolon_csv_with_bom_and_french_headers(tmp_path: Path) -> None:
    parsed = read_directory_file(write(tmp_path / "a.csv", FRENCH_CSV, "utf-8-sig"))
    assert parsed.format == "csv"
    by_number = {op.traces_number: op for op in parsed.operators}
    assert set(by_number) == {"FR-ORG-OP-101", "DE-ORG-OP-202", "FR-ORG-OP-505"}
    coop = by_number["FR-ORG-OP-101"]
    assert coop.name == "Coopérative agricole du Moulin SARL"
    assert coop.country == "FR"  # "France" → its code
    assert coop.activities == ("Organic Importer (ORGANIC IMPORTER)", "Processing")
    assert coop.reference == "FR-BIO-01.123-0000101.2025.001"
    assert by_number["DE-ORG-OP-202"].name == "Ökohof Müller GmbH; Lüneburg"
    # No country column value: taken from the TRACES number prefix.
    assert by_number["FR-ORG-OP-505"].country == "FR"
    problems = {p.location: p.message for p in parsed.problems}
    assert problems == {
        "ligne 3": "nom d'opérateur vide",
        "ligne 6": "7 colonnes au lieu de 6",
    }


def test_comma_csv_without_bom_and_header_case(tmp_path: Path) -> None:
    text = (
        "NAME,Traces_Number,ADDRESS,Activity\n"
        "ALPRO Comm.V.A.,BE-ORG-OP-5,Vlamingstraat 28 149256 Wevelgem Belgium,Organic Importer\n"
    )
    (operator,) = read_directory_file(write(tmp_path / "b.csv", text)).operators
    assert operator.traces_number == "BE-ORG-OP-5"
    assert operator.country == "BE"  # from the end of the address
    assert operator.activities == ("Organic Importer",)


def test_windows_1252_csv_from_a_french_excel(tmp_path: Path) -> None:
    path = write(tmp_path / "excel.csv", "nom;pays\r\nCoopérative Évreux;FR\r\n", "cp1252")
    (operator,) = read_directory_file(path).operators
    assert operator.name == "Coopérative Évreux"


RECORDS: list[object] = [
    {
        "reference": "NL-BIO-01.528-0005749.2025.001",
        "operatorIdentifier": "NL-ORG-OP-9",
        "status": "VALID",
        "issuingBody": {"code": "NL-BIO-01", "name": "SKAL Biocontrole"},
        "operator": {"name": "Biologische Groothandel B.V.", "address": "Dorpsstraat 1 Zwolle"},
        "activities": ["Import", {"name": "Export"}],
        "categoriesOfProduct": [{"code": "d", "name": "Processed products"}],
        "issuedOn": "2025-01-15",
        "expiresOn": "2026-06-30",
    },
    "not an object",
    {"reference": "FR-BIO-01.1", "operator": {"address": "somewhere"}},
    {
        "operator": {
            "name": "Ökohof Müller GmbH",
            "address": {
                "street": "Mühlweg 3",
                "postalCode": "21335",
                "city": "Lüneburg",
                "country": {"isoCode": "DE", "name": "Germany"},
            },
        },
        "activities": [{"activity": {"name": "Production"}}],
    },
    {"operator": {"name": 42, "address": ["Rue 1", "Gent", "Belgique"]}},
    {"operator": {"name": {"nested": True}}},
]


def test_json_records_of_the_public_directory(tmp_path: Path) -> None:
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    parsed = read_directory_file(path)
    assert parsed.format == "json"
    first, okohof, numbered = parsed.operators
    assert first.name == "Biologische Groothandel B.V."
    assert first.traces_number == "NL-ORG-OP-9"
    assert first.country == "NL"  # from the reference prefix
    assert first.activities == ("Import", "Export")
    assert first.categories == ("Processed products",)
    assert first.issuing_body == "SKAL Biocontrole (NL-BIO-01)"
    assert (first.status, first.issued_on, first.expires_on) == (
        "VALID",
        "2025-01-15",
        "2026-06-30",
    )
    assert okohof.address == "Mühlweg 3 21335 Lüneburg Germany"
    assert okohof.country == "DE"
    assert okohof.activities == ("Production",)
    assert numbered.name == "42"
    assert numbered.country == "BE"
    assert [p.location for p in parsed.problems] == ["élément [1]", "élément [2]", "élément [5]"]


def test_json_wrapped_in_an_object(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"total": 1, "items": [RECORDS[0]]}), encoding="utf-8")
    assert [op.name for op in read_directory_file(path).operators] == [
        "Biologische Groothandel B.V."
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "fichier binaire"),
        (b"", "est vide"),
        (b"  \n\n", "est vide"),
        (b"first,second\n1,2\n", "aucune colonne de nom"),
        (b'{"hello": "world"}', "liste d'enregistrements"),
        (b'[{"operator": ', "JSON invalide"),
        (b"[]", "aucun opérateur utilisable"),
        (b'[1, 2, "x"]', "aucun opérateur utilisable (3 lignes invalides)"),
        (b"name\n\n   \n", "aucun opérateur utilisable"),
    ],
)
def test_files_that_are_no_directory(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.dat"
    path.write_bytes(content)
    with pytest.raises(DirectoryError) as caught:
        read_directory_file(path)
    assert message in caught.value.message
    assert caught.value.exit_code == 2


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="introuvable"):
        read_directory_file(tmp_path / "nope.csv")
    with pytest.raises(DirectoryError, match="dossier"):
        read_directory_file(tmp_path)


def test_import_writes_an_index_that_searches_the_same(tmp_path: Path) -> None:
    source = write(tmp_path / "a.csv", FRENCH_CSV, "utf-8-sig")
    result = import_directory(source)
    assert index_path() == Path(os.environ["TRACESGUIDE_DATA_DIR"]) / "operators-index.sqlite"
    assert index_path().is_file()
    assert [p.name for p in index_path().parent.iterdir()] == ["operators-index.sqlite"]
    assert index_path().stat().st_mode & 0o777 == 0o600
    assert (result.info.rows, result.info.skipped) == (3, 2)
    assert len(result.problems) == 2
    info = read_index_info()
    assert info is not None
    assert (info.origin, info.rows, info.skipped) == (str(source.resolve()), 3, 2)
    assert info.origin_changed() is False
    indexed = load_index()
    direct = load_directory(source)
    assert indexed is not None
    assert list(indexed) == list(direct)
    for query in ("okohof", "cooperative moulin", "FR-ORG-OP-505"):
        assert search(indexed, query) == search(direct, query)
    assert search(indexed, "moulin", country="France", activity="processing")[0].operator.name == (
        "Coopérative agricole du Moulin SARL"
    )
    source.write_text(FRENCH_CSV + "Nouveau;X;;;;\n", encoding="utf-8")
    assert info.origin_changed() is True


def test_source_order_env_then_index_then_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert read_index_info() is None
    assert load_default_directory().source.kind == "sample"
    import_directory(write(tmp_path / "a.csv", FRENCH_CSV))
    assert load_default_directory().source.kind == "index"
    env_file = write(tmp_path / "env.csv", "name\nFrom the environment\n")
    monkeypatch.setenv(DIRECTORY_ENV, str(env_file))
    loaded = load_default_directory()
    assert loaded.source.kind == "env"
    assert [op.name for op in loaded] == ["From the environment"]
    monkeypatch.setenv(DIRECTORY_ENV, str(tmp_path / "missing.csv"))
    with pytest.raises(DirectoryError, match=DIRECTORY_ENV):
        load_default_directory()


def _user_version(data: bytes, version: int) -> bytes:
    return data[:60] + version.to_bytes(4, "big") + data[64:]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1],
        lambda data: b"garbage\n" + data,
        lambda data: data.replace(b"\n", b"\r\n"),
        lambda data: _user_version(data, 0),
        lambda data: b"",
        lambda data: b"SQLite format 3\x00" + b"\x00" * 200,
    ],
    ids=["half", "last_byte_cut", "garbage_before", "crlf", "no_version", "empty", "zeros"],
)
def test_a_damaged_index_is_a_clear_error(tmp_path: Path, damage: object) -> None:
    import_directory(write(tmp_path / "a.csv", FRENCH_CSV))
    path = index_path()
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(DirectoryError) as caught:
        directory = load_index()
        assert directory is not None
        search(directory, "moulin", country="FR")
    assert "index" in caught.value.message
    assert caught.value.hint and "operators import" in caught.value.hint


def test_an_index_from_a_newer_version_says_so(tmp_path: Path) -> None:
    import_directory(write(tmp_path / "a.csv", FRENCH_CSV))
    index_path().write_bytes(_user_version(index_path().read_bytes(), 99))
    with pytest.raises(DirectoryError, match="plus récente") as caught:
        read_index_info()
    assert caught.value.hint and "Mettez tracesguide à jour" in caught.value.hint


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    import sqlite3

    index_path().parent.mkdir(parents=True)
    with sqlite3.connect(index_path()) as connection:
        connection.execute("CREATE TABLE operators (name TEXT)")
        connection.execute("INSERT INTO operators VALUES ('Moulin')")
    connection.close()
    with pytest.raises(DirectoryError, match="pas un index d'opérateurs"):
        load_index()


def test_the_old_text_index_asks_for_an_import(tmp_path: Path) -> None:
    old = index_path().with_name("operators-index.txt")
    old.parent.mkdir(parents=True)
    old.write_text('{"format": "tracesguide-operators-index", "version": 1, "rows": 0}\n')
    with pytest.raises(DirectoryError, match="ancien format") as caught:
        read_index_info()
    assert caught.value.hint and "operators import" in caught.value.hint
    import_directory(write(tmp_path / "a.csv", FRENCH_CSV))
    assert not old.exists()
    assert read_index_info() is not None


def test_a_tampered_record_is_caught(tmp_path: Path) -> None:
    import sqlite3

    import_directory(write(tmp_path / "a.csv", FRENCH_CSV))
    path = index_path()
    # Rewrite the database in place (its size and header stay those of a complete file).
    with sqlite3.connect(path) as connection:
        # the activities of the first operator (the fifth field) no list; the second's
        # fields neither separated nor a JSON list
        connection.execute(
            "UPDATE operators SET fields = "
            "substr(fields, 1, instr(fields, '[') - 1) || '{not a list' WHERE id = 0"
        )
        connection.execute("UPDATE operators SET fields = '[\"Moulin\"]' WHERE id = 1")
    connection.close()
    directory = load_index()
    assert directory is not None
    for position in (0, 1):
        with pytest.raises(DirectoryError, match="corrompu"):
            directory.fetch(position)


def _parsed(data: bytes) -> tuple[str, object]:
    """What json.loads says of *data*, and what the streamed reader says."""
    try:
        expected: object = ("ok", json.loads(data.decode("utf-8")))
    except json.JSONDecodeError as error:
        expected = ("error", error.msg, error.lineno, error.colno)
    except ValueError:
        expected = ("error",)
    from tracesguide.operators import formats

    try:
        items = list(formats._array_items(io.BytesIO(data), "utf-8", None))
        got: object = ("ok", items)
    except json.JSONDecodeError as error:
        got = ("error", error.msg, error.lineno, error.colno)
    except ValueError:
        got = ("error",)
    return expected, got  # type: ignore[return-value]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(_json_values, max_size=6),
    indent=st.sampled_from([None, 0, 1, 2]),
    cut=st.integers(min_value=0, max_value=400),
    junk=st.sampled_from(["", " ", "x", "]", ",", "\n}", "[", '"']),
)
def test_the_streamed_json_reader_agrees_with_json_loads(
    items: list[object], indent: int | None, cut: int, junk: str
) -> None:
    """Small chunks, so that items run across them: the same items, or the same error at
    the same line and column, as parsing the whole document."""
    from tracesguide.operators import formats

    text = json.dumps(items, indent=indent, ensure_ascii=False)
    mutated = (text[:cut] + junk + text[cut:]) if cut < len(text) else text + junk
    saved = formats._CHUNK
    formats._CHUNK = 7
    try:
        for data in (text.encode(), mutated.encode()):
            if not data.lstrip().startswith(b"["):
                continue  # read as CSV, or as a wrapping object: not this reader's
            expected, got = _parsed(data)
            assert got == expected, data
    finally:
        formats._CHUNK = saved
