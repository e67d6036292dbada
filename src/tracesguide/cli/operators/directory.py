"""``operators search``, ``import`` and ``info``: the directory offline, for people and
scripts. Thin commands over :mod:`tracesguide.operators`; their help is in the catalog.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tracesguide.cli.operators.output import (
    EXIT_NO_MATCH,
    clean,
    date_text,
    operators,
    plural,
    reading_progress,
    report_problems,
    say,
)
from tracesguide.system.errors import TracesguideError

if TYPE_CHECKING:
    from tracesguide.operators import Directory, Match


def _load(directory: Path | None) -> "Directory":
    from tracesguide.i18n import t
    from tracesguide.operators import load_default_directory, load_directory

    if directory is None:
        return load_default_directory()
    with reading_progress(t("operators.reading")) as progress:
        return load_directory(directory, progress)


def _match_dict(match: "Match") -> dict[str, object]:
    fields: dict[str, object] = {}
    for key, value in match.operator.to_dict().items():
        fields[key] = clean(value) if isinstance(value, str) else [clean(v) for v in value]
    fields["score"] = round(match.score)
    fields["matched_on"] = match.matched_on
    fields["full_scan"] = match.full_scan
    return fields


def search(
    text: str | None,
    country: str | None,
    activity: str | None,
    traces_number: str | None,
    directory: Path | None,
    limit: int,
    json_output: bool,
) -> None:
    """Search the directory; its help is in the catalog."""
    from tracesguide.i18n import t
    from tracesguide.operators import not_found_rule, search

    text = text.strip() if text else None
    if not (text or traces_number or country or activity):
        raise TracesguideError(t("operators.search_what"), t("operators.search_what_hint"))
    loaded = _load(directory)
    say(
        t(
            "operators.source",
            source=clean(loaded.source.describe()),
            count=operators(len(loaded)),
        )
    )
    report_problems(loaded.problems, loaded.skipped, shown=3)
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
        say(t("operators.sample_only"))
    if not matches:
        say(t("operators.none_found"))
        say(not_found_rule())
        raise typer.Exit(EXIT_NO_MATCH)


def _print_matches(matches: Sequence["Match"], query: str) -> None:
    if not matches:
        return
    from rich.console import Console
    from rich.text import Text

    from tracesguide.i18n import t
    from tracesguide.operators import not_found_rule

    console = Console(highlight=False)
    title = Text(t("operators.results_for", count=operators(len(matches))))
    title.append(clean(query))
    title.append(t("operators.results_for_end"))
    console.print(title)
    for rank, match in enumerate(matches, start=1):
        op = match.operator
        console.print()
        line = Text(f"{rank:>2}. ")
        line.append(clean(op.name) or t("operators.no_name"), style="bold")
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
                row.append(clean(value) or "—")
                console.print(row)
    console.print()
    console.print(Text(not_found_rule(), style="dim"))


def import_file(file: Path) -> None:
    """Import a directory file into the index; its help is in the catalog."""
    from tracesguide.i18n import t
    from tracesguide.operators import import_directory

    with reading_progress(t("operators.importing")) as progress:
        result = import_directory(file, progress)
    info = result.info
    print(t("operators.imported", count=operators(info.rows), origin=clean(info.origin)))
    print(t("operators.index", path=clean(str(info.path))))
    report_problems(result.problems, result.skipped)


def info(json_output: bool) -> None:
    """Describe the imported index; its help is in the catalog."""
    import os

    from tracesguide.operators import DIRECTORY_ENV, read_index_info

    info = read_index_info()
    env = os.environ.get(DIRECTORY_ENV)
    if json_output:
        import json

        payload: dict[str, object] = {
            "imported": info is not None,
            "directory_env": clean(env) if env else None,
        }
        if info is not None:
            payload.update(
                index=str(info.path),
                origin=clean(info.origin),
                rows=info.rows,
                skipped=info.skipped,
                imported_at=clean(info.imported_at),
                origin_changed=info.origin_changed(),
            )
            if info.fetch is not None:
                payload["fetch"] = info.fetch
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from tracesguide.i18n import t

    if info is not None and info.fetch is not None:
        from tracesguide.cli.operators.fetch import print_fetch_info

        print_fetch_info(info)
    elif info is None:
        print(t("operators.none_imported"))
        print(t("operators.how_to_import"))
    else:
        print(t("operators.imported_from", origin=clean(info.origin)))
        skipped = ""
        if info.skipped:
            rows = plural(info.skipped, t("operators.skipped_row"), t("operators.skipped_rows"))
            skipped = t("operators.skipped", rows=rows)
        print(
            t(
                "operators.info_rows",
                count=operators(info.rows),
                date=date_text(info.imported_at),
                skipped=skipped,
            )
        )
        print(t("operators.info_index", path=clean(str(info.path))))
        changed = info.origin_changed()
        if changed:
            print(t("operators.source_changed"))
        elif changed is None:
            print(t("operators.source_gone"))
    if env:
        print(t("operators.env_set", name=DIRECTORY_ENV, path=clean(env)))
