"""What the commands' signatures share: arguments and options whose help is a key of the
message catalog (``cli_french`` shows it in the user's language), with no default shown.
"""

from pathlib import Path
from typing import Annotated, Any

import typer


def argument(metavar: str, help: str) -> Any:
    """A positional argument shown as *metavar*; *help* is a catalog key.

    ``readable=False``: a path is never checked by click (« valeur invalide pour FILE. »,
    neither path nor reason), but by the command's own reader, which names both.
    """
    return typer.Argument(metavar=metavar, help=help, show_default=False, readable=False)


def option(name: str, help: str, metavar: str | None = None) -> Any:
    """An option shown without its default; *help* is a catalog key (a path: see
    ``argument``)."""
    return typer.Option(name, metavar=metavar, help=help, show_default=False, readable=False)


StateOption = Annotated[Path | None, option("--state", "cli.state_option")]
AccessibleOption = Annotated[bool, option("--accessible", "cli.accessible_option")]
JsonOption = Annotated[bool, typer.Option("--json", help="cli.json_option")]
