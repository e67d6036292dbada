"""French typography that survives wrapping.

French puts a space inside « » and before : ; ! ?. Where a line breaks at that space,
a line starts with « : » or ends with « — which rich's wrapping does, as it breaks at
any Unicode space, the non-breaking ones included. ``keep_french_spaces`` gives rich
the French rule, once, before anything is printed: a space before : ; ! ? or », after
«, and any non-breaking space (U+00A0, U+202F) is never a line break. It applies to
every text rich renders (the message catalog, the procedure, the user's answers) and
leaves the characters themselves alone: a command to copy, JSON and files keep plain
spaces.

``french_spaces`` writes the non-breaking spaces into a text, for renderers that are
not rich (an HTML page wraps where it likes).
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
# A space (or several) before a high sign ending a word, or after an opening guillemet.
# (Written with escapes: \u00ab and \u00bb are the guillemets, \x20 the space.)
_BEFORE = re.compile(r"[\x20\t]+(?=[:;!?](?:\s|$|[\u00bb).,])|\u00bb)")
_AFTER = re.compile(r"(?<=\u00ab)[\x20\t]+")
# rich's word (rich._wrap.re_word is ``\s*\S+\s*``), where the French spaces and the
# non-breaking ones are inside the word rather than between two words.
FRENCH_WORD = re.compile(
    r"\s*(?:[^\s\u00a0\u202f]|[\u00a0\u202f]"
    r"|(?<=\u00ab)[\x20\t]+|[\x20\t]+(?=[:;!?](?:\s|$|[\u00bb).,])|\u00bb))+"
    r"[^\S\u00a0\u202f]*"
)


def french_spaces(text: str) -> str:
    """*text* with non-breaking spaces inside « » and before : ; ! ?."""
    if not any(sign in text for sign in ":;!?«»"):
        return text
    return _AFTER.sub(NBSP, _BEFORE.sub(NBSP, text))


def keep_french_spaces() -> None:
    """Make rich never break a line at a French space (once, before printing)."""
    from rich import _wrap

    _wrap.re_word = FRENCH_WORD
