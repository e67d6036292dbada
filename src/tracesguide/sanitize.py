"""Make untrusted text inert before it reaches a terminal.

State files from someone else and operator directories are untrusted. rich's
``escape()``, ``Text()`` and ``markup=False`` stop rich markup but let terminal
escape sequences through, so stripping them is ours: ANSI CSI/OSC/DCS sequences,
C0 and C1 control characters, and bidirectional overrides (U+202A–U+202E,
U+2066–U+2069) that can make text read differently from what it is.
"""

import re
from functools import cache

# ESC followed by a CSI, OSC, DCS, SOS, PM or APC sequence, or any two-character escape.
_ESCAPE_SOURCE = r"""
    \x1b\[[0-?]*[ -/]*[@-~]                # CSI ... final byte
    | \x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)  # OSC / DCS / SOS / PM / APC ... terminator
    | \x1b[@-Z\\-_]                        # other two-character escapes (Fe)
    | \x1b.?                               # a lone ESC, with what follows it
    | [\x9b][0-?]*[ -/]*[@-~]              # 8-bit CSI
    | [\x9d\x90\x98\x9e\x9f].*?(?:\x07|\x9c|$)  # 8-bit OSC / DCS / SOS / PM / APC
    """
# Remaining C0 controls (but tab and newline), DEL, C1 controls, bidi controls.
_CONTROL_SOURCE = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"


_ONE_LINE = str.maketrans(dict.fromkeys("\t\n\u2028\u2029", " "))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    # compiled on first use: most commands never print untrusted text
    return re.compile(_ESCAPE_SOURCE, re.VERBOSE | re.DOTALL), re.compile(_CONTROL_SOURCE)


def inert(text: str, *, single_line: bool = False) -> str:
    """Return *text* without escape sequences, control or bidi characters.

    With ``single_line``, tabs and newlines become spaces too (for table cells
    and one-line fields). The result is plain text: print it through
    ``rich.text.Text`` (never as markup) so that ``[bold]`` stays literal.
    """
    escape_sequence, control = _patterns()
    cleaned = control.sub("", escape_sequence.sub("", text))
    if single_line:  # tab, newline and the Unicode line and paragraph separators
        cleaned = cleaned.translate(_ONE_LINE)
    return cleaned
