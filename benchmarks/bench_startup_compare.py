"""Cold start of one command, the code of several source trees taking turns.

Each tree (a ``src/`` folder, e.g. of a ``git worktree`` at an older commit) runs as
``python -m tracesguide ARGS`` with ``PYTHONPATH`` set to it, in this venv, so that only
the code differs; the trees and ``python -c "import typer"`` take turns, run after run,
so that drift in the machine's load touches them all alike. Prints the best of N runs
and the ratio to ``import typer``.

    git worktree add /tmp/before 3e47d0a
    python benchmarks/bench_startup_compare.py now=src before=/tmp/before/src \
        -- status --json --state STATE.toml
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], usage="%(prog)s NAME=SRC... [--runs N] -- ARGS..."
    )
    parser.add_argument("trees", nargs="+", metavar="NAME=SRC", help="a name and a src/ folder")
    parser.add_argument("--runs", type=int, default=30)
    mine, _, rest = " ".join(sys.argv[1:]).partition(" -- ")
    args = parser.parse_args(mine.split())
    command = rest.split() or ["--version"]
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs: dict[str, tuple[list[str], dict[str, str]]] = {}
    for tree in args.trees:
        name, _, src = tree.partition("=")
        env = {**base, "PYTHONPATH": os.path.abspath(src)}
        runs[name] = ([sys.executable, "-m", "tracesguide", *command], env)
    runs["import typer"] = ([sys.executable, "-c", "import typer"], base)
    for name, (argv, env) in runs.items():  # compile the bytecode first, as an install does
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        if done.returncode not in (0, 1):
            sys.exit(f"{name}: exit {done.returncode}: {done.stderr.decode()[-300:]}")
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.runs):
        for name, (argv, env) in runs.items():
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            best[name] = min(best[name], time.perf_counter() - start)
    typer_time = best["import typer"]
    print(f"tracesguide {' '.join(command)} (best of {args.runs}, taking turns)")
    for name, seconds in best.items():
        print(f"  {name:<14} {seconds * 1000:6.1f} ms  ({seconds / typer_time:.3f}x import typer)")


if __name__ == "__main__":
    main()
