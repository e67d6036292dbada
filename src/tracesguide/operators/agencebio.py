"""Look a company up by its SIRET in the French directory of organic operators.

The Agence Bio's « API Professionnels BIO » (open data, listed on data.gouv.fr) answers
``GET {url}?siret=NNNNNNNNNNNNNN`` with ``{items, nbTotal}``; each item has
``numeroBio``, ``raisonSociale``, ``denominationcourante``, ``siret``,
``certificats [{organisme, etatCertification, url}]``, ``activitesBio [{activite}]`` and
``adressesOperateurs`` (observed in public code; not confirmed live from here).

Only the SIRET is sent: nothing else about the user leaves the machine. One request
(retried with a growing pause on a timeout, a connection error or a 5xx), the whole
answer within a deadline (:class:`tracesguide.operators.fetch._Watch`), an identifying
User-Agent, a bounded body; the answer is untrusted: every field is checked, bounded
and made inert before anyone sees it. httpx is imported here only, when a lookup runs.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracesguide.operators.fetch import (
    ACCEPTED_ENCODINGS,
    USER_AGENT,
    PageFailed,
    _read_bounded,
    _verify,
    _Watch,
    check_url,
)
from tracesguide.system.errors import DirectoryError
from tracesguide.system.sanitize import inert

if TYPE_CHECKING:
    import httpx

    from tracesguide.operators.model import Directory, Match

DEFAULT_URL = "https://opendata.agencebio.org/api/gouv/operateurs/"
URL_ENV = "TRACESGUIDE_AGENCEBIO_URL"
MAX_BYTES = 2 * 2**20  # one company's establishments: a few kilobytes
MAX_ITEMS = 50
MAX_TEXT = 300
# What the directory says of a certificate that backs nothing (a withdrawal, a suspension…)
_NOT_CERTIFIED = ("retir", "suspen", "arret", "arrêt", "non engag", "refus")


@dataclass(frozen=True)
class Settings:
    url: str = DEFAULT_URL
    timeout: float = 10.0  # one whole answer, headers and body
    retries: int = 2
    delay: float = 0.5  # the first pause before a retry; doubled each time


def url_from_env() -> str:
    """``TRACESGUIDE_AGENCEBIO_URL`` when set (tests, mirrors), else the public API."""
    url = os.environ.get(URL_ENV, "").strip() or DEFAULT_URL
    return check_url(url, env=URL_ENV, hint_key="agencebio.bad_url_hint")


def siret_problem(value: str) -> str:
    """Why *value* is not a SIRET, in one French line; "" when it is one."""
    from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
    from stdnum.fr import siret

    from tracesguide.i18n import t

    compact = "".join(value.split())
    if not compact.isdigit():
        return t("agencebio.siret_digits")
    if len(compact) != 14:
        return t("agencebio.siret_length", count=len(compact))
    try:
        siret.validate(compact)
    except InvalidChecksum:
        return t("agencebio.siret_checksum")
    except (InvalidFormat, InvalidLength):
        return t("agencebio.siret_digits")
    return ""


def compact_siret(value: str) -> str:
    return "".join(value.split())


@dataclass(frozen=True)
class Certificate:
    body: str  # the control body, as the directory names it
    state: str  # etatCertification, as written (ENGAGEE, RETIREE…)
    url: str = ""

    @property
    def valid(self) -> bool:
        folded = self.state.casefold()
        return bool(folded) and not any(word in folded for word in _NOT_CERTIFIED)


@dataclass(frozen=True)
class Establishment:
    """One item of the answer, every string checked, bounded and inert."""

    siret: str
    numero_bio: str = ""
    legal_name: str = ""  # raisonSociale
    trade_name: str = ""  # denominationcourante
    certificates: tuple[Certificate, ...] = ()
    activities: tuple[str, ...] = ()
    address: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The names to search the TRACES NT directory with, the legal one first."""
        out: list[str] = []
        for name in (self.legal_name, self.trade_name):
            if name and name.casefold() not in (n.casefold() for n in out):
                out.append(name)
        return tuple(out)

    @property
    def imports(self) -> bool:
        return any("import" in a.casefold() for a in self.activities)

    @property
    def certificate(self) -> Certificate | None:
        """The certificate that tells the control body: a valid one first."""
        valid = [c for c in self.certificates if c.valid]
        chosen = valid or list(self.certificates)
        return chosen[0] if chosen else None


@dataclass(frozen=True)
class Lookup:
    """What the directory knows of a SIRET: the establishment itself, and the others of
    the same company (same SIREN) that came with it."""

    siret: str
    total: int
    found: Establishment | None
    others: tuple[Establishment, ...] = ()
    skipped: int = 0  # items that were not usable
    url: str = field(default="", compare=False)


def lookup(siret: str, settings: Settings | None = None) -> Lookup:
    """Ask the directory about *siret* (already valid). A failure is one French line in a
    ``DirectoryError``; an answer with nothing for it is a ``Lookup`` with ``found`` None."""
    import httpx

    from tracesguide.i18n import t

    settings = settings or Settings(url_from_env())
    host = httpx.URL(settings.url).host
    client = httpx.Client(
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": ACCEPTED_ENCODINGS,
        },
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        verify=_verify(settings.url),
    )
    failure = ""
    connection_only = True
    with client:
        for attempt in range(settings.retries + 1):
            if attempt:
                time.sleep(settings.delay * 2 ** (attempt - 1))
            watch = _Watch(time.monotonic() + settings.timeout, [])
            try:
                with watch:
                    document = _get(client, settings.url, siret, watch)
                return _parse(siret, document, settings.url)
            except httpx.ConnectError:
                if not watch.expired:
                    failure = t("agencebio.offline", host=host)
                    continue
                failure = t("agencebio.timeout", seconds=f"{settings.timeout:g}")
            except httpx.TimeoutException:
                failure = t("agencebio.timeout", seconds=f"{settings.timeout:g}")
            except httpx.HTTPError as error:
                if watch.expired:
                    failure = t("agencebio.timeout", seconds=f"{settings.timeout:g}")
                else:
                    failure = t("agencebio.truncated", detail=type(error).__name__)
            except PageFailed as failed:
                failure = failed.reason
                if not failed.retry:
                    connection_only = False
                    break
            connection_only = False
    if connection_only:
        raise DirectoryError(failure, t("agencebio.offline_hint"))
    raise DirectoryError(t("agencebio.failed", reason=failure), t("agencebio.failed_hint"))


def _get(client: httpx.Client, url: str, siret: str, watch: _Watch) -> object:
    from tracesguide.i18n import t

    extensions = {"trace": watch.trace}
    with client.stream("GET", url, params={"siret": siret}, extensions=extensions) as r:
        if r.status_code >= 500 or r.status_code == 429:
            raise PageFailed(t("agencebio.http", code=r.status_code))
        if r.status_code >= 300:
            raise PageFailed(t("agencebio.refused", code=r.status_code), retry=False)
        body = _read_bounded(r, watch, MAX_BYTES)
        content_type = r.headers.get("content-type", "")
    if "html" in content_type or bytes(body[:512]).lstrip()[:1] == b"<":
        raise PageFailed(t("agencebio.not_json"), retry=False)
    try:
        return json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PageFailed(t("agencebio.not_json"), retry=False) from None


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return " ".join(inert(str(value), single_line=True).split())[:MAX_TEXT]


def _items(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list):
        return []
    return [item for item in value[:MAX_ITEMS] if isinstance(item, dict)]


def _address(value: object) -> str:
    for item in _items(value):
        parts = [_text(item.get(k)) for k in ("lieu", "codePostal", "ville")]
        text = " ".join(p for p in parts if p)
        if text:
            return text[:MAX_TEXT]
    return ""


def _establishment(item: dict[str, object]) -> Establishment | None:
    siret = "".join(c for c in _text(item.get("siret")) if c.isdigit())
    if len(siret) != 14:
        return None
    certificates = tuple(
        Certificate(
            _text(c.get("organisme")), _text(c.get("etatCertification")), _text(c.get("url"))
        )
        for c in _items(item.get("certificats"))
        if _text(c.get("organisme")) or _text(c.get("etatCertification"))
    )
    activities = tuple(
        a for a in (_text(x.get("activite")) for x in _items(item.get("activitesBio"))) if a
    )
    return Establishment(
        siret=siret,
        numero_bio=_text(item.get("numeroBio")),
        legal_name=_text(item.get("raisonSociale")),
        trade_name=_text(item.get("denominationcourante")),
        certificates=certificates,
        activities=activities,
        address=_address(item.get("adressesOperateurs")),
    )


def _parse(siret: str, document: object, url: str) -> Lookup:
    from tracesguide.i18n import t

    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise PageFailed(t("agencebio.bad_shape"), retry=False)
    raw = document["items"]
    total = document.get("nbTotal")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        total = len(raw)
    usable = [e for e in (_establishment(i) for i in _items(raw)) if e is not None]
    skipped = len(raw) - len(usable)
    found = next((e for e in usable if e.siret == siret), None)
    siren = siret[:9]
    others = tuple(e for e in usable if e is not found and e.siret[:9] == siren)
    return Lookup(siret, total, found, others, skipped, url)


def rows(found: Establishment) -> list[tuple[str, str]]:
    """What the directory says of an establishment, as (label, value) lines to show."""
    from tracesguide.i18n import t

    certificate = found.certificate
    imports = [a for a in found.activities if "import" in a.casefold()]
    shown = [
        (t("agencebio.label_legal"), found.legal_name or "—"),
        (t("agencebio.label_trade"), found.trade_name or "—"),
        (t("agencebio.label_siret"), found.siret),
        (t("agencebio.label_numero"), found.numero_bio or "—"),
        (t("agencebio.label_body"), certificate.body if certificate and certificate.body else "—"),
        (
            t("agencebio.label_state"),
            certificate.state if certificate and certificate.state else "—",
        ),
        (
            t("agencebio.label_import"),
            t("agencebio.import_yes", activity=" ; ".join(imports))
            if imports
            else t("agencebio.import_no"),
        ),
    ]
    if found.address:
        shown.append((t("agencebio.label_address"), found.address))
    return shown


def warnings(result: Lookup) -> list[str]:
    """What the person should know besides the rows: a withdrawn certificate, the other
    establishments of the same company, items skipped."""
    from tracesguide.i18n import t

    lines: list[str] = []
    found = result.found
    siren = result.siret[:9]
    sirets = ", ".join(e.siret for e in result.others[:10])
    if found is None and result.others:
        lines.append(t("agencebio.same_siren", siren=siren, sirets=sirets))
    elif result.others:
        lines.append(t("agencebio.others", siren=siren, sirets=sirets))
    shown = found or (result.others[0] if result.others else None)
    certificate = shown.certificate if shown else None
    if certificate is not None and not certificate.valid:
        lines.append(
            t("agencebio.withdrawn", body=certificate.body or "—", state=certificate.state or "—")
        )
    if result.skipped:
        lines.append(t("agencebio.skipped", count=result.skipped))
    return lines


def shown(result: Lookup) -> Establishment | None:
    """The establishment to show: the SIRET's own, else the first of the same company."""
    return result.found or (result.others[0] if result.others else None)


def candidates(directory: Directory, found: Establishment, limit: int = 3) -> list[Match]:
    """The TRACES NT directory's best matches for the establishment's names, best first,
    each operator once."""
    from tracesguide.operators.match import search

    best: dict[tuple[str, str], Match] = {}
    for name in found.names:
        for match in search(directory, name, limit=limit):
            key = (match.operator.traces_number, match.operator.name)
            if key not in best or match.score > best[key].score:
                best[key] = match
    return sorted(best.values(), key=lambda m: -m.score)[:limit]
