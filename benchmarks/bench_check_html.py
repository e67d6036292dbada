"""Benchmark of ``tracesguide check DIR --html OUT`` against ``check --json DIR``.

The same generated folder as ``bench_check.py`` (10 000 state files by default, varied
progress, written by the real ``state.dumps``). Whole processes, the two commands taking
turns, best of N: the folder report must stay within 1.3× the time of ``check --json``
on the same folder.

    python benchmarks/bench_check_html.py [--files 10000] [--runs 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_check import ENV, command, compile_bytecode, generate

TARGET = 1.3


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-check-html-"))
    folder = work / "suivi"
    folder.mkdir()
    try:
        generate(folder, args.files, args.seed)
        compile_bytecode()
        tool = command()
        page = work / "suivi.html"
        as_json = [*tool, "check", "--json", str(folder)]
        as_html = [*tool, "check", str(folder), "--html", str(page)]
        json_best = html_best = float("inf")
        for _ in range(args.runs):  # taking turns: the shared machine's load hits both
            json_best = min(json_best, timed(as_json))
            html_best = min(html_best, timed(as_html))
        ratio = html_best / json_best
        print(f"check --json DIR ({args.files} files): best of {args.runs}: {json_best:.3f} s")
        print(
            f"check DIR --html OUT: best of {args.runs}: {html_best:.3f} s, "
            f"page {page.stat().st_size / 1024 / 1024:.1f} MiB"
        )
        verdict = "OK" if ratio <= TARGET else "TOO SLOW"
        print(f"ratio {ratio:.2f}× (target ≤ {TARGET}×) {verdict}")
        print(f"machine: {os.cpu_count()} CPU, Python {sys.version.split()[0]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
