"""The content's fast form: made at build time, read only when up to date, never written."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

import pytest

from tracesguide import content
from tracesguide.content import build as content_build
from tracesguide.system.toml import loads

PROCEDURES = content.PROCEDURES


@pytest.mark.parametrize("language", content.LANGUAGES)
def test_the_committed_fast_form_is_up_to_date(language: str) -> None:
    source = PROCEDURES / f"{language}.toml"
    stamp, document = marshal.loads(content_build.fast_form_path(source).read_bytes())
    data = source.read_bytes()
    assert stamp == content_build.stamp(data) and document == loads(data.decode()), (
        "run: python -m tracesguide.content.build"
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in ("fr.toml", "fr.marshal"):
        shutil.copy(PROCEDURES / name, tmp_path / name)
    return tmp_path / "fr.toml"


def test_the_fast_form_gives_the_same_content(copy: Path) -> None:
    fast = content._document(copy)
    copy.with_suffix(".marshal").unlink()
    assert fast == content._document(copy)
    assert content.parse(fast).steps == content.load("fr").steps


def test_a_damaged_fast_form_means_parsing_the_source(copy: Path) -> None:
    expected = content._document(copy)
    copy.with_suffix(".marshal").write_bytes(b"\x00not marshal")
    assert content._document(copy) == expected


def test_a_changed_source_is_parsed_again(copy: Path) -> None:
    copy.write_text(copy.read_text() + "\n[extra_key]\n", encoding="utf-8")
    with pytest.raises(content.ContentError):  # the stale fast form is not used: the key is seen
        content.parse(content._document(copy))


def test_loading_writes_nothing_beside_the_content(copy: Path) -> None:
    before = sorted(p.name for p in copy.parent.rglob("*"))
    content._document(copy)
    copy.with_suffix(".marshal").unlink()
    content._document(copy)
    assert sorted(p.name for p in copy.parent.rglob("*")) == [
        n for n in before if n != "fr.marshal"
    ]


def test_loading_the_packaged_content_writes_nothing_into_the_package() -> None:
    package = PROCEDURES.parent

    def listing() -> list[tuple[str, int]]:
        return sorted((str(p), p.stat().st_mtime_ns) for p in package.rglob("*") if p.is_file())

    before = listing()
    content._load.cache_clear()
    content.load("fr")
    assert listing() == before
