"""``tracesguide operators``: the TRACES NT operator directory, offline and downloaded.

The sub-app and its commands' signatures (what typer reads at every start); each command
imports its module when it runs: ``directory`` (search, import, info), ``fetch`` (the
download), ``certificate`` (the certificate check), with ``output`` for what they share.
Help texts are keys of the message catalog (``cli_french``).
"""

from pathlib import Path
from typing import Annotated

import typer

from tracesguide.cli.params import JsonOption, argument, option

operators_app = typer.Typer(
    name="operators",
    help="help.operators",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@operators_app.command("search", help="help.operators_search")
def search_command(
    text: Annotated[
        str | None,
        argument("TEXTE", "help.operators_search_text"),
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
            "--traces-number", metavar="NUMÉRO", help="help.operators_search_traces_number"
        ),
    ] = None,
    directory: Annotated[
        Path | None,
        option("--directory", "help.operators_search_directory", metavar="FICHIER"),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1000, help="help.operators_search_limit")
    ] = 10,
    json_output: Annotated[
        bool, typer.Option("--json", help="help.operators_search_json_output")
    ] = False,
) -> None:
    """Search the directory. Its help is in the catalog."""
    from tracesguide.cli.operators.directory import search

    search(text, country, activity, traces_number, directory, limit, json_output)


@operators_app.command("import", help="help.operators_import")
def import_command(
    file: Annotated[
        Path,
        argument("FICHIER", "help.operators_import_file"),
    ],
) -> None:
    """Import a directory file into the index. Its help is in the catalog."""
    from tracesguide.cli.operators.directory import import_file

    import_file(file)


@operators_app.command("info", help="help.operators_info")
def info_command(
    json_output: JsonOption = False,
) -> None:
    """Describe the index. Its help is in the catalog."""
    from tracesguide.cli.operators.directory import info

    info(json_output)


@operators_app.command("fetch", help="help.operators_fetch")
def fetch_command(
    country: Annotated[
        list[str] | None,
        typer.Option("--country", metavar="PAYS", help="help.operators_fetch_country"),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", metavar="STATUT", help="help.operators_fetch_status"),
    ] = None,
    delay: Annotated[
        float, typer.Option("--delay", min=0.0, max=60.0, help="help.operators_fetch_delay")
    ] = 0.3,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, max=600.0, help="help.operators_fetch_timeout")
    ] = 30.0,
    max_time: Annotated[
        float,
        typer.Option("--max-time", min=1.0, max=86_400.0, help="help.operators_fetch_max_time"),
    ] = 21_600.0,
    restart: Annotated[
        bool, typer.Option("--restart", help="help.operators_fetch_restart")
    ] = False,
) -> None:
    """Download the public directory into the index. Its help is in the catalog."""
    from tracesguide.cli.operators.fetch import fetch

    fetch(country, status, delay, timeout, restart, max_time)


@operators_app.command("certificate", help="help.operators_certificate")
def certificate_command(
    query: Annotated[
        str,
        argument("NOM_OU_NUMÉRO", "help.operators_certificate_query"),
    ],
    on: Annotated[
        str | None,
        typer.Option("--date", metavar="AAAA-MM-JJ", help="help.operators_certificate_on"),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Judge an operator's certificates. Its help is in the catalog."""
    from tracesguide.cli.operators.certificate import certificate

    certificate(query, on, json_output)


@operators_app.command("lookup", help="help.operators_lookup")
def lookup_command(
    siret: Annotated[str, argument("SIRET", "help.operators_lookup_siret")],
    json_output: JsonOption = False,
) -> None:
    """Look a SIRET up in the French organic directory. Its help is in the catalog."""
    from tracesguide.cli.operators.lookup import lookup

    lookup(siret, json_output)
