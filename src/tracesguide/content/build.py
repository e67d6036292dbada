"""Build the fast form of the packaged content, once, at build time: never at run time.

Parsing the French content costs a few milliseconds, a tenth of the reading commands'
budget over ``import typer``; reading the same document from ``marshal`` costs a tenth
of a millisecond. ``python -m tracesguide.content.build`` writes, beside each
``procedures/<language>.toml``, ``procedures/<language>.marshal``: the parsed document
with the size and CRC-32 of the TOML it was made from (marshal format 4, which every
Python 3 since 3.4 reads). It is committed and installed as package data, so nothing is
written into the installed package and ``pip uninstall`` removes it with the rest.
``content.load`` uses it only when it was made from exactly the TOML beside it, and
parses the TOML otherwise; ``tests/test_content_fast_form.py`` fails when it is stale.
"""

from __future__ import annotations

import marshal
import sys
from pathlib import Path

from tracesguide import i18n
from tracesguide.content import PROCEDURES, parse_text, stamp
from tracesguide.i18n import catalog_stamp, flat_catalog

MARSHAL_VERSION = 4
MESSAGES = Path(i18n.__file__).parent / "messages"


def fast_form_path(source: Path) -> Path:
    return source.with_suffix(".marshal")


def fast_form(source: Path) -> bytes:
    """The fast form of the content file *source*: the ``Content`` that ``parse`` makes
    of it, as ``content.fastform`` writes it, with the stamp of the TOML and the code."""
    from tracesguide.content import fastform

    data = source.read_bytes()
    table, form = fastform.encode(parse_text(data.decode("utf-8"), source.name))
    return marshal.dumps([stamp(data), table, form], MARSHAL_VERSION)


def catalog_fast_form(source: Path) -> bytes:
    """The fast form of the message catalog *source*: its flat ``{key: text}``."""
    data = source.read_bytes()
    return marshal.dumps([catalog_stamp(data), flat_catalog(data, source.name)], MARSHAL_VERSION)


def main() -> None:
    for source in sorted(PROCEDURES.glob("*.toml")):
        target = fast_form_path(source)
        target.write_bytes(fast_form(source))
        print(target, file=sys.stderr)
    for source in sorted(MESSAGES.glob("*.toml")):
        target = fast_form_path(source)
        target.write_bytes(catalog_fast_form(source))
        print(target, file=sys.stderr)


if __name__ == "__main__":
    main()
