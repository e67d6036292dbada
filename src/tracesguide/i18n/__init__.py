"""The message catalog: every sentence a user reads, one TOML file per language.

Code never holds a user-facing sentence: it asks for a key, ``t("wizard.complete")``,
with named values to fill in, ``t("state.unreadable", path=path)``. The catalog lives
beside the procedure (``messages/<language>.toml``), one table per area; a key is the
table and the name joined by a dot. ``tests/test_messages.py`` fails when code asks for
a key the catalog lacks, or when the catalog keeps a key that no code asks for.

Keys are always literal strings at the call site, so that the test can find them; a
key chosen at run time comes from a literal mapping (``{"done": "status.done"}``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
# The locale variables, in the order POSIX reads them for messages.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_language = DEFAULT_LANGUAGE
_chosen = False  # --lang was given: a state file's language does not override it


def set_language(language: str, *, chosen: bool = False) -> None:
    """Choose the language of every later message (the CLI does it once, early).

    With *chosen* (the user's ``--lang``), ``follow`` will not change it.
    """
    global _language, _chosen
    if language not in LANGUAGES:
        raise ValueError(language)
    _language = language
    _chosen = _chosen or chosen


def follow(language: str) -> None:
    """Use a state file's language, unless the user chose one with ``--lang``."""
    if not _chosen and language in LANGUAGES:
        set_language(language)


def chosen() -> bool:
    """True if the user chose the language with ``--lang``."""
    return _chosen


def language() -> str:
    return _language


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), when
    it is one we have; French otherwise (``C``, ``POSIX``, unset, or another language)."""
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            code = value.split(".")[0].split("_")[0].split("@")[0].lower()
            return code if code in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


@cache
def catalog(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The flat catalog of *language*: ``{"area.name": "text"}``, from its fast form
    (``messages/<language>.marshal``, made at build time by ``content.build``) when that
    was made from exactly the TOML beside it, else from the TOML."""
    import marshal

    source = Path(__file__).parent / "messages" / f"{language}.toml"
    data = source.read_bytes()
    try:
        made_from, flat = marshal.loads(source.with_suffix(".marshal").read_bytes())
        if made_from == catalog_stamp(data) and type(flat) is dict:
            return flat
    except Exception:  # missing, stale or damaged: parse the source
        pass
    return flat_catalog(data, source.name)


def catalog_stamp(data: bytes) -> list[int]:
    """What ties a catalog's fast form to its TOML: their size and CRC-32."""
    import zlib

    return [len(data), zlib.crc32(data)]


def flat_catalog(data: bytes, name: str) -> dict[str, str]:
    """The catalog TOML *data* as ``{"area.name": "text"}``."""
    from tomli import loads  # the parser of tracesguide.system.toml, for the catalog

    document = loads(data.decode("utf-8"))
    flat: dict[str, str] = {}
    for area, table in document.items():
        if not isinstance(table, dict):
            raise TypeError(f"{name}: [{area}] must be a table")
        for key, text in table.items():
            if not isinstance(text, str):
                raise TypeError(f"{name}: {area}.{key} must be a string")
            flat[f"{area}.{key}"] = text
    return flat


# A plural in a catalog text: ``{count|étape|étapes}`` is the word for the number *count*.
_PLURAL = re.compile(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}")


def plural(language: str, number: Any, one: str, other: str) -> str:
    """The form for *number*: French takes the singular for 0 and 1, English for 1 only
    (the CLDR plural rules of these languages for whole numbers)."""
    try:
        count = abs(int(number))
    except (TypeError, ValueError):
        return other
    singular = count <= 1 if language == "fr" else count == 1
    return one if singular else other


def t(key: str, /, **values: Any) -> str:
    """The sentence *key* in the current language, with *values* filled in."""
    text = catalog(_language)[key]
    if "{program}" in text and "program" not in values:  # a command the user can type
        from tracesguide.i18n.program import program

        values = {**values, "program": program()}
    if "|" in text:
        text = _PLURAL.sub(lambda m: plural(_language, values.get(m[1]), m[2], m[3]), text)
    return text.format(**values) if values else text
