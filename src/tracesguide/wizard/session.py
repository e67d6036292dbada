"""The writing commands' drivers: run `setup` (wizard or answers file) and `reset`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracesguide.i18n.typography import keep_french_spaces
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.system.errors import Interrupted, TracesguideError
from tracesguide.system.hints import command, resume_hint
from tracesguide.system.paths import resolve_state_path

if TYPE_CHECKING:
    from rich.console import Console

    from tracesguide.content import Content
    from tracesguide.reports.setup import Ending
    from tracesguide.wizard.flow import Presenter
    from tracesguide.wizard.prompter import QuestionaryPrompter


def no_terminal_hint(path: Path) -> str:
    from tracesguide.i18n import t

    return t(
        "session.no_terminal_hint",
        setup=command("setup", path),
        answers=command("setup --answers FICHIER", path),
    )


def accessible_mode(option: bool) -> bool:
    """Screen-reader mode: ``--accessible``, or the environment variable ACCESSIBLE set."""
    return option or bool(os.environ.get("ACCESSIBLE"))


def make_prompter(
    console: Console, accessible: bool, navigation: bool = True
) -> QuestionaryPrompter:
    """The interactive prompter: menus with the arrow keys, or numbered plain lines."""
    from tracesguide.wizard.prompter import AccessiblePrompter, QuestionaryPrompter

    if accessible:
        from tracesguide.views.render import set_plain

        set_plain(True)
        return AccessiblePrompter(console, navigation)
    return QuestionaryPrompter(console, navigation)


def make_presenter(content: Content, console: Console, mode: str) -> Presenter:
    """The presenter of a mode: ``terminal``, ``accessible`` or ``answers``."""
    from tracesguide.views.presenters import AnswersPresenter, PlainPresenter, TerminalPresenter

    kinds = {"terminal": TerminalPresenter, "accessible": PlainPresenter}
    return kinds.get(mode, AnswersPresenter)(content, console)


def absent(path: Path) -> bool:
    """Nothing at *path*: no file, no link. A path the system will not look at (a folder
    closed to this user, a name too long) is not absent: reading it says why, with the
    path, rather than « nothing saved »."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _load_or_new(path: Path) -> State:
    """The saved state (whose language is followed unless --lang), or a new one in the
    language chosen."""
    from tracesguide.i18n import follow, language

    if not absent(path):
        state = state_module.load(path)
        follow(state.language)
        return state
    return State.new(language=language())


def run_setup(
    state_option: Path | None, answers_file: Path | None, accessible: bool = False
) -> Ending:
    """Run the setup flow; returns how it ended (complete, ended, blocked, later)."""
    from rich.console import Console

    from tracesguide.content import load
    from tracesguide.i18n import t
    from tracesguide.wizard.flow import Flow, Prompter

    path, _ = resolve_state_path(state_option)
    state = _load_or_new(path)  # a bad file stops here, untouched, before any lock
    content = load()  # in the state's language, unless --lang
    console = Console(highlight=False, no_color=accessible or None)
    keep_french_spaces()
    prompter: Prompter
    if answers_file is not None:
        from tracesguide.wizard.answers import AnswersPrompter, read

        prompter = AnswersPrompter(read(answers_file, content), console)
        mode = "answers"
    else:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise TracesguideError(t("session.no_terminal"), no_terminal_hint(path))
        prompter = make_prompter(console, accessible)
        mode = "accessible" if accessible else "terminal"
    presenter = make_presenter(content, console, mode)
    with state_module.locked(path, timeout=0.5):
        state = _load_or_new(path)  # read again under the lock: the file is ours now
        # A person's answers are saved one by one; an answers file's once per step.
        flow = Flow(content, state, path, prompter, presenter, save_each_answer=mode != "answers")
        try:
            return flow.run().ending
        except KeyboardInterrupt:
            raise Interrupted(t("session.interrupted"), resume_hint(path)) from None
        except EOFError:
            raise TracesguideError(t("session.eof"), no_terminal_hint(path)) from None


def run_reset(state_option: Path | None, yes: bool) -> str:
    """Start over: back the old state up (timestamped) and remove it. Returns a message.

    The file is read, backed up and deleted under the lock ``setup`` holds for its whole
    run: a reset never deletes progress a running ``setup`` has just saved.
    """
    from tracesguide.i18n import t

    path, _ = resolve_state_path(state_option)
    if absent(path):
        return t("session.nothing_to_reset", path=path)
    state_module.load(path)  # refuse (untouched) anything that is not ours, before asking
    if not yes:
        if not sys.stdin.isatty():
            raise TracesguideError(
                t("session.no_confirmation"),
                t("session.no_confirmation_hint", command=command("reset --yes", path)),
            )
        from tracesguide.i18n.library import confirm
        from tracesguide.system.sanitize import inert

        shown = inert(str(path), single_line=True)  # the file's own name: never raw
        if not confirm(t("session.confirm_reset", path=shown), default=False):
            return t("session.unchanged")
    with state_module.locked(path, timeout=0.5):
        if absent(path):
            return t("session.nothing_to_reset", path=path)
        data = state_module.read_bytes(path)  # read again under the lock: what we keep
        state_module.parse_bytes(data, path)
        backup = state_module.backup(path, data)
        path.unlink()
    from tracesguide.system import secrets

    secrets.forget_phone()
    return t("session.reset_done", backup=backup, command=command("setup", path))
