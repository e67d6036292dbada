"""The one TOML reader of the whole tool: TOML 1.1.0.

Content, state files, answers files and operator files are all parsed by ``loads``
below, so a file means the same thing wherever it is read (``docs/state-file.md`` says
which TOML version is accepted).

Two libraries, one dialect:

- **toml_rs** (Rust's ``toml`` crate, TOML 1.1.0) reads the text: about twice as fast as
  tomli on state files, which ``check`` over thousands of files feels;
- **tomli** (>= 2.4, the library the standard ``tomllib`` was taken from) is the judge:
  a text toml_rs does not read cleanly goes to tomli, whose verdict stands, and whose
  error (translated by ``i18n.wording``) is the one shown. tomli refuses a byte-order
  mark that toml_rs skips, so such a text goes to tomli directly.

toml_rs recurses on the C stack without a limit: a hostile file nested a few thousand
levels deep (``a = [[[[…``) crashes the process (a segmentation fault at ~3 000 levels
with the usual 8 MiB stack, ~400 with 1 MiB). A level takes at least one ``[`` or ``{``,
so a text with at most :data:`FAST_BRACKETS` of them is nested no deeper than that, which
is safe down to a stack of under 1 MiB; a text with more goes to tomli, which stops deep
nesting with a ``RecursionError``. A state file written by the tool holds a few dozen.
toml_rs also reads integers past Python's limit on digits (4 300, ``sys.int_info``), which
tomli refuses with a ``ValueError``: a text with such a run of digits goes to tomli too.

``tests/test_toml.py`` proves the pair reads every text as tomli alone does (the same
document, or tomli's error) on generated, mutated and toml-test corpus files. There is
deliberately no fallback to ``tomllib``: on Python < 3.15 it reads TOML 1.0, another
dialect. tomli is imported only when a text needs it (an error to show).
"""

import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tomli import TOMLDecodeError

__all__ = ["FAST_BRACKETS", "TOMLDecodeError", "loads", "toml_rs_reads"]

# At most this many "[" and "{" for toml_rs to read a text (see above).
FAST_BRACKETS = 512


def toml_rs_reads(text: str) -> bool:
    """Whether *text* is given to toml_rs first (else tomli alone reads it): no byte-order
    mark, at most :data:`FAST_BRACKETS` brackets, no run of digits past Python's limit."""
    if text.startswith("\ufeff") or text.count("[") + text.count("{") > FAST_BRACKETS:
        return False
    digits = sys.get_int_max_str_digits()
    return not digits or len(text) <= digits or not re.search(f"[0-9_]{{{digits + 1}}}", text)


def loads(text: str) -> dict[str, Any]:
    """The document of a TOML 1.1 *text*; tomli's ``TOMLDecodeError`` when it is not TOML."""
    if toml_rs_reads(text):
        import toml_rs  # here: a command that reads no TOML file does not load it

        try:
            return toml_rs.loads(text)
        except MemoryError:
            raise
        except Exception:  # any refusal or failure: tomli judges the text
            pass
    import tomli

    return tomli.loads(text)


def __getattr__(name: str) -> Any:
    # ``except toml.TOMLDecodeError`` looks the class up only once an error is raised.
    if name == "TOMLDecodeError":
        from tomli import TOMLDecodeError

        return TOMLDecodeError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
