"""The parsed-content cache: used when fresh, ignored when stale or damaged."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tracesguide import content

SOURCE = Path(content.__file__).parent / "procedures" / "fr.toml"


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    target = tmp_path / "fr.toml"
    shutil.copy(SOURCE, target)
    return target


def cache_of(source: Path) -> Path:
    return source.parent / "__pycache__" / "fr.content.marshal"


def test_the_cache_is_written_then_used(copy: Path) -> None:
    first = content._document(copy)
    assert cache_of(copy).exists()
    assert content._document(copy) == first
    assert content.parse(first).steps == content.load("fr").steps


def test_a_damaged_cache_means_parsing_the_source(copy: Path) -> None:
    expected = content._document(copy)
    cache_of(copy).write_bytes(b"\x00not marshal")
    assert content._document(copy) == expected


def test_a_changed_source_is_parsed_again(copy: Path) -> None:
    content._document(copy)
    copy.write_text(copy.read_text() + "\n# a change\n[messages.extra_key]\n", encoding="utf-8")
    os.utime(copy, ns=(1, 1))
    with pytest.raises(content.ContentError):  # the stale cache is not used: the bad key is seen
        content.parse(content._document(copy))


def test_no_cache_when_python_may_not_write_bytecode(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    content._document(copy)
    assert not cache_of(copy).exists()
