"""Write src/tracesguide/system/invisible.py: the code points tracesguide shows as
``⟨U+200B⟩`` (their hex code) instead of printing them, one rule for the terminal, the
HTML pages and the validators.

The rule: Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, a stable
list, written out below), every code point of category Cf (format), Co (private use),
Cn (unassigned, noncharacters included) and Cs (surrogates), plus the blank-looking
fillers that are none of these (the Braille blank U+2800, the Khitan filler U+16FE4).
Categories come from this Python's ``unicodedata``; ``tests/test_faults_inputs.py``
fails when the written module and this rule disagree. Run it after a Python upgrade:
``python scripts/invisible_ranges.py``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src/tracesguide/system/invisible.py"
# DerivedCoreProperties.txt, Default_Ignorable_Code_Point (unchanged since Unicode 6.0 but
# for U+180F, added in 14.0).
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)  # fmt: skip
FILLERS = (0x2800, 0x16FE4)
CATEGORIES = frozenset({"Cf", "Co", "Cn", "Cs"})


def in_rule(code: int) -> bool:
    return (
        unicodedata.category(chr(code)) in CATEGORIES
        or code in FILLERS
        or any(low <= code <= high for low, high in DEFAULT_IGNORABLE)
    )


def ranges(*, printable: bool = False) -> list[tuple[int, int]]:
    """The rule's code points as ranges; with *printable*, only those ``str.isprintable``
    lets through (the few that a printable text can still hide: U+034F, U+3164...)."""
    found: list[tuple[int, int]] = []
    for code in range(0x110000):
        if in_rule(code) and (not printable or chr(code).isprintable()):
            if found and found[-1][1] == code - 1:
                found[-1] = (found[-1][0], code)
            else:
                found.append((code, code))
    return found


def render() -> str:
    rows = [f"    (0x{low:04X}, 0x{high:04X}),\n" for low, high in ranges()]
    printable = [f"    (0x{low:04X}, 0x{high:04X}),\n" for low, high in ranges(printable=True)]
    return (
        '"""The code points shown as ``⟨U+200B⟩`` (their hex code), never printed (written by\n'
        "scripts/invisible_ranges.py, which says the rule: default-ignorable, Cf, Co, Cn,\n"
        'Cs and blank fillers). Do not edit by hand."""\n\n'
        f'UNICODE_VERSION = "{unicodedata.unidata_version}"\n'
        "RANGES: tuple[tuple[int, int], ...] = (\n" + "".join(rows) + ")\n"
        "# the part of RANGES that str.isprintable() accepts: all a printable text can hide\n"
        "PRINTABLE: tuple[tuple[int, int], ...] = (\n" + "".join(printable) + ")\n"
    )


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(TARGET)
