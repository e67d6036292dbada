"""Code and catalog name the same keys: no missing message, no dead one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tracesguide import i18n

SRC = Path(i18n.__file__).parents[1]  # the whole package


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


# --- no French sentence in the code ---------------------------------------------------------

# A string is French text when it has two words or more and an accented letter, « », or a
# common French word. The HTML page's template is markup.
_ACCENTED = re.compile(r"[àâäçéèêëîïôöùûüœ«»]", re.IGNORECASE)
_FRENCH_WORDS = re.compile(
    r"\b(le|la|les|de|du|des|est|une?|pour|vous|votre|vos|pas|et|ou|avec|sans|dans|sur|"
    r"aucune?|ce|cette|il|elle|si|ne)\b",
    re.IGNORECASE,
)
# Modules whose words other parts of the project move to the catalog (issue 8): each is
# taken off this list when its strings are in the catalog.
NOT_YET_IN_THE_CATALOG = {
    # data, not sentences: country names and small words in several languages
    "operators/normalize.py",
}


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """Docstrings: developer documentation, in English. Help texts are catalog keys."""
    exempt: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                exempt.add(id(first.value))
    return exempt


def french_strings() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name in NOT_YET_IN_THE_CATALOG:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        exempt = _exempt_nodes(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value
            if id(node) in exempt or text.startswith("<!DOCTYPE") or len(text.split()) < 2:
                continue
            if _ACCENTED.search(text) or _FRENCH_WORDS.search(text):
                found.append(f"{name}:{node.lineno}: {text[:60]!r}")
    return found


def test_no_french_sentence_in_the_code() -> None:
    found = french_strings()
    assert not found, "put these in messages/fr.toml and use t(...):\n" + "\n".join(found)


def test_the_french_scan_finds_french() -> None:
    assert _ACCENTED.search("Étape suivante") and _FRENCH_WORDS.search("Reprenez avec la commande")


# --- the machine-facing commands start without the catalog ----------------------------------


def test_status_and_check_in_json_do_not_read_the_catalog(tmp_path: Path) -> None:
    import subprocess
    import sys

    from helpers import write_state

    state = tmp_path / "state.toml"
    write_state(state)
    for args in (["status", "--json", "--state", str(state)], ["check", "--json", str(state)]):
        script = (
            "import sys\nfrom tracesguide import cli, i18n\n"
            f"sys.argv = ['tracesguide', *{args!r}]\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "print('READ', i18n.catalog.cache_info().currsize, file=sys.stderr)\n"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert "READ 0" in done.stderr, (args, done.stderr)


def test_plural_forms_follow_each_language() -> None:
    from tracesguide.i18n import plural

    assert [plural("fr", n, "étape", "étapes") for n in (0, 1, 2, 6)] == [
        "étape",
        "étape",
        "étapes",
        "étapes",
    ]
    assert [plural("en", n, "step", "steps") for n in (0, 1, 2)] == ["steps", "step", "steps"]


def test_a_catalog_plural_is_chosen_by_its_number() -> None:
    from tracesguide.i18n import follow, t

    follow("fr")
    assert t("wizard.stage_done", stage="Compte EU Login", count=1).strip() == (
        "✔ Compte EU Login (1 étape)"
    )
    assert "(6 étapes)" in t("wizard.stage_done", stage="Compte EU Login", count=6)
    assert t("screens.days", days=1, hours=3) == "1 jour et 3 heures"
    follow("en")
    try:
        assert t("screens.minutes", minutes=1) == "1 minute"
        assert t("screens.hours", hours=2) == "2 hours"
    finally:
        follow("fr")


def test_no_catalog_text_writes_a_plural_as_word_s() -> None:
    """« étape(s) », « day(s) »: a plural is chosen by its number ({n|one|other})."""
    import re

    from tracesguide.i18n import LANGUAGES, catalog

    for language in LANGUAGES:
        for key, text in catalog(language).items():
            assert not re.search(r"\w\(s\)", text.replace("http(s)", "")), (language, key)
