"""Any TOML value type at any place of a content file: the content error, never a crash."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from tracesguide import content
from tracesguide.content import parse
from tracesguide.system.errors import ContentError
from tracesguide.system.toml import loads

DOCUMENT = loads((content.PROCEDURES / "fr.toml").read_text("utf-8"))
# One value of every type TOML has (an array of tables is a list of dicts).
VALUES: dict[str, Any] = {
    "string": "x",
    "empty string": "",
    "integer": 7,
    "float": 1.5,
    "boolean": True,
    "offset date-time": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    "local date-time": datetime(2026, 1, 2, 3, 4, 5),
    "local date": date(2026, 1, 2),
    "local time": time(3, 4, 5),
    "array": [1, "x"],
    "empty array": [],
    "table": {"x": 1},
    "array of tables": [{"x": 1}],
}
Path = tuple[str | int, ...]


def places(value: Any, path: Path = ()) -> Iterator[tuple[str, Path]]:
    """Each kind of place once (``steps[].screen.fields[].label``), with its first path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from places(item, (*path, index))
    if path:
        yield ".".join("[]" if isinstance(p, int) else p for p in path), path


def first_paths() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for pattern, path in places(DOCUMENT):
        found.setdefault(pattern, path)
    return found


PLACES = first_paths()


def replaced(path: Path, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    target: Any = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return document


def test_every_kind_of_place_is_reached() -> None:
    for pattern in ("steps.[].screen.fields.[].label", "steps.[].message.body", "steps.[].when"):
        assert pattern in PLACES
    assert len(PLACES) > 50


@pytest.mark.parametrize("pattern", sorted(PLACES))
def test_any_type_at_any_place_is_a_content_error(pattern: str) -> None:
    path = PLACES[pattern]
    for name, value in VALUES.items():
        try:
            parse(replaced(path, copy.deepcopy(value)))
        except ContentError as error:
            assert error.message, (pattern, name)
        # else: a value of the expected type (a string where a string goes) is accepted


@pytest.mark.parametrize("name", sorted(VALUES))
def test_any_type_as_a_whole_table_is_a_content_error(name: str) -> None:
    for key in ("sources", "stages", "steps"):
        with pytest.raises(ContentError):
            parse({**DOCUMENT, key: copy.deepcopy(VALUES[name])})
