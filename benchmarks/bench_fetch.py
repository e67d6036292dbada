"""Benchmark of ``tracesguide operators fetch``: the client's own cost, then searches.

Starts the local stand-in of the public directory (``tests/directory_server.py``) in its
own process, with 10 countries × 10 000 issued certificates (100 000 records in the real
shape; one slice stays within the 10 000-record limit of one query), then:

- runs ``tracesguide operators fetch --delay 0`` for the 10 countries as a whole process:
  wall time, records/s, the client's CPU time and peak memory (the server's cost is in
  another process and not counted; no pause between requests, so this is the client's
  own cost: with the default pause of 0.3 s, the 1 000 pages take 5 more minutes);
- runs ``tracesguide operators search`` on the fetched index (whole process, start-up
  included), median of N runs.

Targets (2-core machine): search on the fetched index ≤ 300 ms.

    python benchmarks/bench_fetch.py [--per-country 10000] [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ("FR", "BE", "DE", "NL", "IT", "ES", "AT", "PT", "PL", "DK")
SERVER = """
import sys, time
sys.path[:0] = [{tests!r}, {benchmarks!r}]
from directory_server import DirectoryServer, serving
from bench_operators import generate
names = [item.name for item in generate({names}, seed=7)]
slices = {{(c, "ISSUED"): {count} for c in {countries!r}}}
with serving(DirectoryServer(slices, names=names)) as server:
    print(server.base_url, flush=True)
    sys.stdin.read()
"""


def tracesguide() -> list[str]:
    return [sys.executable, "-m", "tracesguide"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--per-country", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["TRACESGUIDE_DATA_DIR"] = str(work)
    script = SERVER.format(
        tests=str(ROOT / "tests"),
        benchmarks=str(ROOT / "benchmarks"),
        names=args.per_country * len(COUNTRIES),
        count=args.per_country,
        countries=COUNTRIES,
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        env["TRACESGUIDE_DIRECTORY_URL"] = server.stdout.readline().strip()
        countries = [a for c in COUNTRIES for a in ("--country", c)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [*tracesguide(), "operators", "fetch", "--delay", "0", *countries],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        server.communicate("")
    records = args.per_country * len(COUNTRIES)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    index = work / "operators-index.sqlite"
    print(f"fetch of {records:,} records ({records // 100:,} pages), delay 0:")
    print(f"  wall {wall:.1f} s, {records / wall:,.0f} records/s")
    print(f"  client CPU {cpu:.1f} s, {records / cpu:,.0f} records/s of client CPU")
    print(f"  client peak memory {after.ru_maxrss / 1024:.0f} MiB (max RSS of the children)")
    print(f"  index {index.stat().st_size / 2**20:.1f} MiB")
    queries = {
        "--version (start-up, for comparison)": ["--version"],
        "search TEXT": ["operators", "search", "cooperative agricole ardeche"],
        "search TEXT --json": ["operators", "search", "ferme durand fils", "--json"],
        "search --traces-number ID": ["operators", "search", "--traces-number", "DE-ORG-OP-IS9"],
        "certificate ID": ["operators", "certificate", "NL-ORG-OP-IS123"],
    }
    # Paired: each command, then the yardstick (start-up alone), in turns; the ratio of
    # the medians is what compares from one machine (or one hour) to the next.
    yardstick = [*tracesguide(), "--version"]
    for label, argv in queries.items():
        if argv == ["--version"]:
            continue
        times, bases = [], []
        for _ in range(args.runs):
            for command, into in (([*tracesguide(), *argv], times), (yardstick, bases)):
                start = time.perf_counter()
                subprocess.run(command, env=env, capture_output=True)
                into.append(time.perf_counter() - start)
        ratio = statistics.median(times) / statistics.median(bases)
        print(
            f"{label}: {ratio:.2f}x --version "
            f"(median {statistics.median(times) * 1000:.0f} ms against "
            f"{statistics.median(bases) * 1000:.0f} ms, {args.runs} pairs)"
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
