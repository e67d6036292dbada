"""Checks of what the user types, with the reason in French when it is refused.

Pure functions over well-kept libraries (email-validator, phonenumbers): no
network, no printing. A refused value raises ``Invalid`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

# Free webmail domains: allowed, but the procedure asks for the individual
# professional address, so the wizard warns (it does not refuse).
WEBMAIL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.fr ymail.com hotmail.com hotmail.fr
    outlook.com outlook.fr live.com live.fr msn.com orange.fr wanadoo.fr free.fr sfr.fr
    neuf.fr bbox.fr laposte.net aliceadsl.fr icloud.com me.com aol.com gmx.fr gmx.com
    gmx.de web.de protonmail.com proton.me yandex.com mail.com
    """.split()
)
# Shared mailboxes: one EU Login account per real person, never a generic one.
GENERIC_LOCAL_PARTS = frozenset(
    "contact info infos admin accueil bonjour commercial compta comptabilite direction "
    "export import office secretariat service support ventes sales qualite".split()
)
EXAMPLE_PHONE = "+33 6 12 34 56 78"


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


def name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise Invalid("ce champ est obligatoire.")
    if len(cleaned) > 100:
        raise Invalid("100 caractères au plus.")
    if any(not (c.isalpha() or c in " -'’.") for c in cleaned):
        raise Invalid("lettres, espaces, tirets et apostrophes seulement.")
    return cleaned


def email(value: str) -> Email:
    """Check an e-mail's syntax only (no network), and warn on webmail or shared boxes."""
    from email_validator import EmailNotValidError, validate_email

    from tracesguide.wording import email_reason

    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(f"adresse électronique invalide : {email_reason(error)}") from None
    address = result.normalized
    local, _, domain = address.rpartition("@")
    warning = ""
    if domain.lower() in WEBMAIL_DOMAINS:
        warning = (
            f"{domain} est une messagerie grand public : la procédure demande votre adresse "
            "personnelle professionnelle (celle de votre entreprise)."
        )
    elif local.lower() in GENERIC_LOCAL_PARTS:
        warning = (
            f"« {local}@… » ressemble à une adresse partagée : le compte EU Login est "
            "individuel, utilisez votre propre adresse professionnelle."
        )
    return Email(address=address, warning=warning)


def phone(value: str) -> Phone:
    """A mobile number in international form (with the country code)."""
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

    text = value.strip()
    if not text.startswith("+"):
        raise Invalid(
            f"indiquez le numéro au format international, avec l'indicatif du pays, "
            f"par exemple {EXAMPLE_PHONE}."
        )
    try:
        number = phonenumbers.parse(text, None)
    except NumberParseException:
        raise Invalid(f"numéro illisible ; exemple attendu : {EXAMPLE_PHONE}.") from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid(f"ce numéro n'existe pas dans ce pays ; exemple attendu : {EXAMPLE_PHONE}.")
    kind = phonenumbers.number_type(number)
    if kind not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise Invalid(
            "ce n'est pas un numéro de téléphone portable (en France, un portable commence "
            f"par 06 ou 07) ; exemple : {EXAMPLE_PHONE}."
        )
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
