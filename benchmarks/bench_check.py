"""Benchmark of ``tracesguide check``, every figure a paired ratio (A B A B...).

Generates state files (10 000 by default) with varied progress, as the wizard writes
them: ``shown``, ``answer`` and ``done`` events step by step on the app, SMS (both
routes), "no certificate yet" and "not an operator" paths, cut at a random step, with
some problems reported and some "later"; each file is written with the real
``state.dumps``. Then, whole processes taking turns round after round:

- ``check --json DIR``: files per second (median; target ≥ 6 000 on the 2-core machine);
- ``check DIR --html OUT``, ``check DIR --csv OUT`` and ``check DIR`` (the table) against
  ``check --json DIR`` (target ≤ 1.3×);
- the reference parser alone: ``check --json DIR`` with every file read by tomli (as if
  toml_rs refused them all, ``system.toml``): what toml_rs brings;
- ``check --json FILE`` against ``python -c "import typer"`` (target ≤ 1.3×);
- peak memory (``ru_maxrss`` of the command alone) of ``check --json DIR`` at
  ``--memory`` file counts (hard links to the generated files; target flat, ≤ 40 MiB at
  100 000).

    python benchmarks/bench_check.py [--files 10000] [--runs 5] [--starts 20]
        [--memory 1000,10000,100000] [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
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


# ``check`` with every file read by tomli alone, the judge of ``system.toml``: what toml_rs
# brings. The workers are forked, so they read this way too.
TOMLI_CHECK = """
import sys
from tracesguide.system import toml
toml.toml_rs_reads = lambda text: False
from tracesguide.cli import main
sys.argv[0] = "tracesguide"
main()
"""

# Runs a command and prints its wall time and its own peak memory: forked from this small
# process (a child forked from a big one would count its pages).
MEASURED = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(argv: Sequence[str], expect: Sequence[int] = (0, 1)) -> tuple[float, float]:
    """Wall time (s) and peak memory (MiB) of one whole process."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *argv], env=ENV, capture_output=True, text=True
    )
    elapsed, peak, code = done.stdout.split()[-3:]
    if int(code) not in expect:
        sys.exit(f"{' '.join(argv)} exited {code}: {done.stderr[-500:]}")
    return float(elapsed), int(peak) / 1024


def turns(
    commands: dict[str, list[str]], rounds: int, expect: Sequence[int] = (0, 1)
) -> dict[str, list[float]]:
    """Each command once per round, in turns (the order rotating); their times."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for round_ in range(rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            times[name].append(run(commands[name], expect)[0])
    return times


def ratio_line(label: str, times: list[float], bases: list[float], target: float | None) -> str:
    ratio = statistics.median(times) / statistics.median(bases)
    pairs = [t / b for t, b in zip(times, bases, strict=True)]
    figures = (
        f"{label}: {ratio:.2f}x (median {statistics.median(times):.3f} s against "
        f"{statistics.median(bases):.3f} s; pairs {min(pairs):.2f}-{max(pairs):.2f}"
    )
    if target is None:
        return figures + ")"
    return f"{figures}; target <= {target}x) {'OK' if ratio <= target else 'OVER'}"


def linked_folder(source: Path, target: Path, count: int) -> None:
    """*count* state files in *target*: hard links to the generated ones, in turn."""
    files = sorted(source.glob("*.toml"))
    target.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        os.link(files[index % len(files)], target / f"user-{index:06d}.toml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="rounds over the folder")
    parser.add_argument("--starts", type=int, default=20, help="rounds for the cold start")
    parser.add_argument("--memory", default="1000,10000,100000", help="file counts ('' skips)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-check-"))
    folder = args.keep or work / "suivi"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        print(
            f"load {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPU, Python {sys.version.split()[0]}"
        )
        if len(list(folder.glob("*.toml"))) != args.files:
            start = time.perf_counter()
            generate(folder, args.files, args.seed)
            print(f"generated {args.files} state files in {time.perf_counter() - start:.1f} s")
        sizes = [p.stat().st_size for p in folder.iterdir()]
        print(
            f"files: mean {sum(sizes) / len(sizes) / 1024:.1f} KiB, max {max(sizes) / 1024:.1f} KiB"
        )
        compile_bytecode()
        tool = command()
        listing = subprocess.run(
            [*tool, "check", "--json", str(folder)], capture_output=True, text=True, env=ENV
        )
        if listing.stdout.count("\n") != args.files:
            sys.exit("the record count does not match the file count")
        commands = {
            "json": [*tool, "check", "--json", str(folder)],
            "html": [*tool, "check", str(folder), "--html", str(work / "suivi.html")],
            "table": [*tool, "check", str(folder)],
            "csv": [*tool, "check", str(folder), "--csv", str(work / "suivi.csv")],
        }
        commands["tomli"] = [sys.executable, "-c", TOMLI_CHECK, "check", "--json", str(folder)]
        times = turns(commands, args.runs)
        rates = [args.files / t for t in times["json"]]
        print(
            f"check --json DIR ({args.files} files): "
            f"median {statistics.median(rates):,.0f} files/s "
            f"({min(rates):,.0f}-{max(rates):,.0f}, {args.runs} runs; target >= 6,000)"
        )
        print(
            ratio_line("check DIR --html OUT / check --json DIR", times["html"], times["json"], 1.3)
        )
        print(
            ratio_line("check DIR (table) / check --json DIR", times["table"], times["json"], 1.3)
        )
        print(
            ratio_line("check DIR --csv OUT / check --json DIR", times["csv"], times["json"], 1.3)
        )
        reference = [args.files / t for t in times["tomli"]]
        print(
            f"tomli alone: median {statistics.median(reference):,.0f} "
            f"files/s ({min(reference):,.0f}-{max(reference):,.0f}); "
            + ratio_line("its time / check --json DIR", times["tomli"], times["json"], None)
        )
        one = sorted(folder.glob("*.toml"))[0]
        starts = turns(
            {
                "check": [*tool, "check", "--json", str(one)],
                "typer": [sys.executable, "-c", "import typer"],
            },
            args.starts,
        )
        print(
            ratio_line(
                "cold start: check --json FILE / import typer",
                starts["check"],
                starts["typer"],
                1.3,
            )
        )
        for count in [int(c) for c in args.memory.split(",") if c]:
            linked = work / f"linked-{count}"
            linked_folder(folder, linked, count)
            elapsed, peak = run([*tool, "check", "--json", str(linked)])
            print(
                f"memory: check --json DIR, {count:,} files: peak {peak:.1f} MiB ({elapsed:.1f} s)"
            )
            shutil.rmtree(linked)
        print(f"load {os.getloadavg()[0]:.2f} at the end")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
