"""The fast JSON reader (msgspec, a segment at a time) reads every file as the standard
one does: the same operators, the same rows skipped and their messages, the same error
and its line and column, whatever stands in the file and wherever it stands (first
segment, a later one, the last record). Real files, read whole; and real imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tracesguide.operators.formats import read_directory_file
from tracesguide.operators.index import load_index
from tracesguide.operators.jsonchunks import SEGMENT
from tracesguide.system.errors import DirectoryError

# Records padded so that a few thousand of them span several segments.
_PAD = "x" * 1500


def _record(n: int) -> dict[str, object]:
    return {
        "reference": f"FR-BIO-01.528-{n:07d}.2025.001",
        "operatorIdentifier": f"FR-ORG-OP-{n}",
        "status": {"id": "VALID", "translation": "Valide"},
        "issuingBody": {"code": "FR-BIO-01", "name": "Ecocert"},
        "operator": {"name": f"Ferme {n} du Moulin", "address": f"{n} rue Pré, Nîmes France"},
        "activities": [{"name": "Import"}, {"name": "Processing"}],
        "categoriesOfProduct": ["a", "d"],
        "note": _PAD,
    }


_COUNT = 3 * SEGMENT // len(json.dumps(_record(0))) + 100  # three segments and more
_PLACES = {"first": 3, "middle": _COUNT // 2, "last": _COUNT - 1}
_MIDDLE = f"FR-BIO-01.528-{_PLACES['middle']:07d}"


def _outcome(path: Path, fast: bool) -> object:
    try:
        parsed = read_directory_file(path, fast_json=fast)
    except DirectoryError as error:
        return ("error", error.message, error.hint)
    return (parsed.operators, parsed.problems, parsed.skipped)


def _same(path: Path) -> object:
    fast, standard = _outcome(path, True), _outcome(path, False)
    assert fast == standard
    return fast


def _document(records: list[object], indent: int | None = None) -> str:
    return json.dumps(records, ensure_ascii=False, indent=indent)


def _with(text: str, place: str) -> Callable[[list[object]], list[object]]:
    """Records with the JSON *text* put into the record at *place* (as its "note")."""

    def change(records: list[object]) -> list[object]:
        records[_PLACES[place]] = {**_record(_PLACES[place]), "note": _Raw(text)}
        return records

    return change


class _Raw:
    """JSON text written as it is (json.dumps cannot write NaN-free oddities)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _write(path: Path, records: list[object], indent: int | None = None) -> Path:
    raws: list[str] = []

    def default(value: object) -> object:
        assert isinstance(value, _Raw)
        raws.append(value.text)
        return f"@@RAW{len(raws) - 1}@@"

    text = json.dumps(records, ensure_ascii=False, indent=indent, default=default)
    for number, raw in enumerate(raws):
        text = text.replace(f'"@@RAW{number}@@"', raw)
    path.write_text(text, encoding="utf-8")
    return path


ODD_VALUES = {
    "nan": "NaN",
    "infinity": "[Infinity, -Infinity]",
    "float_past_range": "1e400",
    "integer_past_64_bits": str(2**70),
    "integer_past_int_digits": "9" * 5000,  # refused by int(): the file is unreadable
    "lone_surrogate": '"\\ud800 seul"',
    "reversed_surrogates": '"\\udc00\\ud800"',
    "surrogate_pair": '"\\ud83d\\ude00"',
    "duplicate_keys": '{"a": 1, "a": 2, "b": {"c": 1, "c": [3]}}',
    "nested_50": "[" * 50 + "]" * 50,
    "nested_5000": "[" * 5000 + "]" * 5000,  # too deep for the standard parser
    "control_character": '"a\tb"',
    "escapes": '"\\u00e9\\n\\"\\\\\\/"',
    "floats": "[0.1, 1e-400, -0.0, 2.2250738585072011e-308, 1.7976931348623157e308]",
    "cut_bait": '"}, {\\"reference\\": 1}, {\\"reference\\""',
    "missing_comma": '{"a": 1 "b": 2}',
    "trailing_comma": "[1, 2,]",
}


@pytest.mark.parametrize("place", sorted(_PLACES))
@pytest.mark.parametrize("value", sorted(ODD_VALUES))
def test_an_odd_value_reads_as_the_standard_reader_reads_it(
    tmp_path: Path, value: str, place: str
) -> None:
    records: list[object] = [_record(n) for n in range(_COUNT)]
    path = _write(tmp_path / "directory.json", _with(ODD_VALUES[value], place)(records))
    _same(path)


def _bad_item(value: object) -> Callable[[list[object]], list[object]]:
    def change(records: list[object]) -> list[object]:
        records[_PLACES["middle"]] = value
        return records

    return change


@pytest.mark.parametrize(
    "change",
    [
        _bad_item("a string"),
        _bad_item(12),
        _bad_item(None),
        _bad_item([_record(1)]),
        _bad_item({"operator": {"address": "no name"}}),  # skipped: no name
        _bad_item({"operator": {"name": "N" * 5000}}),  # skipped: too long
        _bad_item({"first": "another key first", "operator": {"name": "Other"}}),
        lambda records: records[:1],
        lambda records: [],
    ],
    ids=["string", "number", "null", "list", "no_name", "too_long", "other_key", "one", "empty"],
)
def test_an_odd_item_reads_as_the_standard_reader_reads_it(
    tmp_path: Path, change: Callable[[list[object]], list[object]]
) -> None:
    records: list[object] = [_record(n) for n in range(_COUNT)]
    _same(_write(tmp_path / "directory.json", change(records)))


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short in the middle
        lambda text: text[:-1],  # no closing bracket
        lambda text: text + " x",  # extra data
        lambda text: text + "\n\n  ",  # white space after: fine
        lambda text: text.replace("}, {", "} {", 1),  # a comma missing (first record)
        lambda text: text.replace(
            f'}}, {{"reference": "{_MIDDLE}', f'}} {{"reference": "{_MIDDLE}'
        ),
        lambda text: "".join(text.rsplit("}, {", 1)),  # a comma missing (last records)
        lambda text: text.replace(f'"Ferme {_PLACES["middle"]} du', '"Ferme\x01du'),
        lambda text: "\n\n  " + text,  # white space before
    ],
    ids=[
        "cut",
        "no_end",
        "extra",
        "white_after",
        "comma_first",
        "comma_middle",
        "comma_last",
        "control",
        "white_before",
    ],
)
def test_a_broken_file_gives_the_same_error_and_place(
    tmp_path: Path, damage: Callable[[str], str], indent: int | None
) -> None:
    records: list[object] = [_record(n) for n in range(_COUNT)]
    path = tmp_path / "directory.json"
    path.write_text(damage(_document(records, indent)), encoding="utf-8")
    _same(path)


def test_the_error_place_counts_characters_not_bytes(tmp_path: Path) -> None:
    records: list[object] = [
        {**_record(n), "note": "é" * 1500} for n in range(_COUNT)
    ]  # two bytes a character
    text = _document(records)
    at = text.index('}, {"reference"', len(text) * 2 // 3) + 1  # after a record
    path = tmp_path / "directory.json"
    path.write_text(text[:at] + "!" + text[at:], encoding="utf-8")
    outcome = _same(path)
    assert isinstance(outcome, tuple) and outcome[0] == "error"
    assert f"colonne {at + 1})" in str(outcome[1]), outcome


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_a_byte_order_mark_or_windows_1252_reads_the_same(tmp_path: Path, encoding: str) -> None:
    records: list[object] = [_record(n) for n in range(_COUNT)]
    records[10] = {**_record(10), "operator": {"name": "Café Müller"}}
    path = tmp_path / "directory.json"
    path.write_text(_document(records), encoding=encoding)
    _same(path)
    broken = tmp_path / "broken.json"
    broken.write_text(_document(records)[:-1] + ",]", encoding=encoding)
    _same(broken)


def test_a_wrapped_list_reads_the_same(tmp_path: Path) -> None:
    records: list[object] = [_record(n) for n in range(_COUNT // 4)]
    path = tmp_path / "directory.json"
    path.write_text(json.dumps({"items": records, "total": len(records)}), encoding="utf-8")
    outcome = _same(path)
    assert isinstance(outcome, tuple) and len(outcome[0]) == len(records)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["nan", "lone_surrogate", "missing_comma"])
def test_an_import_in_a_process_says_what_the_standard_reader_says(
    tmp_path: Path, value: str
) -> None:
    """The whole command (a forked worker reading the file): the same rows imported, or
    the same one French line for a broken file."""
    records: list[object] = [_record(n) for n in range(_COUNT)]
    path = _write(tmp_path / "directory.json", _with(ODD_VALUES[value], "middle")(records))
    expected = _outcome(path, fast=False)
    done = subprocess.run(
        [sys.executable, "-m", "tracesguide", "operators", "import", str(path)],
        env={**os.environ, "COLUMNS": "400"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if isinstance(expected, tuple) and expected[0] == "error":
        assert done.returncode == 2, done.stderr
        assert str(expected[1]) in " ".join(done.stderr.split()), done.stderr
    else:
        assert done.returncode == 0, done.stderr
        directory = load_index()
        assert directory is not None
        assert list(directory) == expected[0]  # type: ignore[index]
