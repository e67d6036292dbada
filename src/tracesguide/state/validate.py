"""Checks of what the user types, with the reason in French when it is refused.

Pure functions over well-kept libraries (email-validator, phonenumbers): no
network, no printing. A refused value raises ``Invalid`` with the reason, short
enough to fit one line of a terminal. The bounds are those of the state reader
(``ANSWER_MAX_CHARS``), so that what the wizard saves it can read back; invisible
format characters (``Cam\u200bille``) are refused, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracesguide.i18n import t
from tracesguide.state import MAX_ANSWER

# Free webmail domains: allowed, but the procedure asks for the individual
# professional address, so the wizard warns (it does not refuse).
WEBMAIL_DOMAINS = frozenset(
    (
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.fr",
        "ymail.com",
        "hotmail.com",
        "hotmail.fr",
        "outlook.com",
        "outlook.fr",
        "live.com",
        "live.fr",
        "msn.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "bbox.fr",
        "laposte.net",
        "aliceadsl.fr",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.fr",
        "gmx.com",
        "gmx.de",
        "web.de",
        "protonmail.com",
        "proton.me",
        "yandex.com",
        "mail.com",
    )
)
# Shared mailboxes: one EU Login account per real person, never a generic one.
GENERIC_LOCAL_PARTS = frozenset(
    "contact info infos admin accueil bonjour commercial compta comptabilite direction "
    "export import office secretariat service support ventes sales qualite".split()
)
EXAMPLE_PHONE = "06 12 34 56 78"
# The longest answer the state reader accepts (``answers.*`` in the state file): every
# value the wizard stores, typed or picked from a directory, is held to it on write.
ANSWER_MAX_CHARS = MAX_ANSWER
NAME_MAX_CHARS = 100


class Invalid(ValueError):
    """A value the user must type again; the message says why."""


@dataclass(frozen=True)
class Email:
    address: str
    warning: str = ""


@dataclass(frozen=True)
class Phone:
    e164: str  # the full number: for the keyring only, never for the state file
    international: str
    masked: str


def _visible_only(value: str) -> None:
    """Refuse invisible format characters (zero-width, BOM, bidi marks) and controls."""
    from tracesguide.system.sanitize import hidden_characters

    hidden = hidden_characters(value)
    if hidden:
        raise Invalid(t("validate.invisible", shown=hidden[0]))


def name(value: str) -> str:
    _visible_only(value)
    cleaned = " ".join(value.split())
    if not cleaned:
        raise Invalid(t("validate.required"))
    if len(cleaned) > NAME_MAX_CHARS:
        raise Invalid(t("validate.too_long", limit=NAME_MAX_CHARS))
    if any(not (c.isalpha() or c in " -'’.") for c in cleaned):
        raise Invalid(t("validate.name_letters"))
    return cleaned


def stored_text(value: str) -> str:
    """Any other answer kept in the state (operator name, TRACES number): visible
    characters on one line, no longer than the state reader accepts."""
    _visible_only(value)
    cleaned = " ".join(value.split())
    if not cleaned:
        raise Invalid(t("validate.required"))
    if len(cleaned) > ANSWER_MAX_CHARS:
        raise Invalid(t("validate.too_long", limit=ANSWER_MAX_CHARS))
    return cleaned


def email(value: str) -> Email:
    """Check an e-mail's syntax only (no network), and warn on webmail or shared boxes."""
    from email_validator import EmailNotValidError, validate_email

    from tracesguide.i18n.wording import email_reason

    _visible_only(value)
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(t("validate.email_invalid", reason=email_reason(error))) from None
    address = result.normalized
    if len(address) > ANSWER_MAX_CHARS:
        raise Invalid(t("validate.too_long", limit=ANSWER_MAX_CHARS))
    local, _, domain = address.rpartition("@")
    warning = ""
    if domain.lower() in WEBMAIL_DOMAINS:
        warning = t("validate.email_webmail", domain=domain)
    elif local.lower() in GENERIC_LOCAL_PARTS:
        warning = t("validate.email_shared", local=local)
    return Email(address=address, warning=warning)


def phone(value: str) -> Phone:
    """A mobile number, international (+32 ...) or French national (06 ...) form."""
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

    _visible_only(value)
    text = value.strip()
    if len(text) > 64:
        raise Invalid(t("validate.phone_unreadable", example=EXAMPLE_PHONE))
    try:
        # A number without "+" is read as French: 06 12 34 56 78 is +33 6 12 34 56 78.
        number = phonenumbers.parse(text, "FR")
    except NumberParseException:
        raise Invalid(t("validate.phone_unreadable", example=EXAMPLE_PHONE)) from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid(t("validate.phone_invalid", example=EXAMPLE_PHONE))
    kind = phonenumbers.number_type(number)
    if kind not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise Invalid(t("validate.phone_not_mobile", example=EXAMPLE_PHONE))
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        international=international,
        masked=mask(international),
    )


def mask(international: str) -> str:
    """'+33 6 12 34 56 78' → '+33 6 •• •• •• 78': country code, first and last two digits."""
    country, _, national = international.partition(" ")
    digits = [i for i, c in enumerate(national) if c.isdigit()]
    keep = set(digits[:1] + digits[-2:])
    hidden = "".join(c if i in keep or not c.isdigit() else "•" for i, c in enumerate(national))
    return f"{country} {hidden}"
