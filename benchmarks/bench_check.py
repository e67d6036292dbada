"""Benchmark of ``tracesguide check``: throughput over many files, and cold start.

Generates state files (10 000 by default) with varied progress, as the wizard writes
them: ``shown``, ``answer`` and ``done`` events step by step on the app, SMS (both
routes), "no certificate yet" and "not an operator" paths, cut at a random step, with
some problems reported and some "later"; each file is written with the real
``state.dumps``. Then measures, whole process, best of N runs:

- ``tracesguide check --json DIR`` over all the files: files per second
  (target ≥ 5 000 files/s on a 2-core machine);
- ``tracesguide check --json FILE`` against ``python -c "import typer"`` in the same
  venv (target: within 1.3×).

    python benchmarks/bench_check.py [--files 10000] [--runs 5] [--starts 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracesguide.content import Content, load
from tracesguide.engine import progress
from tracesguide.state import State
from tracesguide.state import store as state_module

FIRST = "Camille Léa Jean Anne Marc Élodie Hugo Inès Paul Zoé Noël Chloé".split()
LAST = "MARTIN BERNARD DUBOIS THOMAS ROBERT RICHARD PETIT DURAND LEROY MOREAU".split()
BASE = {
    "email_language": "fr",
    "second_factor_method": "app",
    "role": "operator",
    "has_certificate": "yes",
    "operator_name": "ALPRO Comm.V.A.",
    "operator_traces_number": "BE-ORG-OP-5",
}
PROFILES = {
    "app": {},
    "sms-traces": {"second_factor_method": "sms", "sms_route": "traces"},
    "sms-direct": {"second_factor_method": "sms", "sms_route": "direct"},
    "no-certificate": {"has_certificate": "no"},
    "control-body": {"role": "control-body"},
}
Action = tuple[str, str, str]  # (kind, step, detail); kind "answer" has detail = key


def actions(content: Content, answers: dict[str, str]) -> list[Action]:
    """What the wizard records along one path, to the end (computed once per profile)."""
    state = State.new(now=datetime(2026, 1, 1, tzinfo=UTC))
    done: list[Action] = []
    while True:
        nxt = progress(content, state).next_step
        if nxt is None:
            return done
        done.append(("shown", nxt.id, ""))
        state.record("shown", nxt.id)
        for question in nxt.ask:
            keys = (
                ("operator_name", "operator_traces_number")
                if question.key == "operator"
                else (question.key,)
            )
            for key in keys:
                if key == "phone":
                    key = "phone_masked"
                    answers = {**answers, key: "+33 6 •• •• •• 78"}
                if key in answers:
                    state.answer(key, answers[key], step=nxt.id)
                    done.append(("answer", nxt.id, key))
        status = progress(content, state).status_of(nxt.id)
        if status.status == "blocked":
            state.record("blocked", nxt.id, status.reason)
            done.append(("blocked", nxt.id, status.reason))
            return done
        state.record("done", nxt.id)
        done.append(("done", nxt.id, ""))


def make_state(
    rng: random.Random, profile: dict[str, str], path_actions: list[Action], index: int
) -> State:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    answers = {
        **BASE,
        **profile,
        "first_name": first,
        "last_name": last,
        "email": f"{first.lower()}.{last.lower()}{index}@exemple.fr",
    }
    if answers["second_factor_method"] == "sms":
        answers["phone_masked"] = f"+33 6 •• •• •• {rng.randrange(100):02d}"
    moment = datetime(2026, 1, 5, 8, tzinfo=UTC) + timedelta(minutes=rng.randrange(200_000))
    state = State.new(now=moment)
    cut = len(path_actions) if rng.random() < 0.2 else rng.randrange(len(path_actions) + 1)
    for kind, step, detail in path_actions[:cut]:
        moment += timedelta(seconds=rng.randrange(5, 600))
        if kind == "answer":
            state.answer(detail, answers[detail], step=step, now=moment)
        else:
            state.record(kind, step, detail, now=moment)
        if kind == "shown" and rng.random() < 0.04:
            moment += timedelta(minutes=rng.randrange(1, 40))
            state.record("problem", step, "autre", now=moment)
            if rng.random() < 0.5:
                state.record("later", step, now=moment)
                moment += timedelta(hours=rng.randrange(1, 72))
    return state


def generate(folder: Path, count: int, seed: int) -> None:
    content = load()
    rng = random.Random(seed)
    paths = {
        name: actions(content, {**BASE, **extra, "first_name": "x", "last_name": "x", "email": "x"})
        for name, extra in PROFILES.items()
    }
    names = list(PROFILES)
    weights = [50, 10, 10, 15, 5]
    for index in range(count):
        name = rng.choices(names, weights)[0]
        state = make_state(rng, PROFILES[name], paths[name], index)
        (folder / f"user-{index:05d}.toml").write_bytes(state_module.dumps(state))


def command() -> list[str]:
    script = Path(sys.executable).with_name("tracesguide")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tracesguide"]


# As a regular install: bytecode compiled and used (this environment may forbid writing it).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_bytecode() -> None:
    import compileall

    import tracesguide

    compileall.compile_dir(Path(tracesguide.__file__).parent, quiet=1)


def best_of(runs: int, argv: Sequence[str], expect: Sequence[int]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        elapsed = time.perf_counter() - start
        if done.returncode not in expect:
            sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
        best = min(best, elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="runs over the folder")
    parser.add_argument("--starts", type=int, default=20, help="runs for the cold start")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-check-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        generate(folder, args.files, args.seed)
        sizes = [p.stat().st_size for p in folder.iterdir()]
        print(
            f"generated {args.files} state files in {time.perf_counter() - start:.1f} s "
            f"(mean {sum(sizes) / len(sizes) / 1024:.1f} KiB, max {max(sizes) / 1024:.1f} KiB)"
        )
        compile_bytecode()
        tool = command()
        listing = subprocess.run(
            [*tool, "check", "--json", str(folder)], capture_output=True, text=True
        )
        records = listing.stdout.count("\n")
        complete = listing.stdout.count('"complete": true')
        print(
            f"check --json DIR: exit {listing.returncode}, {records} records, {complete} complete"
        )
        if records != args.files:
            sys.exit("the record count does not match the file count")

        whole = best_of(args.runs, [*tool, "check", "--json", str(folder)], (0, 1))
        rate = args.files / whole
        print(
            f"check --json DIR ({args.files} files): best of {args.runs}: {whole:.3f} s, "
            f"{rate:,.0f} files/s (target ≥ 5,000) {'OK' if rate >= 5000 else 'TOO SLOW'}"
        )

        one = folder / "user-00000.toml"
        cold = best_of(args.starts, [*tool, "check", "--json", str(one)], (0, 1))
        typer_only = best_of(args.starts, [sys.executable, "-c", "import typer"], (0,))
        ratio = cold / typer_only
        print(
            f"cold start: check --json FILE {cold * 1000:.0f} ms, import typer "
            f"{typer_only * 1000:.0f} ms: {ratio:.2f}× (target ≤ 1.3×) "
            f"{'OK' if ratio <= 1.3 else 'TOO SLOW'} (best of {args.starts})"
        )
        print(f"machine: {os.cpu_count()} CPU, Python {sys.version.split()[0]}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
