"""The command line: thin Typer commands over the drivers.

Each command parses its options, calls one driver and prints its result. Domain
errors become one line on stderr and an exit code in ``main``, nowhere else.
Heavy imports (questionary, keyring, rich's console) happen inside the commands
that need them, so that the reading commands start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from tracesguide import __version__
from tracesguide.errors import EXIT_INTERRUPTED, Interrupted, TracesguideError

app = typer.Typer(
    name="tracesguide",
    help=(
        "Guide pas à pas pour accéder à TRACES NT : compte EU Login, second facteur, "
        "rôle, profil d'opérateur et autorisation, organisme de contrôle.\n\n"
        "Commencez par : tracesguide setup"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

StateOption = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Fichier d'état à utiliser (sinon TRACESGUIDE_STATE, sinon l'emplacement par défaut).",
        show_default=False,
        dir_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Sortie JSON pour les scripts.")]


def _version_callback(value: bool) -> None:
    if value:
        print(f"tracesguide {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Affiche la version et quitte.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Guide TRACES NT."""


def _fail(error: TracesguideError) -> NoReturn:
    from tracesguide.sanitize import inert

    # Messages may quote untrusted text (a path, a value from a file): print it inert.
    print(f"tracesguide: erreur : {inert(error.message, single_line=True)}", file=sys.stderr)
    if error.hint:
        print(f"  {inert(error.hint, single_line=True)}", file=sys.stderr)
    sys.exit(error.exit_code)


def main() -> None:
    """Console-script entry point: run the app and map errors to exit codes."""
    try:
        app(prog_name="tracesguide", standalone_mode=True)
    except TracesguideError as error:
        _fail(error)
    except KeyboardInterrupt:
        _fail(Interrupted("interrompu.", "Relancez la même commande pour reprendre."))
    except BrokenPipeError:
        sys.exit(EXIT_INTERRUPTED)
