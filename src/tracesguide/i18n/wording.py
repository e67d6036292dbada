"""French for what libraries say in English, and the house style of dates.

- ``email_reason``: why email-validator refused an address, in French;
- ``toml_error``: where and why a TOML file does not parse, in French;
- ``moment``: the one date format people read (JSON keeps ISO 8601).

Each returns text for the user; none prints.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tomli import TOMLDecodeError

# email-validator's messages (2.x), from the most precise to the most general: the
# first pattern found in the message names the French sentence. Unknown: a generic one.
_EMAIL_REASONS = (
    ("must have an @-sign", "email.missing_at"),
    ("something before the @-sign", "email.nothing_before"),
    ("something after the @-sign", "email.nothing_after"),
    ("small commercial at", "email.missing_at"),
    ("It should have a period", "email.domain_without_period"),
    ("top-level domain", "email.bad_top_level_domain"),
    ("special-use or reserved", "email.reserved_domain"),
    ("two periods in a row", "email.two_periods"),
    ("cannot start with", "email.bad_start"),
    ("immediately before the @-sign", "email.bad_before_at"),
    ("immediately after the @-sign", "email.bad_after_at"),
    ("cannot end with", "email.bad_end"),
    ("period and a hyphen", "email.period_and_hyphen"),
    ("two dashes", "email.two_dashes"),
    ("too long", "email.too_long"),
    ("so many characters", "email.too_long"),
    ("Internationalized characters before", "email.accents_before_at"),
    ("characters before the @-sign", "email.bad_characters_before_at"),
    ("after the @-sign contains", "email.bad_characters_after_at"),
    ("after the @-sign", "email.bad_domain"),
    ("display name", "email.display_name"),
    ("angle bracket", "email.display_name"),
    ("anything after the email address", "email.display_name"),
    ("Quoting", "email.quoted"),
    ("quote", "email.quoted"),
    ("unsafe characters", "email.bad_characters"),
    ("invalid character", "email.bad_characters"),
    ("not valid ASCII", "email.bad_characters"),
    ("does not exist", "email.domain_unknown"),
    ("does not accept email", "email.domain_refuses_mail"),
    ("does not send email", "email.domain_refuses_mail"),
)


def email_reason(error: Exception | str) -> str:
    """Why email-validator refused an address, as one French sentence."""
    from tracesguide.i18n import t

    text = str(error)
    for pattern, key in _EMAIL_REASONS:
        if pattern in text:
            return t(key)
    return t("email.generic")


# tomli's messages (2.x): the start of the message names the French sentence.
_TOML_REASONS = (
    ("Unterminated string", "toml.unterminated_string"),
    ("Unclosed array", "toml.unclosed_array"),
    ("Unclosed inline table", "toml.unclosed_table"),
    ("Cannot overwrite a value", "toml.duplicate"),
    ("Cannot declare", "toml.duplicate"),
    ("Cannot mutate immutable namespace", "toml.duplicate"),
    ("Cannot redefine namespace", "toml.duplicate"),
    ("Duplicate inline table key", "toml.duplicate"),
    ("Expected '=' after a key", "toml.expected_equals"),
    ("Invalid initial character for a key part", "toml.bad_key"),
    ("Invalid value", "toml.bad_value"),
    ("Invalid date or datetime", "toml.bad_date"),
    ("Invalid time", "toml.bad_date"),
    ("Expected newline or end of document", "toml.expected_newline"),
    ("Illegal character", "toml.bad_character"),
    ("Found invalid character", "toml.bad_character"),
    ("TOML key has more than", "toml.bad_key"),
    ("Invalid statement", "toml.bad_statement"),
    ("Expected ']' at the end of a table declaration", "toml.bad_table"),
    ("Expected ']]' at the end of an array declaration", "toml.bad_table"),
    ("Invalid hex value", "toml.bad_escape"),
    ("Unescaped", "toml.bad_escape"),
    ("Invalid escape", "toml.bad_escape"),
    ("Escaped character", "toml.bad_escape"),
    ("Expected", "toml.expected"),
)


def toml_error(error: TOMLDecodeError | UnicodeDecodeError) -> str:
    """A TOML parser error in French: the line, the column, what is wrong.

    For a reader's own error: ``StateError(f"... {toml_error(error)}")``. A file that is
    not UTF-8 (decoded before parsing) is said so, with the offset of the first bad byte.
    """
    from tracesguide.i18n import t

    if isinstance(error, UnicodeDecodeError):
        return t("toml.not_utf8", offset=error.start)
    message = getattr(error, "msg", "") or str(error)
    reason = next(
        (t(key) for pattern, key in _TOML_REASONS if message.startswith(pattern)),
        t("toml.generic"),
    )
    line = getattr(error, "lineno", None)
    column = getattr(error, "colno", None)
    if line is None or column is None:  # the standard tomllib before 3.14 has only text
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        if found is None:
            return t("toml.no_position", reason=reason)
        line, column = int(found[1]), int(found[2])
    return t("toml.at", line=line, column=column, reason=reason)


def parser_failure(error: BaseException) -> str:
    """Why a parser failed otherwise than by a syntax error, in the user's language: never
    the library's English text ("…nested more than the allowed 400 levels", "Exceeds the
    limit (4300 digits)…") inside a French line."""
    from tracesguide.i18n import t

    message = str(error)
    digits = re.search(r"value has (\d+) digits", message)
    if isinstance(error, ValueError) and (digits or "digits" in message):
        return t("toml.too_many_digits", digits=digits[1] if digits else "4 300+")
    if isinstance(error, RecursionError) or "nested" in message:
        return t("toml.too_deep")
    if "parts" in message and "allowed" in message:
        return t("toml.key_too_long")
    if isinstance(error, MemoryError):
        return t("toml.no_memory")
    if isinstance(error, OverflowError) or "out of range" in message or "year" in message:
        return t("toml.out_of_range")
    return t("toml.generic")


def moment(value: datetime | str, *, utc: bool = False) -> str:
    """The date and time people read, ``26/11/2026 14:05``, in local time; in UTC where
    files of users of several zones meet (replay, check), the caller naming the zone."""
    from datetime import UTC

    from tracesguide.i18n import t

    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone(UTC if utc else None).strftime(t("wording.date_format"))
