"""Cold start of the reading commands against ``python -c "import typer"``.

Runs each command as a whole process (best of N), in the venv this Python belongs to,
with a real state file and compiled bytecode (as a regular install has), and prints the
ratio to the time of importing typer alone.
Targets: ``status --json`` and ``check --json FILE`` within 1.3x (the machine-facing
reading commands); the others are shown for information.

    python benchmarks/bench_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracesguide.content import load
from tracesguide.engine import progress
from tracesguide.state import State
from tracesguide.state import store as state_module


def best_of(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, float]:
    """Best wall time of each command, the commands taking turns so that drift in the
    machine's load touches them all alike."""
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(runs):
        for label, command in commands.items():
            start = time.perf_counter()
            done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL)
            if done.returncode not in (0, 1):  # check says 1 for "not complete yet"
                raise SystemExit(f"{label} failed with exit code {done.returncode}")
            best[label] = min(best[label], time.perf_counter() - start)
    return best


# The rich modules the human forms draw with (a console, text, a table, a panel).
RICH_FLOOR = "import typer, rich.console, rich.text, rich.table, rich.panel"


def sample_state(path: Path) -> None:
    """A user half-way: every step done up to the operator stage, as the wizard saves it."""
    content = load()
    state = State.new()
    answers = {
        "first_name": "Camille",
        "last_name": "EXEMPLE",
        "email": "camille.exemple@exemple.fr",
        "email_language": "fr",
        "second_factor_method": "app",
        "role": "operator",
    }
    while True:
        step = progress(content, state).next_step
        if step is None or step.stage == "operator":
            break
        state.record("shown", step.id)
        for question in step.ask:
            if question.key in answers:
                state.answer(question.key, answers[question.key], step=step.id)
        state.record("done", step.id)
    state_module.save(state, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    # Bytecode as a regular install has it (pip compiles it): never measure compiling.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    import compileall

    import tracesguide

    compileall.compile_dir(Path(tracesguide.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.toml"
        sample_state(path)
        script = [sys.executable, "-m", "tracesguide"]
        exe = Path(sys.executable).with_name("tracesguide")
        launcher = [str(exe)] if exe.exists() else script
        state = ["--state", str(path)]
        commands = {
            "python -c 'import typer'": [sys.executable, "-c", "import typer"],
            "tracesguide status --json": [*launcher, "status", "--json", *state],
            "tracesguide check --json FILE": [*launcher, "check", "--json", str(path)],
            "tracesguide status": [*launcher, "status", *state],
            "tracesguide steps": [*launcher, "steps", *state],
            "tracesguide show eu-login.form": [*launcher, "show", "eu-login.form", *state],
            "tracesguide --version": [*launcher, "--version"],
            # the floor of the human forms: what importing rich's drawing costs by itself
            "python -c 'import typer, rich...'": [sys.executable, "-c", RICH_FLOOR],
        }
        times = best_of(commands, args.runs, env)
        baseline = times["python -c 'import typer'"]
        for label, seconds in times.items():
            print(f"{label:<36}{seconds * 1000:7.1f} ms  ({seconds / baseline:.2f}x)")
        print(f"best of {args.runs} runs each, taking turns; Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
