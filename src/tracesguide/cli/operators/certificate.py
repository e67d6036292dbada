"""``operators certificate``: can an operator's certificate back a request today?

A verdict, as text or ``--json``, exit 0 (it can), 1 (it cannot) or 2 (a wrong
command line); the directory's text is made inert.
"""

from typing import TYPE_CHECKING

import typer

from tracesguide.cli.operators.output import EXIT_NO_MATCH, SHOWN_PROBLEMS, clean, number, say
from tracesguide.system.errors import TracesguideError

if TYPE_CHECKING:
    from datetime import date

    from tracesguide.operators import Operator
    from tracesguide.operators.certificate import CertificateCheck


_STATE_KEYS = {
    "valid": "certificate.state_valid",
    "expired": "certificate.state_expired",
    "withdrawn": "certificate.state_withdrawn",
    "replaced": "certificate.state_replaced",
    "other": "certificate.state_other",
}


def certificate(query: str, on: str | None, json_output: bool) -> None:
    """Judge an operator's certificates; its help is in the catalog."""
    from datetime import date

    from tracesguide.i18n import t
    from tracesguide.operators import load_default_directory
    from tracesguide.operators.certificate import check_certificates

    query = query.strip()
    if not query:
        raise TracesguideError(t("certificate.empty_query"), t("certificate.query_hint"))
    try:
        today = date.fromisoformat(on) if on else date.today()
    except ValueError:
        raise TracesguideError(
            t("certificate.bad_date", value=clean(on or "")), t("certificate.date_hint")
        ) from None
    loaded = load_default_directory()
    say(t("certificate.source", source=clean(loaded.source.describe()), rows=number(len(loaded))))
    check = check_certificates(loaded, query, today)
    if json_output:
        import json

        print(json.dumps(_check_dict(check, today), ensure_ascii=False, indent=2))
    else:
        _print_check(check)
    if loaded.source.kind == "sample" and check.verdict != "sample":
        say(t("certificate.sample_only"))
    if not check.ok:
        raise typer.Exit(EXIT_NO_MATCH)


def _check_dict(check: "CertificateCheck", today: "date") -> dict[str, object]:
    from tracesguide.operators.certificate import verdict_text

    def fields(op: "Operator") -> dict[str, object]:
        return {
            k: clean(v) if isinstance(v, str) else [clean(x) for x in v]
            for k, v in op.to_dict().items()
        }

    return {
        "query": clean(check.query),
        "date": today.isoformat(),
        "verdict": check.verdict,
        "ok": check.ok,
        "days_left": check.days_left,
        "message": verdict_text(check),
        "operator": fields(check.operator) if check.operator else None,
        "candidates": [fields(op) for op in check.candidates],
        "certificates": [
            {
                **fields(c.record),
                "state": c.state,
                "days_left": c.days_left,
                "has_import": c.has_import,
            }
            for c in check.certificates
        ],
    }


def _print_check(check: "CertificateCheck") -> None:
    from rich.console import Console
    from rich.text import Text

    from tracesguide.i18n import t
    from tracesguide.operators.certificate import verdict_text

    console = Console(highlight=False)
    if check.operator is not None:
        op = check.operator
        title = Text(t("certificate.title"))
        title.append(clean(op.name), style="bold")
        title.append(f" ({clean(op.traces_number) or '—'})")
        console.print(title)
    for cert in check.certificates:
        record = cert.record
        console.print()
        console.print(Text("  " + (clean(record.reference) or "—"), style="bold"))
        expiry = clean(record.expires_on) or "—"
        if cert.days_left is not None and cert.state == "valid":
            expiry += t("certificate.days_left", days=cert.days_left)
        rows = (
            (
                t("certificate.label_status"),
                f"{t(_STATE_KEYS[cert.state])} ({clean(record.status) or '—'})",
            ),
            (t("certificate.label_body"), clean(record.issuing_body) or "—"),
            (
                t("certificate.label_activities"),
                " ; ".join(clean(a) for a in record.activities) or "—",
            ),
            (
                t("certificate.label_categories"),
                " ; ".join(clean(c) for c in record.categories) or "—",
            ),
            (t("certificate.label_issued"), clean(record.issued_on) or "—"),
            (t("certificate.label_expires"), expiry),
        )
        for label, value in rows:
            console.print(Text(f"    {label:<12}{value}"))
    if check.verdict == "ambiguous":
        console.print(Text(t("certificate.alike_title")))
        for op in check.candidates[:SHOWN_PROBLEMS]:
            line = Text("  • ")
            line.append(clean(op.name), style="bold")
            line.append(f" — {clean(op.traces_number) or '—'} ({clean(op.address) or '—'})")
            console.print(line)
    console.print()
    console.print(Text(verdict_text(check), style="bold"))
