"""The click command of the typer app, each subcommand built when it is first needed.

typer builds every command of an app (its options, their help and types) before running
one; for a reading command that is most of the tool's own start-up. Here the root group
is built alone and its subcommands are built on first use (``Commands``): running
``status --json`` builds ``status`` only, while a help screen, a suggestion for a mistyped
command or shell completion, which list them, build them all, with the same result as
typer's ``get_command`` (``tests/test_cli_build.py`` compares them).
"""

from collections.abc import Callable, Iterator, MutableMapping
from functools import partial
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    import typer
    from typer._click import Command
    from typer.core import MarkupMode

Builder = Callable[[], "Command"]


class _Settings(TypedDict):
    pretty_exceptions_short: bool
    rich_markup_mode: "MarkupMode"


class Commands(MutableMapping[str, "Command"]):
    """A group's subcommands by name, in their order, each built (then *prepared*) once."""

    def __init__(self, builders: dict[str, Builder], prepare: Callable[["Command"], object]):
        self._builders = builders
        self._built: dict[str, Command] = {}
        self._prepare = prepare

    def __getitem__(self, name: str) -> "Command":
        if name not in self._built:
            command = self._builders[name]()  # KeyError for an unknown name, as a dict
            self._prepare(command)
            self._built[name] = command
        return self._built[name]

    def __setitem__(self, name: str, command: "Command") -> None:
        self._builders.setdefault(name, lambda: command)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._builders[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def __contains__(self, name: object) -> bool:
        return name in self._builders


def lazy_command(app: "typer.Typer", prepare: Callable[["Command"], object]) -> "Command":
    """``typer.main.get_command(app)``, its subcommands built on first use and *prepared*
    (the root itself is left as typer builds it)."""
    from typer.main import get_command, get_command_from_info, get_group_from_info

    commands, groups = app.registered_commands, app.registered_groups
    app.registered_commands, app.registered_groups = [], []
    try:
        root = get_command(app)  # the group, its own options (--version, --lang, completion)
    finally:
        app.registered_commands, app.registered_groups = commands, groups
    settings = _Settings(  # how typer builds each of them, as for the whole app
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )
    builders: dict[str, Builder] = {}
    for info in commands:
        assert info.name, "every command is registered with its name"
        builders[info.name] = partial(get_command_from_info, info, **settings)
    for group in groups:
        assert group.name, "every sub-app is added with its name"
        builders[group.name] = partial(
            get_group_from_info, group, suggest_commands=app.suggest_commands, **settings
        )
    root.commands = Commands(builders, prepare)  # type: ignore[attr-defined]
    return root
