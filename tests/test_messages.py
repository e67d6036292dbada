"""Code and catalog name the same keys: no missing message, no dead one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tracesguide import i18n

SRC = Path(i18n.__file__).parent


def keys_used_in_code() -> dict[str, str]:
    """Every literal key passed to ``t(...)`` in the package, with where it is."""
    used: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                used.setdefault(node.args[0].value, f"{path.name}:{node.lineno}")
    return used


def keys_used_as_literals() -> set[str]:
    """Keys kept in literal mappings (chosen at run time): any string naming a key."""
    found: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_key_the_code_asks_for_is_in_the_catalog(language: str) -> None:
    known = i18n.catalog(language)
    missing = {k: where for k, where in keys_used_in_code().items() if k not in known}
    assert not missing, f"keys missing from messages/{language}.toml: {missing}"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_no_catalog_key_is_dead(language: str) -> None:
    literals = keys_used_as_literals()
    dead = sorted(k for k in i18n.catalog(language) if k not in literals)
    assert not dead, f"keys no code uses in messages/{language}.toml: {dead}"


def test_languages_have_the_same_keys() -> None:
    reference = set(i18n.catalog(i18n.DEFAULT_LANGUAGE))
    for language in i18n.LANGUAGES:
        assert set(i18n.catalog(language)) == reference, language


def test_values_are_filled_in() -> None:
    assert i18n.t("cli.version", version="1.2.3") == "tracesguide 1.2.3"
