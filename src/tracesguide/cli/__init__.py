"""The command line: thin Typer commands over the drivers.

Each command parses its options, calls one driver and prints its result. Domain
errors become one line on stderr and an exit code in ``main``, nowhere else.
Heavy imports (questionary, keyring, rich's console) happen inside the commands
that need them, so that the reading commands start fast.
"""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tracesguide import __version__
from tracesguide.cli.params import AccessibleOption, JsonOption, StateOption, argument, option
from tracesguide.system.errors import EXIT_INTERRUPTED, EXIT_USAGE, Interrupted, TracesguideError

if TYPE_CHECKING:
    from rich.console import Console
    from typer._click import Command

app = typer.Typer(
    name="tracesguide",
    help="help.tracesguide",
    no_args_is_help=True,  # bare `tracesguide`: the help, exit 0 (see main)
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        from tracesguide.i18n import t

        print(t("cli.version", version=__version__))
        raise typer.Exit()


def _lang_callback(value: str | None) -> str | None:
    """``--lang``: checked here; ``main`` chose it already (help screens included)."""
    from tracesguide.i18n import LANGUAGES

    if value is not None and value not in LANGUAGES:
        from tracesguide.i18n import t
        from tracesguide.system.errors import shorten

        known = "|".join(LANGUAGES)
        raise TracesguideError(t("cli.lang_unknown", value=shorten(value), languages=known))
    return value


def _choose_language(argv: list[str]) -> None:
    """``--lang X`` (before the command), else the locale; a state file's own language
    is followed later, when it is read, unless ``--lang`` was given."""
    from tracesguide import i18n

    for index, arg in enumerate(argv):
        value = None
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in i18n.LANGUAGES:
            i18n.set_language(value, chosen=True)
            return
    i18n.set_language(i18n.from_environment())


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="cli.version_option",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="fr|en",
            help="cli.lang_option",
            callback=_lang_callback,
            is_eager=True,
        ),
    ] = None,
) -> None:
    """The root of the command line: ``--version`` and ``--lang``."""


def _console(stderr: bool = False) -> "Console":
    from rich.console import Console

    from tracesguide.i18n.typography import keep_french_spaces

    keep_french_spaces()  # no line starts with « : » or ends with «
    # highlight=False: never colour numbers or paths found inside untrusted text.
    return Console(stderr=stderr, highlight=False)


@app.command("setup", help="help.setup")
def setup_command(
    state: StateOption = None,
    answers: Annotated[
        Path | None,
        option("--answers", "help.setup_answers"),
    ] = None,
    accessible: AccessibleOption = False,
) -> None:
    """``setup``: its help is ``help.setup`` in the catalog."""
    from tracesguide.wizard.session import accessible_mode, run_setup

    run_setup(state, answers, accessible_mode(accessible))


@app.command("edit", help="help.edit")
def edit_command(
    answer: Annotated[
        str | None,
        argument("[RÉPONSE]", "help.edit_answer"),
    ] = None,
    state: StateOption = None,
    accessible: AccessibleOption = False,
) -> None:
    """``edit``: its help is ``help.edit`` in the catalog."""
    from tracesguide.wizard.edit import run_edit
    from tracesguide.wizard.session import accessible_mode

    run_edit(state, answer, accessible_mode(accessible))


@app.command("reset", help="help.reset")
def reset_command(
    state: StateOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="help.reset_yes")] = False,
) -> None:
    """``reset``: its help is ``help.reset`` in the catalog."""
    from tracesguide.system.sanitize import inert
    from tracesguide.wizard.session import run_reset

    print(inert(run_reset(state, yes)))  # the file's own name never reaches it raw


@app.command("steps", help="help.steps")
def steps_command(state: StateOption = None) -> None:
    """``steps``: its help is ``help.steps`` in the catalog."""
    from tracesguide.content import load
    from tracesguide.engine import progress
    from tracesguide.reports.status import open_state
    from tracesguide.views.render import steps_table

    path, saved = open_state(state)  # first: its language, unless --lang
    content = load()
    console = _console()
    console.print(steps_table(content, progress(content, saved) if saved else None))
    if saved is None:
        from tracesguide.i18n import t
        from tracesguide.system.hints import command
        from tracesguide.views.render import say_line

        say_line(console, t("status.not_started", command=command("setup", path)))


@app.command("show", help="help.show")
def show_command(
    step_id: Annotated[str, typer.Argument(metavar="STEP_ID", help="help.show_step_id")],
    state: StateOption = None,
    sources: Annotated[
        bool,
        typer.Option("--sources", help="help.show_sources"),
    ] = False,
) -> None:
    """``show``: its help is ``help.show`` in the catalog."""
    from tracesguide.content import load
    from tracesguide.reports.status import open_state, require_step
    from tracesguide.views.render import step_view

    _, saved = open_state(state)  # first: its language, unless --lang
    content = load()
    answers = saved.answers if saved else {}
    step = require_step(content, step_id, answers)
    _console().print(step_view(content, step, answers, full_sources=sources))


@app.command("status", help="help.status")
def status_command(state: StateOption = None, json_output: JsonOption = False) -> None:
    """``status``: its help is ``help.status`` in the catalog."""
    from tracesguide.content import load
    from tracesguide.reports.status import open_state, status_report

    if json_output:
        _status_json(state)
        return
    path, saved = open_state(state)  # first: its language, unless --lang
    content = load()
    report = status_report(content, path, saved)
    from tracesguide.views.status import print_status

    print_status(_console(), content, report, seen=report.situation)


def _status_json(option: Path | None) -> None:
    """``status --json``: the record, or for a file that cannot be used the ``{path,
    error}`` record ``check --json`` gives on stdout, the error's line on stderr and its
    exit code."""
    import json

    from tracesguide.content import load
    from tracesguide.reports.status import open_state, status_report
    from tracesguide.system.paths import resolve_state_path
    from tracesguide.system.sanitize import inert

    try:
        path, saved = open_state(option)  # first: its language, unless --lang
    except TracesguideError as error:  # unusable, or a name the system refuses
        try:
            shown: Path | str = resolve_state_path(option)[0]
        except TracesguideError:
            shown = option if option is not None else ""
        print(json.dumps({"path": str(shown), "error": inert(error.message, single_line=True)}))
        raise  # and the one line on stderr, with the error's exit code
    # ensure_ascii, as check: exact values, and no raw control or bidi character from
    # a state file (a blocked reason is its text) ever reaches the terminal.
    print(json.dumps(status_report(load(), path, saved).as_json()))


@app.command("replay", help="help.replay")
def replay_command(
    file: Annotated[Path, argument("FILE", "help.replay_file")],
    step: Annotated[
        str | None,
        typer.Option("--step", help="help.replay_step"),
    ] = None,
    html: Annotated[
        Path | None,
        option("--html", "help.replay_html"),
    ] = None,
    redact: Annotated[
        Path | None,
        option("--redact", "help.replay_redact", metavar="FICHIER"),
    ] = None,
    bundle: Annotated[
        Path | None,
        option("--bundle", "help.replay_bundle", metavar="FICHIER.zip"),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="help.replay_full")] = False,
) -> None:
    """``replay``: its help is ``help.replay`` in the catalog."""
    from tracesguide.views.replay import load_for_replay, print_report

    if html is not None or redact is not None or bundle is not None:
        from tracesguide.views.html import refuse_target

        for out, name in ((html, "--html"), (redact, "--redact"), (bundle, "--bundle")):
            if out is not None:
                refuse_target(out, [file], name)
    content, saved = load_for_replay(file, step)
    if bundle is not None:
        from rich.text import Text

        from tracesguide.i18n import t
        from tracesguide.system.sanitize import inert
        from tracesguide.views.html.bundle import write_bundle

        def show(summary: str) -> None:
            _console().print(Text(summary), soft_wrap=True)  # whole lines to copy

        write_bundle(content, file, saved, bundle, show)
        _console().print(Text(t("bundle.written", path=inert(str(bundle), single_line=True))))
        if html is None and redact is None:
            return
    if redact is not None:
        from rich.text import Text

        from tracesguide.i18n import t
        from tracesguide.system.sanitize import inert
        from tracesguide.views.html import write_redacted

        write_redacted(content, file, saved, redact)
        _console().print(Text(t("redact.written", path=inert(str(redact), single_line=True))))
        if html is None:
            return
    if html is None:
        print_report(_console(), content, file, saved, step, full)
        return
    from tracesguide.views.html.replay_page import write_html

    write_html(content, file, saved, step, html)
    _report_written(html)


def _report_written(out: Path) -> None:
    from rich.text import Text

    from tracesguide.i18n import t
    from tracesguide.system.sanitize import inert

    _console().print(Text(t("cli.report_written", path=inert(str(out), single_line=True))))


@app.command("check", help="help.check")
def check_command(
    paths: Annotated[
        list[Path] | None,
        argument("[CHEMIN]...", "help.check_paths"),
    ] = None,
    require: Annotated[
        str | None,
        typer.Option(
            "--require",
            metavar="JALON",
            help="help.check_require",
        ),
    ] = None,
    json_output: JsonOption = False,
    html: Annotated[
        Path | None,
        option("--html", "help.check_html", metavar="FICHIER"),
    ] = None,
    csv_out: Annotated[
        Path | None,
        option("--csv", "help.check_csv", metavar="FICHIER.csv"),
    ] = None,
) -> None:
    """``check``: its help is ``help.check`` in the catalog."""
    from tracesguide.content import load
    from tracesguide.reports.check import check_milestone, run

    content = load()
    check_milestone(content, require)
    if html is not None:
        from tracesguide.views.html.folder_page import write as write_page

        code = write_page(content, paths or [], require, html)
        _report_written(html)
        raise typer.Exit(code)
    if csv_out is not None:
        from tracesguide.views.check_csv import write as write_csv

        code = write_csv(content, paths or [], require, csv_out)
        _report_written(csv_out)
        raise typer.Exit(code)
    from tracesguide.views.check import print_table, shown_answers, write_json_lines

    # the same records for both, the names, e-mail and operator kept beside them
    results = run(content, paths or [], require, keep=shown_answers(content))
    if json_output:
        raise typer.Exit(write_json_lines(results, sys.stdout))
    raise typer.Exit(print_table(_console(), content, results, require))


@app.command("troubleshoot", help="help.troubleshoot")
def troubleshoot_command(
    problem: Annotated[
        str | None,
        argument("[PROBLEM]", "help.troubleshoot_problem"),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """``troubleshoot``: its help is ``help.troubleshoot`` in the catalog."""
    from tracesguide.cli.troubleshoot import run, your_answers
    from tracesguide.content import load
    from tracesguide.content.placeholders import personal

    run(personal(load(), your_answers()), _console(), problem, json_output)


@app.command("doctor", help="help.doctor")
def doctor_command(
    state: StateOption = None,
    json_output: JsonOption = False,
    online: Annotated[bool, typer.Option("--online", help="help.doctor_online")] = False,
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="fr|en", help="cli.lang_option", callback=_lang_callback),
    ] = None,
) -> None:
    """``doctor``: its help is ``help.doctor`` in the catalog."""
    from tracesguide.reports.doctor import run

    report = run(state, online=online)
    if json_output:
        import json

        print(json.dumps(report.as_json()))  # ensure_ascii, as status and check
    else:
        from tracesguide.views.doctor import print_report

        print_report(_console(), report)
    raise typer.Exit(report.exit_code())


from tracesguide.cli.operators import operators_app  # noqa: E402  (a sub-app: cheap to import)

app.add_typer(operators_app, name="operators")


def _fail(error: TracesguideError) -> NoReturn:
    from tracesguide.i18n import t
    from tracesguide.system.errors import bounded
    from tracesguide.system.sanitize import inert

    # One line: what went wrong, then what to do. Messages may quote untrusted text
    # (a path, a value from a file): print it inert, and never a value whole (bounded).
    # A Ctrl-C is the user's choice, not an error: « Interrompu. », without « erreur ».
    key = "cli.stopped" if isinstance(error, Interrupted) else "cli.error"
    line = t(key, message=bounded(error.message))
    if error.hint:
        line = t("cli.error_hint", line=line, hint=bounded(error.hint))
    _say(inert(line, single_line=True))
    sys.exit(error.exit_code)


def _say(line: str) -> None:
    """Print a one-line message on stderr. For a script (not a terminal) it stays one
    line; on a terminal it wraps at word boundaries, so that the terminal never cuts a
    word, a path or a URL at its right edge."""
    if sys.stderr.isatty():
        import shutil
        import textwrap

        width = shutil.get_terminal_size((80, 24)).columns
        wrapped = textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False)
        line = "\n".join(wrapped) or line
    print(line, file=sys.stderr)


def _usage_error(error: typer.TyperException) -> NoReturn:
    """A click usage error (unknown option, missing argument...) as one French line."""
    from tracesguide.i18n import t
    from tracesguide.i18n.library import french_usage_error
    from tracesguide.system.errors import bounded
    from tracesguide.system.sanitize import inert

    message, command = french_usage_error(error)  # type: ignore[arg-type]
    _say(inert(t("cli.usage_error", message=bounded(message), command=command), single_line=True))
    sys.exit(getattr(error, "exit_code", EXIT_USAGE))


# The click command typer builds from ``app``, once per process and language: building
# it (every command, option and help key) is most of an in-process run's time. A help
# screen writes its language's texts into it, hence one per language.
_built: dict[str, "Command"] = {}


def _command() -> "Command":
    from typer.main import get_command

    from tracesguide.cli.build import lazy_command
    from tracesguide.i18n import language
    from tracesguide.i18n.library import COMPLETE_VAR, french_context, frenchify

    if os.environ.get(COMPLETE_VAR):  # completion writes every text in: never kept
        return frenchify(get_command(app))
    if language() not in _built:
        _built[language()] = frenchify(lazy_command(app, french_context), below=False)
    return _built[language()]


def main() -> None:
    """Console-script entry point: run the app and map errors to exit codes."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError

    from tracesguide.system.interrupts import install

    install()  # also when called directly (tests): a second Ctrl-C waits for the cleanup
    _replace_unshowable()
    _choose_language(sys.argv[1:])
    try:
        code = _command().main(prog_name="tracesguide", standalone_mode=False)
    except TracesguideError as error:
        _fail(error)
    except NoArgsIsHelpError:  # a bare group: its help was shown, which is no error
        sys.exit(0)
    except typer.Abort:  # Ctrl-C or end of input at a confirmation (reset)
        from tracesguide.i18n import t

        _fail(Interrupted(t("cli.aborted"), None))
    except KeyboardInterrupt:
        from tracesguide.i18n import t

        _fail(Interrupted(t("cli.interrupted"), t("cli.interrupted_hint")))
    except ClickException as error:  # click's usage errors (bad option, missing value)
        _usage_error(error)
    except BrokenPipeError:
        sys.exit(EXIT_INTERRUPTED)
    except OSError as error:  # the safety net: a path no writer or reader caught
        from tracesguide.system.files import os_failure

        _fail(os_failure(error, Path.cwd()))
    if code == EXIT_INTERRUPTED:  # typer turned a KeyboardInterrupt into exit 130, silently
        from tracesguide.i18n import t

        _fail(Interrupted(t("cli.interrupted"), t("cli.interrupted_hint")))
    sys.exit(code if isinstance(code, int) else 0)


def _replace_unshowable() -> None:
    """Any stdout/stderr encoding works (latin-1, ASCII under LC_ALL=C): a character it
    cannot show is replaced, never a UnicodeEncodeError."""
    import io

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
