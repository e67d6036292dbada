"""The wizard's operator step: search, fetch, typed entry, look-alikes, and the rule.

Called by the interactive prompter (``tracesguide.wizard.prompter``) only, and asks every
question through it (``wizard.questions.Asker``): it never imports questionary nor rich.
What it does for a person at the operator step:

- says which directory it searched: the sample of four companies, an imported file
  (its date and rows) or the downloaded public directory (its date);
- with only the sample, offers to download the public directory now;
- offers "Saisir le nom et le numéro TRACES trouvés dans TRACES NT": a name and an
  identifier that looks like a TRACES operator number or a certificate reference;
- warns when results look alike (close names or the same address, different
  identifiers): duplicates are a known problem, ask the control body, never create one;
- "not in the list" explains the rule (the control body creates the operator; since
  21 January 2025 only it can) and offers the same ways on, or to come back later.

A SIRET typed at the search (14 digits, checked with its check digit) is looked up in
the Agence Bio's directory of organic operators (``operators.agencebio``; only the SIRET
is sent, and the screen says so): what it knows is shown, the TRACES NT directory is
searched with the company's names and the best candidates are offered first. Offline, or
with nothing found, the search goes on by name. Once the operator is picked, its control
body is the one the certificate names (the TRACES NT record's issuing body, else the
Agence Bio's « organisme »), kept as an answer for the message and the next steps.

Before the certificate question, when a directory other than the sample is there, it
offers the certificate check of ``operators certificate``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tracesguide.operators.model import Directory, Match, Operator
from tracesguide.operators.normalize import id_key, name_key, text_key
from tracesguide.state.validate import Invalid
from tracesguide.system.sanitize import inert

if TYPE_CHECKING:
    from tracesguide.operators.agencebio import Establishment
    from tracesguide.wizard.flow import OperatorChoice
    from tracesguide.wizard.questions import Asker

# A TRACES operator number (BE-ORG-OP-5) or a certificate reference
# (NL-BIO-01.528-0005749.2025.001): a country prefix, then letters, digits and . - /
_IDENTIFIER = re.compile(r"[A-Z]{2}-[A-Z0-9][A-Z0-9./-]{2,78}")
ALIKE_RATIO = 90.0
FETCH, TYPED, AGAIN, NOT_LISTED, LATER = (
    "__fetch__",
    "__typed__",
    "__again__",
    "__none__",
    "__later__",
)


def _clean(text: str) -> str:
    return inert(text, single_line=True).strip()


def typed_name(value: str) -> str:
    from tracesguide.i18n import t

    cleaned = " ".join(value.split())
    if not cleaned:
        raise Invalid(t("operator_step.name_required"))
    if len(cleaned) > 200:
        raise Invalid(t("operator_step.name_too_long"))
    return _clean(cleaned)


def typed_identifier(value: str) -> str:
    """A TRACES operator number or certificate reference, as TRACES NT writes it."""
    from tracesguide.i18n import t

    cleaned = "".join(value.split()).upper()
    if not _IDENTIFIER.fullmatch(cleaned) or not any(c.isdigit() for c in cleaned):
        raise Invalid(t("operator_step.identifier_invalid"))
    return cleaned


def look_alike(operators: Sequence[Operator]) -> list[Operator]:
    """The operators that look like another one of the list (close names or the same
    address) with a different identifier: likely duplicates."""
    from rapidfuzz import fuzz

    found: dict[int, Operator] = {}
    keys = [(name_key(op.name), text_key(op.address), id_key(op.traces_number)) for op in operators]
    for i, (name_i, address_i, id_i) in enumerate(keys):
        for j in range(i + 1, len(keys)):
            name_j, address_j, id_j = keys[j]
            if id_i == id_j:
                continue
            same_place = bool(address_i) and address_i == address_j
            if same_place or fuzz.ratio(name_i, name_j) >= ALIKE_RATIO:
                found.setdefault(i, operators[i])
                found.setdefault(j, operators[j])
    return [found[i] for i in sorted(found)]


def describe(directory: Directory) -> str:
    """Which directory a search used, in one French line."""
    from tracesguide.i18n import t
    from tracesguide.operators.index import read_index_info

    rows = f"{len(directory):,}".replace(",", " ")
    source = directory.source
    if source.kind == "sample":
        return t("operator_step.source_sample")
    if source.kind == "index":
        info = read_index_info(source.path)
        when = _day(info.imported_at if info else "")
        if info is not None and info.fetch is not None:
            return t("operator_step.source_fetched", date=when, rows=rows)
        return t(
            "operator_step.source_imported",
            origin=_clean(source.origin or ""),
            date=when,
            rows=rows,
        )
    return t("operator_step.source_file", path=_clean(str(source.path)), rows=rows)


def _day(iso: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y")
    except ValueError:
        return "?"


def ask_operator(
    asker: Asker,
    prompt: str,
    back: bool = False,
    download: bool = True,
    searched: Callable[[str], None] | None = None,
) -> OperatorChoice | None:
    """The operator step, interactive; None when the person comes back later. With
    *back*, « ← Étape précédente » is offered last (``flow.GoBack`` when chosen); with
    *download* (the question offers ``directory-download``), downloading the public
    directory is offered while only the sample is there. Each query typed goes to
    *searched* (the flow records it for support)."""
    from tracesguide.i18n import t
    from tracesguide.operators import load_default_directory, search
    from tracesguide.wizard.flow import BACK, GoBack, OperatorChoice

    directory = load_default_directory()
    while True:
        asker.say(describe(directory), style="dim")
        text = asker.ask_text(prompt, _search_text)
        found: Establishment | None = None
        if _siret_like(text):
            found, matches = _by_siret(asker, directory, text)
            if found is None:
                continue  # offline, or not in the French directory: search by name
        else:
            if searched is not None:
                searched(text)
            matches = search(directory, text, limit=8)
        if not matches and found is None:
            asker.say(t("wizard.no_operator"), style="yellow")
        _warn_alike(asker, matches)
        choices = [(_title(m.operator), str(i)) for i, m in enumerate(matches)]
        if found is not None:
            choices = [(t("agencebio.candidate", line=title), i) for title, i in choices]
        choices.append((t("wizard.search_again"), AGAIN))
        choices += _ways_on(directory, download)
        choices.append((t("wizard.not_listed"), NOT_LISTED))
        if back:
            choices.append((t("wizard.back"), BACK))
        picked = asker.ask_select(t("wizard.your_company"), choices)
        if picked == NOT_LISTED:
            asker.say(t("operator_step.rule"), style="yellow")
            ways = [*_ways_on(directory, download), (t("wizard.search_again"), AGAIN)]
            ways.append((t("operator_step.later"), LATER))
            picked = asker.ask_select(t("operator_step.what_now"), ways)
        if picked == BACK:
            raise GoBack
        if picked == LATER:
            return None
        if picked == FETCH:
            directory = _fetch_now(asker) or directory
            continue
        if picked == TYPED:
            typed = _typed(asker, directory)
            if typed is None:  # not in the directory, and the person searches again
                continue
            return typed
        if picked != AGAIN:
            operator = matches[int(picked)].operator
            sample = directory.source.kind == "sample"  # a demonstration: no certificate
            return OperatorChoice(
                name=_clean(operator.name),
                traces_number=_clean(operator.traces_number),
                origin="search",
                control_body="" if sample else _control_body(asker, operator, found),
            )


def _siret_like(text: str) -> bool:
    """Digits only (spaces allowed), about as many as a SIRET: meant as one."""
    compact = "".join(text.split())
    return compact.isdigit() and 9 <= len(compact) <= 16


def _search_text(value: str) -> bool | str:
    """The search's validator: a word, or a SIRET that passes its check digit."""
    from tracesguide.i18n import t
    from tracesguide.operators.agencebio import siret_problem

    if not value.strip():
        return t("wizard.type_a_word")
    if _siret_like(value):
        return siret_problem(value) or True
    return True


def _by_siret(
    asker: Asker, directory: Directory, text: str
) -> tuple[Establishment | None, list[Match]]:
    """Look the SIRET up, show what the French directory knows, and the TRACES NT
    directory's best candidates for its names; (None, []) when there is nothing to show."""
    from tracesguide.i18n import t
    from tracesguide.operators import agencebio
    from tracesguide.system.errors import DirectoryError

    siret = agencebio.compact_siret(text)
    try:
        settings = agencebio.Settings(agencebio.url_from_env())
        host = urlsplit(settings.url).hostname or settings.url
        asker.say(t("agencebio.siret_privacy", host=_clean(host)), style="dim")
        asker.say(t("agencebio.looking", siret=siret), style="dim")
        result = agencebio.lookup(siret, settings)
    except DirectoryError as error:
        asker.say(t("agencebio.unavailable", reason=_clean(error.message)), style="yellow")
        return None, []
    found = agencebio.shown(result)
    if found is None:
        asker.say(t("agencebio.not_found", siret=siret), style="yellow")
        return None, []
    asker.say(t("agencebio.found_title"), style="bold")
    for label, value in agencebio.rows(found):
        asker.say(f"  {label} : {_clean(value)}")
    for line in agencebio.warnings(result):
        asker.say(_clean(line), style="yellow")
    asker.say(t("agencebio.searching", names=" ; ".join(found.names) or "—"), style="dim")
    matches = agencebio.candidates(directory, found)
    if not matches:
        asker.say(t("agencebio.none_in_traces"), style="yellow")
    return found, matches


def _control_body(asker: Asker, operator: Operator, found: Establishment | None) -> str:
    """The control body the certificate names (TRACES NT's issuing body, else the French
    directory's), said to the person; "" when neither names one."""
    from tracesguide.i18n import t
    from tracesguide.operators.control_bodies import from_certificate, same

    traces = from_certificate(operator.issuing_body)
    certificate = found.certificate if found is not None else None
    french = from_certificate(certificate.body) if certificate is not None else None
    if traces is not None and french is not None and not same(traces.label, french.label):
        asker.say(
            t("agencebio.sources_differ", french=french.label, traces=traces.label),
            style="yellow",
        )
    body = traces or french
    if body is None:
        return ""
    asker.say(t("agencebio.body_found", body=body.label), style="green")
    return body.label


def _title(operator: Operator) -> str:
    from tracesguide.i18n import t

    return t(
        "wizard.operator_line",
        name=_clean(operator.name),
        number=_clean(operator.traces_number),
        address=_clean(operator.address),
    )


def _ways_on(directory: Directory, download: bool) -> list[tuple[str, str]]:
    from tracesguide.i18n import t

    ways: list[tuple[str, str]] = []
    if download and directory.source.kind == "sample":
        ways.append((t("operator_step.fetch_now"), FETCH))
    ways.append((t("operator_step.typed_entry"), TYPED))
    return ways


def _warn_alike(asker: Asker, matches: Sequence[Match]) -> None:
    from tracesguide.i18n import t

    alike = look_alike([m.operator for m in matches])
    if len(alike) > 1:
        names = " ; ".join(f"{_clean(op.name)} ({_clean(op.traces_number) or '—'})" for op in alike)
        asker.say(t("operator_step.alike", operators=names), style="yellow")


def _typed(asker: Asker, directory: Directory) -> OperatorChoice | None:
    """A name and a number as TRACES NT shows them. When a real directory is there and
    the number is not in it: a warning with the closest entries, then keep it or search
    again (None)."""
    from tracesguide.i18n import t
    from tracesguide.operators import search
    from tracesguide.wizard.flow import OperatorChoice
    from tracesguide.wizard.questions import validator

    name = typed_name(asker.ask_text(t("operator_step.typed_name"), validator(typed_name)))
    number = asker.ask_text(t("operator_step.typed_identifier"), validator(typed_identifier))
    number = typed_identifier(number)
    if directory.source.kind != "sample" and not search(directory, traces_number=number, limit=1):
        closest = search(directory, number, limit=3) or search(directory, name, limit=3)
        shown = " ; ".join(_title(m.operator) for m in closest) or "—"
        asker.say(t("operator_step.typed_unknown", number=number, closest=shown), style="yellow")
        keep = asker.ask_select(
            t("operator_step.typed_keep"),
            [(t("operator_step.typed_keep_yes"), "yes"), (t("wizard.search_again"), "no")],
        )
        if keep != "yes":
            return None
    return OperatorChoice(name=name, traces_number=number, origin="typed")


def _fetch_now(asker: Asker) -> Directory | None:
    """Download the public directory (France, issued) now; None when it failed."""

    from tracesguide.i18n import t
    from tracesguide.operators import load_default_directory
    from tracesguide.operators.fetch import Settings, base_url_from_env, fetch_directory
    from tracesguide.system.errors import DirectoryError
    from tracesguide.views.progress import fetch_progress

    try:
        settings = Settings(base_url_from_env())
        asker.say(t("fetch.starting", url=_clean(settings.query_url)), style="dim")
        with fetch_progress() as progress:
            result = fetch_directory(["FR"], ["ISSUED"], settings, progress=progress)
    except DirectoryError as error:
        line = error.message + (f" — {error.hint}" if error.hint else "")
        asker.say(_clean(line), style="yellow")
        return None
    rows = f"{result.info.rows:,}".replace(",", " ")
    asker.say(t("operator_step.fetched", rows=rows), style="green")
    return load_default_directory()


def offer_certificate_check(asker: Asker, today: date | None = None) -> None:
    """Before the certificate question: check the certificate in the directory, if one
    other than the sample is there (and the person wants to)."""
    from tracesguide.i18n import t
    from tracesguide.operators import load_default_directory
    from tracesguide.operators.certificate import check_certificates, verdict_text

    directory = load_default_directory()
    if directory.source.kind == "sample":
        return
    wanted = asker.ask_select(
        t("operator_step.check_offer"),
        [(t("operator_step.check_yes"), "yes"), (t("operator_step.check_no"), "no")],
    )
    if wanted != "yes":
        return
    query = asker.ask_text(t("operator_step.check_query"), lambda v: bool(v.strip()))
    check = check_certificates(directory, query.strip(), today or date.today())

    asker.say(describe(directory), style="dim")
    if check.operator is not None:
        asker.say(_title(check.operator), style="bold")
    asker.say(verdict_text(check), style="green" if check.ok else "yellow")
