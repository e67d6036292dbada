"""The procedure as data: load a content file into typed, frozen objects.

A content file (``procedures/<lang>.toml``) holds the stages and the steps of the
procedure in one language. ``model`` holds the types, ``schema`` checks every key of a
file (``docs/content.md``); this module loads the packaged content, once per language.
"""

from functools import cache
from pathlib import Path
from typing import Any

from tracesguide.content import model
from tracesguide.content.model import *  # noqa: F403  (the model's names are the package's)
from tracesguide.i18n import t
from tracesguide.system import toml
from tracesguide.system.errors import ContentError

__all__ = [*model.__all__, "PROCEDURES", "load", "parse", "parse_text", "stamp"]

# The packaged content files and their fast forms (``content_build``).
PROCEDURES = Path(__file__).parent / "procedures"


def parse(data: dict[str, Any], name: str = "content") -> model.Content:
    """Build and check a ``Content`` from a parsed TOML document (``schema.parse``, loaded
    only here: the packaged content comes from its fast form without it)."""
    from tracesguide.content import schema

    return schema.parse(data, name)


def parse_text(text: str, name: str = "content") -> model.Content:
    return parse(_parse_toml(text, name), name)


def load(language: str | None = None) -> model.Content:
    """The packaged content for *language*, by default the language chosen for messages
    (``i18n.language()``); each is loaded once per process."""
    if language is None:
        from tracesguide.i18n import language as chosen

        language = chosen()
    return _load(language)


@cache
def _load(language: str) -> model.Content:
    if language not in model.LANGUAGES:
        raise ContentError(
            t("content.unknown_language", language=language),
            t("content.unknown_language_hint", languages=", ".join(model.LANGUAGES)),
        )
    # A plain path, not importlib.resources: the package is always installed as files,
    # and this saves the reading commands a few milliseconds of start-up.
    source = PROCEDURES / f"{language}.toml"
    data = source.read_bytes()
    fast = _fast_form(source, data)
    if fast is not None:
        return fast
    return parse(_parse_toml(data, source.name), source.name)


def _fast_form(source: Path, data: bytes) -> model.Content | None:
    """The content parsed at build time (``procedures/<language>.marshal``, made by
    ``content.build``), when it was made from exactly these TOML bytes by exactly this
    schema and model; else None. Only read here: nothing is written at run time."""
    import marshal

    from tracesguide.content import fastform

    try:
        made_from, table, data_form = marshal.loads(source.with_suffix(".marshal").read_bytes())
        if made_from == stamp(data):
            found = fastform.decode(table, data_form)
            if isinstance(found, model.Content):
                return found
    except Exception:  # missing, stale or damaged: parse the source
        pass
    return None


# What the fast form was made by, besides the TOML: a change to one of these files makes
# it stale, as a change to the TOML does.
_MAKERS = ("schema.py", "model.py", "fastform.py")


def stamp(data: bytes) -> list[int]:
    """What ties a fast form to its source: the size and CRC-32 of the TOML bytes, and
    the CRC-32 of the code that parsed them (``_MAKERS``)."""
    import zlib

    code = 0
    for name in _MAKERS:
        code = zlib.crc32((Path(__file__).parent / name).read_bytes(), code)
    return [len(data), zlib.crc32(data), code]


def _parse_toml(source: str | bytes, name: str) -> dict[str, Any]:
    """A content file's TOML (text, or bytes in UTF-8), or the one content error."""
    try:
        return toml.loads(source if isinstance(source, str) else source.decode("utf-8"))
    except (toml.TOMLDecodeError, UnicodeDecodeError) as error:
        from tracesguide.i18n.wording import toml_error

        raise ContentError(t("content.invalid_toml", name=name, error=toml_error(error))) from error
