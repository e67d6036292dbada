"""``operators lookup SIRET``: the company in the Agence Bio's directory, then in TRACES NT.

Only the SIRET is sent (said on stderr). What the French directory knows (names, organic
number, control body, certification state, import activity), the TRACES NT directory
index's best matches for those names, and the control body the certificate names. Exit 0
found, 1 not in the directory, 2 a wrong SIRET or a directory that cannot be used.
"""

from typing import TYPE_CHECKING

import typer

from tracesguide.cli.operators.output import EXIT_NO_MATCH, clean, say
from tracesguide.system.errors import TracesguideError

if TYPE_CHECKING:
    from tracesguide.operators.agencebio import Establishment, Lookup
    from tracesguide.operators.control_bodies import ControlBody
    from tracesguide.operators.model import Match


def lookup(siret: str, json_output: bool) -> None:
    from tracesguide.i18n import t
    from tracesguide.operators import agencebio, load_default_directory
    from tracesguide.operators.control_bodies import from_certificate

    problem = agencebio.siret_problem(siret)
    if problem:
        raise TracesguideError(problem, t("agencebio.siret_hint"))
    siret = agencebio.compact_siret(siret)
    settings = agencebio.Settings(agencebio.url_from_env())
    say(t("agencebio.sent", url=clean(settings.url)))
    result = agencebio.lookup(siret, settings)
    found = agencebio.shown(result)
    matches = agencebio.candidates(load_default_directory(), found) if found else []
    certificate = found.certificate if found else None
    body = from_certificate(certificate.body) if certificate else None
    if json_output:
        import json

        print(json.dumps(_as_dict(result, matches, body), ensure_ascii=False, indent=2))
    else:
        _print(result, matches)
    if found is None:
        raise typer.Exit(EXIT_NO_MATCH)


def _establishment(found: "Establishment | None") -> dict[str, object] | None:
    from dataclasses import asdict

    if found is None:
        return None
    return {**asdict(found), "imports": found.imports}


def _as_dict(
    result: "Lookup", matches: "list[Match]", body: "ControlBody | None"
) -> dict[str, object]:
    from dataclasses import asdict

    def operator(match: "Match") -> dict[str, object]:
        fields = match.operator.to_dict().items()
        out: dict[str, object] = {
            k: clean(v) if isinstance(v, str) else [clean(x) for x in v] for k, v in fields
        }
        out["score"] = round(match.score, 1)
        return out

    return {
        "siret": result.siret,
        "total": result.total,
        "found": _establishment(result.found),
        "others": [_establishment(e) for e in result.others],
        "skipped": result.skipped,
        "certificate_body": asdict(body) if body is not None else None,
        "traces_candidates": [operator(m) for m in matches],
    }


def _print(result: "Lookup", matches: "list[Match]") -> None:
    from rich.console import Console
    from rich.text import Text

    from tracesguide.i18n import t
    from tracesguide.operators import agencebio

    console = Console(highlight=False)
    found = agencebio.shown(result)
    if found is None:
        console.print(Text(t("agencebio.not_found", siret=result.siret)))
        return
    console.print(Text(t("agencebio.found_title"), style="bold"))
    rows = agencebio.rows(found)
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        console.print(Text(f"  {label:<{width}}{value}"))
    for line in agencebio.warnings(result):
        console.print(Text(line, style="yellow"))
    console.print()
    console.print(Text(t("agencebio.searching", names=" ; ".join(found.names) or "—")))
    if not matches:
        console.print(Text(t("agencebio.none_in_traces")))
    for match in matches:
        op = match.operator
        shown = Text("  • ")
        shown.append(clean(op.name), style="bold")
        shown.append(f" — {clean(op.traces_number) or '—'} ({clean(op.issuing_body) or '—'})")
        console.print(shown)
