"""Make untrusted text inert, and what it hides visible, before it reaches a terminal.

State files from someone else, operator directories and file names are untrusted.
rich's ``escape()``, ``Text()`` and ``markup=False`` stop rich markup but let terminal
escape sequences through, so handling them is ours:

- ANSI CSI/OSC/DCS sequences and C0/C1 control characters are removed;
- invisible characters are shown as a visible escape, ``⟨U+200B⟩``, so that
  ``Cam\\u200bille`` never reads as ``Camille`` and support sees what is there. One rule
  (``system/invisible.py``): Unicode's default-ignorable code points (zero-width space
  and joiners, BOM, bidi marks, the combining grapheme joiner U+034F, variation selectors,
  Hangul fillers, Khmer inherent vowels, Mongolian selectors, tags), every code point of
  category Cf, Co (private use) and Cn (unassigned), and the blank fillers U+2800 and
  U+16FE4;
- bytes that were not UTF-8 in a file name (kept by Python as surrogate escapes,
  U+DC80–U+DCFF) are shown as ``⟨0xE9⟩``; any other lone surrogate as ``⟨U+D800⟩``.

The HTML view uses :func:`visible` too, before escaping for HTML.
"""

import re
from functools import cache

from tracesguide.system.invisible import PRINTABLE, RANGES

# ESC followed by a CSI, OSC, DCS, SOS, PM or APC sequence, or any two-character escape.
_ESCAPE_SOURCE = r"""
    \x1b\[[0-?]*[ -/]*[@-~]                # CSI ... final byte
    | \x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)  # OSC / DCS / SOS / PM / APC ... terminator
    | \x1b[@-Z\\-_]                        # other two-character escapes (Fe)
    | \x1b.?                               # a lone ESC, with what follows it
    | [\x9b][0-?]*[ -/]*[@-~]              # 8-bit CSI
    | [\x9d\x90\x98\x9e\x9f].*?(?:\x07|\x9c|$)  # 8-bit OSC / DCS / SOS / PM / APC
    """
# Remaining C0 controls (but tab and newline), DEL, C1 controls.
_CONTROL_SOURCE = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
# The invisible code points (``system/invisible.py``, written by
# scripts/invisible_ranges.py: default-ignorable, Cf, Co, Cn, surrogates and the blank
# fillers); tests/test_faults_inputs walks the whole Unicode range against it.


def _character_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return (
        "["
        + "".join(
            f"\\U{low:08X}" if low == high else f"\\U{low:08X}-\\U{high:08X}"
            for low, high in ranges
        )
        + "]"
    )


_ONE_LINE = str.maketrans(dict.fromkeys("\t\n\u2028\u2029", " "))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    # compiled on first use: most commands never print untrusted text, and most of
    # what they print is printable (``_hidden_in_printable``)
    return (
        re.compile(_ESCAPE_SOURCE, re.VERBOSE | re.DOTALL),
        re.compile(_CONTROL_SOURCE),
        re.compile(_character_class(RANGES)),
    )


@cache
def _hidden_in_printable() -> re.Pattern[str]:
    # what a text that ``str.isprintable()`` accepts can still hide (U+034F, U+3164...):
    # a class of 11 ranges, compiled in microseconds where the whole rule takes ms
    return re.compile(_character_class(PRINTABLE))


def hidden_rule() -> re.Pattern[str]:
    """The pattern of one invisible code point (``system/invisible.py``'s rule)."""
    return _patterns()[2]


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that was not UTF-8
        return f"⟨0x{code - 0xDC00:02X}⟩"
    return f"⟨U+{code:04X}⟩"


def visible(text: str) -> str:
    """*text* with each invisible format character and surrogate as a visible escape."""
    return _patterns()[2].sub(_shown, text)


def hidden_characters(text: str) -> list[str]:
    """The visible escapes of the invisible characters and controls in *text*, in order."""
    _, control, hidden = _patterns()
    found = [_shown(m) for m in hidden.finditer(text)]
    found += [f"⟨U+{ord(m.group()[0]):04X}⟩" for m in control.finditer(text)]
    return found


def inert(text: str, *, single_line: bool = False) -> str:
    """Return *text* without escape sequences or control characters, invisible ones shown.

    With ``single_line``, tabs and newlines become spaces too (for table cells
    and one-line fields). The result is plain text: print it through
    ``rich.text.Text`` (never as markup) so that ``[bold]`` stays literal.
    """
    if text.isprintable():  # no control, escape, line break, Cf, Co, Cn or surrogate
        # printable ASCII hides nothing; other printable text may still hold a
        # default-ignorable code point of another category (U+034F, U+3164, U+2800...)
        return text if text.isascii() else _hidden_in_printable().sub(_shown, text)
    escape_sequence, control, hidden = _patterns()
    cleaned = control.sub("", escape_sequence.sub("", text))
    cleaned = hidden.sub(_shown, cleaned)
    if single_line:  # tab, newline and the Unicode line and paragraph separators
        cleaned = cleaned.translate(_ONE_LINE)
    return cleaned
