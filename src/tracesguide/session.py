"""The writing commands' drivers: run `setup` (wizard or answers file) and `reset`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tracesguide import state as state_module
from tracesguide.errors import Interrupted, TracesguideError
from tracesguide.hints import command, resume_hint
from tracesguide.paths import resolve_state_path
from tracesguide.state import State
from tracesguide.typography import keep_french_spaces


def no_terminal_hint(path: Path) -> str:
    return (
        f"Lancez « {command('setup', path)} » dans un terminal, ou sans terminal : "
        f"« {command('setup --answers FICHIER', path)} » (exemple : docs/examples/answers.toml)."
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
            raise TracesguideError(
                "pas de terminal interactif pour poser les questions.", no_terminal_hint(path)
            )
        from tracesguide.wizard import QuestionaryPrompter

        prompter = QuestionaryPrompter(console)
    with state_module.locked(path, timeout=0.5):
        state = _load_or_new(path)  # read again under the lock: the file is ours now
        flow = Flow(content, state, path, prompter, console)
        try:
            return flow.run().how
        except KeyboardInterrupt:
            raise Interrupted(
                "interrompu. Toutes les étapes terminées sont enregistrées.",
                resume_hint(path),
            ) from None
        except EOFError:
            raise TracesguideError(
                "entrée terminée (EOF) avant la réponse. Les étapes terminées sont enregistrées.",
                no_terminal_hint(path),
            ) from None


def run_reset(state_option: Path | None, yes: bool) -> str:
    """Start over: back the old state up (timestamped) and remove it. Returns a message."""
    path, _ = resolve_state_path(state_option)
    if not (path.exists() or path.is_symlink()):
        return f"Rien à réinitialiser : aucun fichier d'état à {path}."
    data = state_module.read_bytes(path)
    state_module.parse_bytes(data, path)  # refuse (untouched) anything that is not ours
    if not yes:
        if not sys.stdin.isatty():
            raise TracesguideError(
                "confirmation impossible sans terminal.",
                f"Ajoutez --yes pour confirmer : « {command('reset --yes', path)} ».",
            )
        from tracesguide.cli_french import confirm

        if not confirm(
            f"Recommencer depuis le début ? L'état actuel ({path}) sera sauvegardé.",
            default=False,
        ):
            return "Rien n'a été changé."
    with state_module.locked(path, timeout=0.5):
        backup = state_module.backup_path(path)
        fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    from tracesguide import secrets

    secrets.forget_phone()
    return f"État sauvegardé dans {backup}. Recommencez avec : {command('setup', path)}"
