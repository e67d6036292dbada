"""``tracesguide operators``: the TRACES NT operator directory, offline and downloaded.

The sub-app and its commands, one module each: ``directory`` (search, import, info),
``fetch`` (the download), ``certificate`` (the certificate check); ``output`` holds what
they share. Their help texts are keys of the message catalog (``cli_french``).
"""

import typer

from tracesguide.cli_operators import certificate, directory, fetch

operators_app = typer.Typer(
    name="operators",
    help="help.operators",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
operators_app.command("search", help="help.operators_search")(directory.search_command)
operators_app.command("import", help="help.operators_import")(directory.import_command)
operators_app.command("info", help="help.operators_info")(directory.info_command)
operators_app.command("fetch", help="help.operators_fetch")(fetch.fetch_command)
operators_app.command("certificate", help="help.operators_certificate")(
    certificate.certificate_command
)
