"""``tracesguide operators``: search the TRACES NT operator directory offline.

Thin commands over :mod:`tracesguide.operators`. Directory text is untrusted: every
string goes through ``inert`` and is printed as plain text (rich ``Text``, never markup).
rich is imported only for the human output and the progress bar, so ``--json`` starts fast.
"""

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracesguide.errors import TracesguideError
from tracesguide.sanitize import inert

if TYPE_CHECKING:
    from datetime import date

    from tracesguide.operators import Directory, IndexInfo, Match, Operator, RowProblem
    from tracesguide.operators.certificate import CertificateCheck
    from tracesguide.operators.formats import ProgressCallback

EXIT_NO_MATCH = 1
_SHOWN_PROBLEMS = 10

operators_app = typer.Typer(
    name="operators",
    help="help.operators",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _say(text: str) -> None:
    """One line for the user on stderr (source used, skipped rows, notes)."""
    print(text, file=sys.stderr)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _plural(count: int, singular: str, plural: str) -> str:
    """*count* with the word of the catalog: *singular* and *plural* are texts of it."""
    return f"{_number(count)} {plural if count > 1 else singular}"


def _operators(count: int) -> str:
    from tracesguide.i18n import t

    return _plural(count, t("operators.operator"), t("operators.operators"))


def _clean(value: str) -> str:
    return inert(value, single_line=True).strip()


@contextmanager
def _progress(label: str) -> Iterator["ProgressCallback | None"]:
    """A progress bar on stderr while a file is read, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, 1))

        yield update


def _report_problems(
    problems: Sequence["RowProblem"], skipped: int | None = None, shown: int = _SHOWN_PROBLEMS
) -> None:
    """The first rows skipped, then how many more (``skipped`` counts them all)."""
    skipped = len(problems) if skipped is None else skipped
    if not skipped:
        return
    from tracesguide.i18n import t

    count = _plural(skipped, t("operators.invalid_row"), t("operators.invalid_rows"))
    _say(t("operators.invalid_rows_heading", count=count))
    for problem in problems[:shown]:
        _say(
            t(
                "operators.problem_line",
                location=_clean(problem.location),
                message=_clean(problem.message),
            )
        )
    if skipped > shown:
        more = skipped - min(shown, len(problems))
        _say(t("operators.more_problems", count=_number(more)))


def _load(directory: Path | None) -> "Directory":
    from tracesguide.i18n import t
    from tracesguide.operators import load_default_directory, load_directory

    if directory is None:
        return load_default_directory()
    with _progress(t("operators.reading")) as progress:
        return load_directory(directory, progress)


def _match_dict(match: "Match") -> dict[str, object]:
    fields: dict[str, object] = {}
    for key, value in match.operator.to_dict().items():
        fields[key] = _clean(value) if isinstance(value, str) else [_clean(v) for v in value]
    fields["score"] = round(match.score)
    fields["matched_on"] = match.matched_on
    return fields


@operators_app.command("search", help="help.operators_search")
def search_command(
    text: Annotated[
        str | None,
        typer.Argument(
            metavar="TEXTE",
            help="help.operators_search_text",
            show_default=False,
        ),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option("--country", metavar="PAYS", help="help.operators_search_country"),
    ] = None,
    activity: Annotated[
        str | None,
        typer.Option("--activity", metavar="ACTIVITÉ", help="help.operators_search_activity"),
    ] = None,
    traces_number: Annotated[
        str | None,
        typer.Option(
            "--traces-number",
            metavar="NUMÉRO",
            help="help.operators_search_traces_number",
        ),
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option(
            "--directory",
            metavar="FICHIER",
            help="help.operators_search_directory",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1000, help="help.operators_search_limit")
    ] = 10,
    json_output: Annotated[
        bool, typer.Option("--json", help="help.operators_search_json_output")
    ] = False,
) -> None:
    """Search the directory; its help is in the catalog."""
    from tracesguide.i18n import t
    from tracesguide.operators import not_found_rule, search

    text = text.strip() if text else None
    if not (text or traces_number or country or activity):
        raise TracesguideError(t("operators.search_what"), t("operators.search_what_hint"))
    loaded = _load(directory)
    _say(
        t(
            "operators.source",
            source=_clean(loaded.source.describe()),
            count=_operators(len(loaded)),
        )
    )
    _report_problems(loaded.problems, loaded.skipped, shown=3)
    matches = search(
        loaded,
        text,
        country=country,
        activity=activity,
        traces_number=traces_number,
        limit=limit,
    )
    if json_output:
        import json

        print(json.dumps([_match_dict(m) for m in matches], ensure_ascii=False, indent=2))
    else:
        _print_matches(matches, text or traces_number or "")
    if loaded.source.kind == "sample":
        _say(t("operators.sample_only"))
    if not matches:
        _say(t("operators.none_found"))
        _say(not_found_rule())
        raise typer.Exit(EXIT_NO_MATCH)


def _print_matches(matches: Sequence["Match"], query: str) -> None:
    if not matches:
        return
    from rich.console import Console
    from rich.text import Text

    from tracesguide.i18n import t
    from tracesguide.operators import not_found_rule

    console = Console(highlight=False)
    title = Text(t("operators.results_for", count=_operators(len(matches))))
    title.append(_clean(query))
    title.append(t("operators.results_for_end"))
    console.print(title)
    for rank, match in enumerate(matches, start=1):
        op = match.operator
        console.print()
        line = Text(f"{rank:>2}. ")
        line.append(_clean(op.name) or t("operators.no_name"), style="bold")
        line.append(t("operators.score", score=round(match.score)), style="dim")
        console.print(line)
        rows = (  # (label, value, always shown)
            (t("operators.traces_number"), op.traces_number, True),
            (t("operators.address"), op.address, True),
            (t("operators.country"), op.country, True),
            (t("operators.activities"), " ; ".join(op.activities), True),
            (t("operators.certificate"), op.reference, False),
            (t("operators.body"), op.issuing_body, False),
            (t("operators.status"), op.status, False),
            (t("operators.expires"), op.expires_on, False),
        )
        for label, value, always in rows:
            if value or always:
                row = Text(f"    {label:<11}")
                row.append(_clean(value) or "—")
                console.print(row)
    console.print()
    console.print(Text(not_found_rule(), style="dim"))


@operators_app.command("import", help="help.operators_import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FICHIER",
            help="help.operators_import_file",
            show_default=False,
        ),
    ],
) -> None:
    """Import a directory file into the index; its help is in the catalog."""
    from tracesguide.i18n import t
    from tracesguide.operators import import_directory

    with _progress(t("operators.importing")) as progress:
        result = import_directory(file, progress)
    info = result.info
    print(t("operators.imported", count=_operators(info.rows), origin=_clean(info.origin)))
    print(t("operators.index", path=_clean(str(info.path))))
    _report_problems(result.problems, result.skipped)


@operators_app.command("info", help="help.operators_info")
def info_command(
    json_output: Annotated[
        bool, typer.Option("--json", help="help.operators_info_json_output")
    ] = False,
) -> None:
    """Describe the imported index; its help is in the catalog."""
    import os

    from tracesguide.operators import DIRECTORY_ENV, read_index_info

    info = read_index_info()
    env = os.environ.get(DIRECTORY_ENV)
    if json_output:
        import json

        payload: dict[str, object] = {
            "imported": info is not None,
            "directory_env": _clean(env) if env else None,
        }
        if info is not None:
            payload.update(
                index=str(info.path),
                origin=_clean(info.origin),
                rows=info.rows,
                skipped=info.skipped,
                imported_at=_clean(info.imported_at),
                origin_changed=info.origin_changed(),
            )
            if info.fetch is not None:
                payload["fetch"] = info.fetch
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from tracesguide.i18n import t

    if info is not None and info.fetch is not None:
        _print_fetch_info(info)
    elif info is None:
        print(t("operators.none_imported"))
        print(t("operators.how_to_import"))
    else:
        print(t("operators.imported_from", origin=_clean(info.origin)))
        skipped = ""
        if info.skipped:
            rows = _plural(info.skipped, t("operators.skipped_row"), t("operators.skipped_rows"))
            skipped = t("operators.skipped", rows=rows)
        print(
            t(
                "operators.info_rows",
                count=_operators(info.rows),
                date=_date(info.imported_at),
                skipped=skipped,
            )
        )
        print(t("operators.info_index", path=_clean(str(info.path))))
        changed = info.origin_changed()
        if changed:
            print(t("operators.source_changed"))
        elif changed is None:
            print(t("operators.source_gone"))
    if env:
        print(t("operators.env_set", name=DIRECTORY_ENV, path=_clean(env)))


def _date(iso: str) -> str:
    from tracesguide.wording import moment

    try:
        return moment(iso)
    except ValueError:
        return _clean(iso)


# --- operators fetch ---------------------------------------------------------------------


@operators_app.command("fetch", help="help.operators_fetch")
def fetch_command(
    country: Annotated[
        list[str] | None,
        typer.Option("--country", metavar="PAYS", help="help.operators_fetch_country"),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            metavar="STATUT",
            help="help.operators_fetch_status",
        ),
    ] = None,
    delay: Annotated[
        float, typer.Option("--delay", min=0.0, max=60.0, help="help.operators_fetch_delay")
    ] = 0.3,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, max=600.0, help="help.operators_fetch_timeout")
    ] = 30.0,
    restart: Annotated[
        bool, typer.Option("--restart", help="help.operators_fetch_restart")
    ] = False,
) -> None:
    """Download the public directory into the index; its help is in the catalog."""
    from tracesguide.i18n import t
    from tracesguide.operators.fetch import Settings, base_url_from_env, fetch_directory

    countries = _fetch_countries(country or ["FR"])
    statuses = _fetch_statuses(status or ["ISSUED"])
    settings = Settings(base_url_from_env(), delay=delay, timeout=timeout)
    _say(t("fetch.starting", url=_clean(settings.query_url)))
    with fetch_progress() as progress:
        result = fetch_directory(countries, statuses, settings, progress=progress, restart=restart)
    if result.resumed_records:
        _say(t("fetch.resumed", records=_number(result.resumed_records)))
    info = result.info
    print(t("fetch.done", operators=_operators(info.rows), url=_clean(settings.query_url)))
    for count in result.slices:
        print(_slice_line(count.country, count.status, count.records, count.total))
        if count.unreachable:
            print(t("fetch.slice_unreachable", missing=_number(count.unreachable)))
    print(t("fetch.index", path=_clean(str(info.path))))
    _report_problems(result.problems)


def _fetch_countries(values: list[str]) -> list[str]:
    from tracesguide.i18n import t
    from tracesguide.operators.normalize import country_code

    codes: list[str] = []
    for value in values:
        code = country_code(value)
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise TracesguideError(
                t("fetch.bad_country", value=_clean(value)), t("fetch.bad_country_hint")
            )
        codes.append(code.upper())
    return list(dict.fromkeys(codes))


def _fetch_statuses(values: list[str]) -> list[str]:
    import re

    from tracesguide.i18n import t

    statuses = [value.strip().upper() for value in values]
    for value, status in zip(values, statuses, strict=True):
        if not re.fullmatch(r"[A-Z_]{3,30}", status):
            raise TracesguideError(
                t("fetch.bad_status", value=_clean(value)), t("fetch.bad_status_hint")
            )
    return list(dict.fromkeys(statuses))


def _slice_line(country: object, status: object, records: object, total: object) -> str:
    from tracesguide.i18n import t

    return t(
        "fetch.slice_line",
        slice=_clean(f"{country} {status}"),
        records=_number(records) if isinstance(records, int) else "?",
        total=_number(total) if isinstance(total, int) else "?",
    )


@contextmanager
def fetch_progress() -> Iterator["Callable[[str, int, int], None] | None"]:
    """Records received / announced on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=None)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=max(total, done, 1))

        yield update


def _print_fetch_info(info: "IndexInfo") -> None:
    """``operators info`` for a downloaded index: source URL, date, slices and counts."""
    from tracesguide.i18n import t

    fetched = info.fetch or {}
    print(t("fetch.info_source", url=_clean(str(fetched.get("url", info.origin)))))
    print(t("fetch.info_when", operators=_operators(info.rows), date=_date(info.imported_at)))
    if info.skipped:
        print(t("fetch.info_skipped", records=_number(info.skipped)))
    slices = fetched.get("slices")
    for item in slices if isinstance(slices, list) else []:
        if isinstance(item, dict):
            get = item.get
            print(_slice_line(get("country"), get("status"), get("records"), get("total")))
    print(t("fetch.index", path=_clean(str(info.path))))


# --- operators certificate ---------------------------------------------------------------


_STATE_KEYS = {
    "valid": "certificate.state_valid",
    "expired": "certificate.state_expired",
    "withdrawn": "certificate.state_withdrawn",
    "replaced": "certificate.state_replaced",
    "other": "certificate.state_other",
}


@operators_app.command("certificate", help="help.operators_certificate")
def certificate_command(
    query: Annotated[
        str,
        typer.Argument(
            metavar="NOM_OU_NUMÉRO",
            help="help.operators_certificate_query",
            show_default=False,
        ),
    ],
    on: Annotated[
        str | None,
        typer.Option("--date", metavar="AAAA-MM-JJ", help="help.operators_certificate_on"),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="help.operators_certificate_json_output")
    ] = False,
) -> None:
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
            t("certificate.bad_date", value=_clean(on or "")), t("certificate.date_hint")
        ) from None
    loaded = load_default_directory()
    _say(
        t("certificate.source", source=_clean(loaded.source.describe()), rows=_number(len(loaded)))
    )
    check = check_certificates(loaded, query, today)
    if json_output:
        import json

        print(json.dumps(_check_dict(check, today), ensure_ascii=False, indent=2))
    else:
        _print_check(check)
    if loaded.source.kind == "sample":
        _say(t("certificate.sample_only"))
    if not check.ok:
        raise typer.Exit(EXIT_NO_MATCH)


def _check_dict(check: "CertificateCheck", today: "date") -> dict[str, object]:
    from tracesguide.operators.certificate import verdict_text

    def clean(op: "Operator") -> dict[str, object]:
        return {
            k: _clean(v) if isinstance(v, str) else [_clean(x) for x in v]
            for k, v in op.to_dict().items()
        }

    return {
        "query": _clean(check.query),
        "date": today.isoformat(),
        "verdict": check.verdict,
        "ok": check.ok,
        "days_left": check.days_left,
        "message": verdict_text(check),
        "operator": clean(check.operator) if check.operator else None,
        "candidates": [clean(op) for op in check.candidates],
        "certificates": [
            {
                **clean(c.record),
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
        title.append(_clean(op.name), style="bold")
        title.append(f" ({_clean(op.traces_number) or '—'})")
        console.print(title)
    for cert in check.certificates:
        record = cert.record
        console.print()
        console.print(Text("  " + (_clean(record.reference) or "—"), style="bold"))
        expiry = _clean(record.expires_on) or "—"
        if cert.days_left is not None and cert.state == "valid":
            expiry += t("certificate.days_left", days=cert.days_left)
        rows = (
            (
                t("certificate.label_status"),
                f"{t(_STATE_KEYS[cert.state])} ({_clean(record.status) or '—'})",
            ),
            (t("certificate.label_body"), _clean(record.issuing_body) or "—"),
            (
                t("certificate.label_activities"),
                " ; ".join(_clean(a) for a in record.activities) or "—",
            ),
            (
                t("certificate.label_categories"),
                " ; ".join(_clean(c) for c in record.categories) or "—",
            ),
            (t("certificate.label_issued"), _clean(record.issued_on) or "—"),
            (t("certificate.label_expires"), expiry),
        )
        for label, value in rows:
            console.print(Text(f"    {label:<12}{value}"))
    if check.verdict == "ambiguous":
        console.print(Text(t("certificate.alike_title")))
        for op in check.candidates[:_SHOWN_PROBLEMS]:
            line = Text("  • ")
            line.append(_clean(op.name), style="bold")
            line.append(f" — {_clean(op.traces_number) or '—'} ({_clean(op.address) or '—'})")
            console.print(line)
    console.print()
    console.print(Text(verdict_text(check), style="bold"))
