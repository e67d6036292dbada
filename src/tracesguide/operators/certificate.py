"""Can this operator request the authorisation? Its certificates in the directory, judged.

Pure: a loaded :class:`Directory`, a query and today's date in, a :class:`CertificateCheck`
out; no I/O, no printing, no clock (the caller passes the date).

An operator may request the authorisation in TRACES NT when one of its certificates is
issued, carries an import activity and has not expired (seed 004: the certificate of
conformity must carry an "Organic Import" activity). Otherwise the verdict says why:
no import activity yet, expired, withdrawn, not issued; and when a name fits several
operators with different identifiers, that they look alike (duplicates are a known
problem of TRACES NT: ask the control body which one is right, never create another).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from tracesguide.operators.match import search
from tracesguide.operators.model import Directory, Match, Operator
from tracesguide.operators.normalize import id_key, name_key, text_key

Verdict = Literal[
    "can_request",
    "expires_soon",
    "no_import",
    "expired",
    "withdrawn",
    "not_issued",
    "ambiguous",
    "not_found",
    "sample",
]
CertificateState = Literal["valid", "expired", "withdrawn", "replaced", "other"]
OK_VERDICTS: frozenset[Verdict] = frozenset({"can_request", "expires_soon"})
# Below this many days left, the verdict warns that the certificate is about to expire.
SOON_DAYS = 30
# Name matches within this many points of the best one are "alike".
CLOSE_SCORE = 5.0
_MAX_CERTIFICATES = 200
VERDICT_KEYS = {
    "can_request": "certificate.verdict_can_request",
    "expires_soon": "certificate.verdict_expires_soon",
    "no_import": "certificate.verdict_no_import",
    "expired": "certificate.verdict_expired",
    "withdrawn": "certificate.verdict_withdrawn",
    "not_issued": "certificate.verdict_not_issued",
    "ambiguous": "certificate.verdict_ambiguous",
    "not_found": "certificate.verdict_not_found",
    "sample": "certificate.verdict_sample",
}
# What stops the request at the operator step: the certificate cannot back it.
REFUSED: frozenset[Verdict] = frozenset({"no_import", "expired", "withdrawn", "not_issued"})
_WITHDRAWN = ("withdrawn", "suspended", "revoked", "retire", "suspendu", "cancelled")


@dataclass(frozen=True)
class Certificate:
    """One certificate of the operator, with what it means today."""

    record: Operator
    state: CertificateState
    days_left: int | None
    has_import: bool


@dataclass(frozen=True)
class CertificateCheck:
    query: str
    verdict: Verdict
    operator: Operator | None
    certificates: list[Certificate]
    candidates: list[Operator]
    days_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.verdict in OK_VERDICTS


def parse_date(text: str) -> date | None:
    """A directory date: ``2025-12-31`` (with or without a time) or ``31/12/2025``."""
    text = text.strip()
    try:
        if len(text) >= 10 and text[4] == "-":
            return date.fromisoformat(text[:10])
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        return None
    return None


def _identity(operator: Operator) -> str:
    return id_key(operator.traces_number) or f"{name_key(operator.name)}|{operator.address}"


def _state(record: Operator, today: date) -> tuple[CertificateState, int | None]:
    status = text_key(record.status)
    expires = parse_date(record.expires_on)
    days_left = (expires - today).days if expires else None
    if any(word in status for word in _WITHDRAWN):
        return "withdrawn", days_left
    if "reissued" in status:
        return "replaced", days_left
    if "expired" in status or (days_left is not None and days_left < 0):
        return "expired", days_left
    if status in ("", "issued", "active", "valid", "delivre", "emis", "valide"):
        return "valid", days_left
    return "other", days_left


def _has_import(record: Operator) -> bool:
    return any("import" in text_key(activity) for activity in record.activities)


def _pick(matches: list[Match], query: str) -> tuple[Operator | None, list[Operator]]:
    """The one operator meant, or None and the operators that look alike."""
    by_identity: dict[str, Operator] = {}
    if matches and matches[0].matched_on in ("traces_number", "reference"):
        first = matches[0].operator
        return first, [first]
    best = matches[0].score if matches else 0.0
    close = [m for m in matches if m.score >= best - CLOSE_SCORE]
    wanted = name_key(query)
    exact = [m for m in close if name_key(m.operator.name) == wanted]
    for match in exact or close:
        by_identity.setdefault(_identity(match.operator), match.operator)
    # Same address, other identifier: a duplicate too, even with a less close name.
    addresses = {text_key(op.address) for op in by_identity.values() if op.address}
    for match in matches:
        if text_key(match.operator.address) in addresses:
            by_identity.setdefault(_identity(match.operator), match.operator)
    alike = list(by_identity.values())
    return (alike[0] if len(alike) == 1 else None), alike


def check_certificates(directory: Directory, query: str, today: date) -> CertificateCheck:
    """Find the operator (name, TRACES number or certificate reference) and judge it.

    The shipped sample is a demonstration: an operator found there gets the verdict
    ``sample`` (no real directory), never one that says a request can be made."""
    matches = search(directory, query, limit=20)
    if not matches:
        return CertificateCheck(query, "not_found", None, [], [])
    if directory.source.kind == "sample":
        operator, alike = _pick(matches, query)
        return CertificateCheck(query, "sample", operator, [], alike)
    operator, alike = _pick(matches, query)
    if operator is None:
        return CertificateCheck(query, "ambiguous", None, [], alike)
    if operator.traces_number:
        found = search(directory, traces_number=operator.traces_number, limit=_MAX_CERTIFICATES)
        records = [m.operator for m in found if m.matched_on == "traces_number"] or [operator]
    else:
        records = [operator]
    certificates = []
    for record in records:
        state, days_left = _state(record, today)
        certificates.append(Certificate(record, state, days_left, _has_import(record)))
    certificates.sort(key=lambda c: (c.state != "valid", -(c.days_left or 0)))
    verdict, days = _verdict(certificates)
    return CertificateCheck(query, verdict, operator, certificates, [operator], days)


def _verdict(certificates: list[Certificate]) -> tuple[Verdict, int | None]:
    valid = [c for c in certificates if c.state == "valid"]
    importing = [c for c in valid if c.has_import]
    if importing:
        days = max((c.days_left for c in importing if c.days_left is not None), default=None)
        if days is not None and days <= SOON_DAYS:
            return "expires_soon", days
        return "can_request", days
    if valid:
        return "no_import", None
    expired = [c.days_left for c in certificates if c.state == "expired"]
    if expired:
        return "expired", max((d for d in expired if d is not None), default=None)
    if any(c.state == "withdrawn" for c in certificates):
        return "withdrawn", None
    return "not_issued", None


def verdict_text(check: CertificateCheck) -> str:
    """The verdict in one French sentence a person can act on."""
    from tracesguide.i18n import t

    days = check.days_left
    return t(VERDICT_KEYS[check.verdict], days=abs(days) if days is not None else "?")
