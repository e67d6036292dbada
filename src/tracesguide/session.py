"""The writing commands' drivers: run `setup` (wizard or answers file) and `reset`."""

from __future__ import annotations

import sys
from pathlib import Path

from tracesguide.errors import Interrupted, TracesguideError
from tracesguide.hints import command, resume_hint
from tracesguide.paths import resolve_state_path
from tracesguide.state import State
from tracesguide.state import store as state_module
from tracesguide.typography import keep_french_spaces


def no_terminal_hint(path: Path) -> str:
    from tracesguide.i18n import t

    return t(
        "session.no_terminal_hint",
        setup=command("setup", path),
        answers=command("setup --answers FICHIER", path),
    )


def _load_or_new(path: Path) -> State:
    if path.exists() or path.is_symlink():
        return state_module.load(path)
    return State.new()


def run_setup(state_option: Path | None, answers_file: Path | None) -> str:
    """Run the setup flow; returns how it ended (complete, ended, blocked, later)."""
    from rich.console import Console

    from tracesguide.content import load
    from tracesguide.flow import Flow, Prompter
    from tracesguide.i18n import t

    content = load()
    path, _ = resolve_state_path(state_option)
    state = _load_or_new(path)  # a bad file stops here, untouched, before any lock
    console = Console(highlight=False)
    keep_french_spaces()
    prompter: Prompter
    if answers_file is not None:
        from tracesguide.answers import AnswersPrompter, read

        prompter = AnswersPrompter(read(answers_file, content), console)
    else:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise TracesguideError(t("session.no_terminal"), no_terminal_hint(path))
        from tracesguide.wizard import QuestionaryPrompter

        prompter = QuestionaryPrompter(console)
    with state_module.locked(path, timeout=0.5):
        state = _load_or_new(path)  # read again under the lock: the file is ours now
        flow = Flow(content, state, path, prompter, console)
        try:
            return flow.run().how
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
    if not (path.exists() or path.is_symlink()):
        return t("session.nothing_to_reset", path=path)
    state_module.load(path)  # refuse (untouched) anything that is not ours, before asking
    if not yes:
        if not sys.stdin.isatty():
            raise TracesguideError(
                t("session.no_confirmation"),
                t("session.no_confirmation_hint", command=command("reset --yes", path)),
            )
        from tracesguide.cli_french import confirm

        if not confirm(t("session.confirm_reset", path=path), default=False):
            return t("session.unchanged")
    with state_module.locked(path, timeout=0.5):
        if not (path.exists() or path.is_symlink()):
            return t("session.nothing_to_reset", path=path)
        data = state_module.read_bytes(path)  # read again under the lock: what we keep
        state_module.parse_bytes(data, path)
        backup = state_module.backup(path, data)
        path.unlink()
    from tracesguide import secrets

    secrets.forget_phone()
    return t("session.reset_done", backup=backup, command=command("setup", path))
