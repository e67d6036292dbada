"""Click and Typer in French: help screens, usage errors, the yes/no question.

The click vendored in typer 0.28 writes its texts in English, without gettext. Its
hooks are used instead: every command of the app gets a ``Context`` class whose help
formatter writes « Utilisation : » and which, just before a help screen is drawn, puts
typer's rich panel titles and labels in French and resolves option help given as a
catalog key (``help="cli.state_option"``). Usage errors, raised in non-standalone mode,
are rebuilt in French here from the exception's own fields (``french_usage_error``),
never passed through in English.

Nothing heavy is imported until a help screen or an error is shown: the reading
commands start as fast as before.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Iterator
from difflib import get_close_matches
from typing import Any

from typer import _click
from typer._click import exceptions as errors

# Typer's type names (shown in the help's type column) in French.
_TYPE_KEYS = {
    "str": "cli.type_text",
    "text": "cli.type_text",
    "path": "cli.type_path",
    "filename": "cli.type_path",
    "int": "cli.type_integer",
    "integer": "cli.type_integer",
    "int range": "cli.type_integer",
    "float": "cli.type_number",
    "float range": "cli.type_number",
    "choice": "cli.type_choice",
}
COMPLETE_VAR = "_TRACESGUIDE_COMPLETE"  # set by the shell when it asks for completions
# Both languages' words are understood, whatever the language shown.
YES = frozenset({"o", "oui", "y", "yes"})
NO = frozenset({"n", "non", "no"})


class FrenchHelpFormatter(_click.HelpFormatter):
    """The help formatter with a French usage line."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        from tracesguide.i18n import t

        super().write_usage(prog, args, t("cli.usage") if prefix is None else prefix)


class FrenchContext(_click.Context):
    """A context whose help screen is in French."""

    formatter_class = FrenchHelpFormatter
    latest: _click.Context | None = None  # the innermost command being parsed

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        FrenchContext.latest = self

    def get_help(self) -> str:
        french_help_screen(self)
        return super().get_help()


def commands(root: _click.Command) -> Iterator[_click.Command]:
    """The command and every command below it."""
    yield root
    for sub in getattr(root, "commands", {}).values():
        yield from commands(sub)


def french_context(command: _click.Command) -> None:
    """Give *command* and every command below it the French context."""
    for each in commands(command):
        each.context_class = FrenchContext


def frenchify(root: _click.Command, below: bool = True) -> _click.Command:
    """Give *root* (and, with *below*, every command of it) the French context and
    French completion options; returns *root*."""
    if below:
        french_context(root)
    root.context_class = FrenchContext
    for param in root.params:
        if param.name == "install_completion":
            param.help = "cli.install_completion"  # type: ignore[attr-defined]
            param.callback = _install_completion
        elif param.name == "show_completion":
            param.help = "cli.show_completion"  # type: ignore[attr-defined]
    if os.environ.get(COMPLETE_VAR):  # completion (zsh, fish) shows every option's help
        names = root.context_settings.get("help_option_names", ["--help"])
        for command in commands(root):
            _french_texts(FrenchContext(command, help_option_names=names))
    return root


def _install_completion(ctx: _click.Context, param: _click.Parameter, value: Any) -> None:
    """``--install-completion``: typer's installer, with its report in French."""
    if not value or ctx.resilient_parsing:
        return
    from typer._completion_shared import install

    from tracesguide.i18n import t

    shell, path = install(shell=value) if isinstance(value, str) else install()
    print(t("cli.completion_installed", shell=shell, path=path))
    sys.exit(0)


def _catalog_text(text: str | None) -> str | None:
    """*text* itself, or the catalog's sentence when *text* is a catalog key."""
    from tracesguide.i18n import catalog, t

    if text and text in catalog():
        return t(text)
    return text


def _french_texts(ctx: _click.Context) -> None:
    """The help texts of *ctx*'s command and of its options: catalog keys resolved."""
    command = ctx.command
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        help_option.help = "cli.help_option"
    command.help = _catalog_text(command.help)
    for param in command.get_params(ctx):
        if hasattr(param, "help"):
            param.help = _catalog_text(param.help)


def french_help_screen(ctx: _click.Context) -> None:
    """Put everything a help screen of *ctx* shows in French (called just before it)."""
    from typer import rich_utils

    from tracesguide.i18n import t
    from tracesguide.i18n.typography import keep_french_spaces

    keep_french_spaces()
    rich_utils.ARGUMENTS_PANEL_TITLE = t("cli.panel_arguments")
    rich_utils.OPTIONS_PANEL_TITLE = t("cli.panel_options")
    rich_utils.COMMANDS_PANEL_TITLE = t("cli.panel_commands")
    rich_utils.ERRORS_PANEL_TITLE = t("cli.panel_error")
    rich_utils.DEFAULT_STRING = t("cli.default")
    rich_utils.ENVVAR_STRING = t("cli.envvar")
    rich_utils.REQUIRED_LONG_STRING = t("cli.required")
    rich_utils.DEPRECATED_STRING = t("cli.deprecated")
    rich_utils.ABORTED_TEXT = t("cli.rich_aborted")
    rich_utils.RICH_HELP = t("cli.try_help")
    command = ctx.command
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = t("cli.subcommand_metavar")
    _french_texts(ctx)
    for sub in getattr(command, "commands", {}).values():
        sub.help = _catalog_text(sub.help)
        sub.short_help = _catalog_text(sub.short_help)
    for param in command.get_params(ctx):
        key = _TYPE_KEYS.get(param.type.name)
        if key is not None:  # a copy: the shared type objects keep their names
            param.type = copy.copy(param.type)
            param.type.name = t(key)


def french_usage_error(error: errors.ClickException) -> tuple[str, str]:
    """A click usage error in French: (the message, the command whose help to show,
    as the user can type it)."""
    from tracesguide.i18n import t
    from tracesguide.i18n.program import program

    # click's parser raises some errors without a context: the command being parsed.
    ctx = getattr(error, "ctx", None) or FrenchContext.latest
    # the help to ask for, typed as the program was started (.venv/bin/tracesguide …)
    below = ctx.command_path.split(" ")[1:] if ctx is not None else []
    command_path = " ".join([program(), *below])
    message = error.message if isinstance(error.message, str) else ""
    if isinstance(error, errors.NoSuchOption):
        text = t("cli.no_such_option", name=error.option_name)
        if error.possibilities:
            text += " " + t("cli.did_you_mean", names=", ".join(sorted(error.possibilities)))
    elif isinstance(error, errors.MissingParameter):
        text = _missing(error)
    elif isinstance(error, errors.BadParameter):
        text = _bad_value(error)
    elif isinstance(error, errors.BadOptionUsage):
        key = (
            "cli.option_takes_no_value" if "does not take" in message else "cli.option_needs_value"
        )
        text = t(key, name=error.option_name)
    elif message.startswith("No such command") and ctx is not None:
        text = _no_such_command(ctx, message)
    elif message.startswith("Got unexpected extra argument"):
        extra = re.search(r"\(([^()]*)\)$", message)
        text = t("cli.extra_arguments", values=extra[1] if extra else "")
    else:
        text = t("cli.bad_usage")
    return text, command_path


def _param_name(error: errors.BadParameter) -> str:
    param = error.param
    if param is None:
        return "?"
    if param.param_type_name == "argument":
        return (getattr(param, "metavar", None) or param.name or "?").upper()
    return max(param.opts, key=len) if param.opts else (param.name or "?")


def _missing(error: errors.MissingParameter) -> str:
    from tracesguide.i18n import t

    if error.param is None:
        return t("cli.missing_value")
    name = _param_name(error)
    if error.param.param_type_name == "argument":
        return t("cli.missing_argument", name=name)
    return t("cli.missing_option", name=name)


# click's messages for numbers (patterns compiled on first use: errors only)
_BAD_NUMBER = r"^'?(?P<value>.*?)'? is not a valid"
_OUT_OF_RANGE = r"^(?P<value>\S+) is not in the range"


def _bad_value(error: errors.BadParameter) -> str:
    from tracesguide.i18n import t

    name = _param_name(error)
    param_type = error.param.type if error.param is not None else None
    number = re.match(_BAD_NUMBER, error.message)
    if number and isinstance(param_type, _click.types._NumberParamTypeBase):
        return t("cli.bad_integer", name=name, value=number["value"])
    outside = re.match(_OUT_OF_RANGE, error.message)
    if outside and isinstance(param_type, _click.types._NumberRangeBase):
        return t(
            "cli.bad_range",
            name=name,
            value=outside["value"],
            low=param_type.min,
            high=param_type.max,
        )
    return t("cli.bad_value", name=name)


def _no_such_command(ctx: _click.Context, message: str) -> str:
    from tracesguide.i18n import t

    quoted = message.removeprefix("No such command").strip().split(".", 1)[0]
    name = quoted[1:-1] if quoted[:1] in "'\"" and len(quoted) > 1 else quoted
    text = t("cli.no_such_command", name=name)
    close = get_close_matches(name.lower(), list(getattr(ctx.command, "commands", {})))
    if close:
        text += " " + t("cli.did_you_mean", names=", ".join(close))
    return text


def confirm(question: str, *, default: bool = False) -> bool:
    """Ask a yes/no question in French: o/oui or n/non, Enter for *default*.

    Ctrl-C or the end of input raise ``typer.Abort`` (nothing was changed).
    """
    import typer

    from tracesguide.i18n import t

    choices = t("cli.confirm_choices_yes") if default else t("cli.confirm_choices")
    while True:
        try:
            answer = input(f"{question} {choices} ").strip().lower()
        except (KeyboardInterrupt, EOFError):
            print()
            raise typer.Abort() from None
        if not answer:
            return default
        if answer in YES:
            return True
        if answer in NO:
            return False
        print(t("cli.confirm_again"))
