"""The content's fast form: made at build time, read only when up to date, never written."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

import pytest

from tracesguide import content, i18n
from tracesguide.content import build as content_build
from tracesguide.content import fastform
from tracesguide.system.toml import loads

PROCEDURES = content.PROCEDURES
MESSAGES = content_build.MESSAGES


@pytest.mark.parametrize("language", content.LANGUAGES)
def test_the_committed_fast_form_is_up_to_date(language: str) -> None:
    source = PROCEDURES / f"{language}.toml"
    assert content_build.fast_form_path(source).read_bytes() == content_build.fast_form(source), (
        "run: python -m tracesguide.content.build"
    )


@pytest.mark.parametrize("language", content.LANGUAGES)
def test_the_fast_form_is_the_parsed_content(language: str) -> None:
    source = PROCEDURES / f"{language}.toml"
    data = source.read_bytes()
    fast = content._fast_form(source, data)
    assert fast is not None
    parsed = content.parse(loads(data.decode()), source.name)
    assert fast == parsed
    # a step is one object, in the steps and in ``by_id``, as ``parse`` makes it
    assert all(fast.by_id[step.id] is step for step in fast.steps)


@pytest.mark.parametrize("language", content.LANGUAGES)
def test_the_committed_catalog_fast_form_is_up_to_date(language: str) -> None:
    source = MESSAGES / f"{language}.toml"
    made_from, flat = marshal.loads(source.with_suffix(".marshal").read_bytes())
    data = source.read_bytes()
    assert made_from == i18n.catalog_stamp(data), "run: python -m tracesguide.content.build"
    assert flat == i18n.flat_catalog(data, source.name)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in ("fr.toml", "fr.marshal"):
        shutil.copy(PROCEDURES / name, tmp_path / name)
    return tmp_path / "fr.toml"


def test_a_damaged_fast_form_is_not_used(copy: Path) -> None:
    data = copy.read_bytes()
    assert content._fast_form(copy, data) is not None
    fast = copy.with_suffix(".marshal")
    good = fast.read_bytes()
    for damaged in (b"\x00not marshal", good[: len(good) // 2], marshal.dumps([1, 2, 3])):
        fast.write_bytes(damaged)
        assert content._fast_form(copy, data) is None


def test_a_form_of_other_classes_is_not_used(copy: Path) -> None:
    made_from, table, form = marshal.loads(copy.with_suffix(".marshal").read_bytes())
    name, fields = table[0]
    table[0] = (name, (*fields, "added"))  # the model has changed since it was made
    copy.with_suffix(".marshal").write_bytes(marshal.dumps([made_from, table, form]))
    assert content._fast_form(copy, copy.read_bytes()) is None


def test_a_changed_source_is_parsed_again(copy: Path) -> None:
    data = copy.read_bytes() + b"\n[extra_key]\n"
    assert content._fast_form(copy, data) is None  # stale: the source has changed


def test_changed_parsing_code_makes_the_form_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (PROCEDURES / "fr.toml").read_bytes()
    before = content.stamp(data)
    monkeypatch.setattr(content, "_MAKERS", ("schema.py", "model.py"))
    assert content.stamp(data) != before


def test_the_fast_form_encodes_only_what_marshal_holds() -> None:
    with pytest.raises(TypeError, match="set"):
        fastform.encode(content.Field(label="x", value={"a"}))  # type: ignore[arg-type]


def test_a_catalog_with_a_stale_fast_form_is_read_from_its_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = tmp_path / "i18n" / "messages"
    messages.mkdir(parents=True)
    (messages / "fr.toml").write_text('[a]\nb = "nouveau"\n', encoding="utf-8")
    (messages / "fr.marshal").write_bytes(marshal.dumps([[1, 2], {"a.b": "ancien"}]))
    monkeypatch.setattr(i18n, "__file__", str(tmp_path / "i18n" / "__init__.py"))
    i18n.catalog.cache_clear()
    try:
        assert i18n.catalog("fr") == {"a.b": "nouveau"}
    finally:
        i18n.catalog.cache_clear()


def test_loading_writes_nothing_beside_the_content(copy: Path) -> None:
    before = sorted(p.name for p in copy.parent.rglob("*"))
    content._fast_form(copy, copy.read_bytes())
    copy.with_suffix(".marshal").unlink()
    content._fast_form(copy, copy.read_bytes())
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
