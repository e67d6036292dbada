"""One rule for invisible characters: the terminal, the HTML pages and the validators
show or refuse the same code points, walked over the whole Unicode range."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import FAULT_COUNTS
from tracesguide.state import validate
from tracesguide.system import invisible
from tracesguide.system.sanitize import hidden_characters, hidden_rule, inert
from tracesguide.views.html import visible as html_visible

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
import invisible_ranges

# C0 and C1 controls and DEL are removed (not shown): walked apart from the rest.
CONTROLS = {*range(0x00, 0x20), *range(0x7F, 0xA0)}
NAMED = {
    0x034F: "COMBINING GRAPHEME JOINER",
    0x115F: "HANGUL CHOSEONG FILLER",
    0x1160: "HANGUL JUNGSEONG FILLER",
    0x3164: "HANGUL FILLER",
    0xFFA0: "HALFWIDTH HANGUL FILLER",
    0xFE0F: "VARIATION SELECTOR-16",
    0xE0100: "VARIATION SELECTOR-17",
    0x2800: "BRAILLE PATTERN BLANK",
    0x17B4: "KHMER VOWEL INHERENT AQ",
    0x180B: "MONGOLIAN FREE VARIATION SELECTOR ONE",
}


def shown(code: int) -> str:
    if 0xDC80 <= code <= 0xDCFF:
        return f"⟨0x{code - 0xDC00:02X}⟩"
    return f"⟨U+{code:04X}⟩"


def test_the_written_rule_is_the_rule() -> None:
    if unicodedata.unidata_version != invisible.UNICODE_VERSION:
        # a newer Python: characters assigned since stay hidden, which is only stricter
        pytest.skip(f"rule written for Unicode {invisible.UNICODE_VERSION}")
    assert list(invisible.RANGES) == invisible_ranges.ranges()
    assert list(invisible.PRINTABLE) == invisible_ranges.ranges(printable=True)


def test_a_printable_text_hides_nothing_the_rule_shows() -> None:
    # inert's fast path (a printable text) looks only for the rule's printable part:
    # each printable code point, alone among letters, comes out as the rule says
    walked = 0
    for code in range(0x80, 0x110000):
        char = chr(code)
        if not char.isprintable():
            continue
        expected = f"é{shown(code)}b" if invisible_ranges.in_rule(code) else f"é{char}b"
        assert inert(f"é{char}b") == expected, hex(code)
        walked += 1
    assert walked > 100_000


def test_the_whole_unicode_range_terminal_and_html_agree() -> None:
    rule = hidden_rule()
    walked = hidden = 0
    for start in range(0, 0x110000, 0x1000):
        codes = [c for c in range(start, start + 0x1000) if c not in CONTROLS]
        # a space between the code points: no two of them combine into one escape
        text = " ".join(map(chr, codes))
        expected = " ".join(shown(c) if invisible_ranges.in_rule(c) else chr(c) for c in codes)
        assert inert(text) == expected
        assert inert(text, single_line=True) == expected.replace("\u2028", " ").replace(
            "\u2029", " "
        )
        assert html_visible(text, single_line=False) == expected
        for code in codes:
            assert bool(rule.fullmatch(chr(code))) == invisible_ranges.in_rule(code)
        hidden += sum(map(invisible_ranges.in_rule, codes))
        walked += len(codes)
    for code in CONTROLS - {0x09, 0x0A, 0x1B, 0x9B, 0x9D, 0x90, 0x98, 0x9E, 0x9F}:
        assert inert(f"a{chr(code)}b") == "ab"
        assert html_visible(f"a{chr(code)}b") == "ab"
    assert walked + len(CONTROLS) == 0x110000
    FAULT_COUNTS["invisible, code points walked (terminal = HTML)"] = walked + len(CONTROLS)
    FAULT_COUNTS["invisible, code points in the rule"] = hidden


@pytest.mark.parametrize("code", sorted(NAMED))
def test_the_fillers_of_the_issue_are_shown_and_refused(code: int) -> None:
    char = chr(code)
    if code in (0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800):
        assert unicodedata.name(char) == NAMED[code]
    assert inert(f"Cam{char}ille") == f"Cam{shown(code)}ille"
    assert html_visible(f"Cam{char}ille") == f"Cam{shown(code)}ille"
    assert hidden_characters(f"Cam{char}ille") == [shown(code)]
    for check in (validate.name, validate.stored_text):
        with pytest.raises(validate.Invalid, match="invisible"):
            check(f"Cam{char}ille")
    with pytest.raises(validate.Invalid, match="invisible"):
        validate.email(f"cam{char}ille@exemple.fr")
    FAULT_COUNTS["invisible, fillers x terminal, HTML, validators"] = (
        FAULT_COUNTS.get("invisible, fillers x terminal, HTML, validators", 0) + 1
    )


def test_the_issue_examples() -> None:
    with pytest.raises(validate.Invalid, match="U\\+034F"):
        validate.email("cam\u034fille@exemple.fr")
    with pytest.raises(validate.Invalid, match="U\\+3164"):
        validate.name("\u3164")
    assert validate.name("Élodie Dupont-Durand") == "Élodie Dupont-Durand"
    assert inert("café\u202f:") == "café\u202f:"  # French typography's spaces stay
