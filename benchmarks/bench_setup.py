"""Benchmark of ``tracesguide setup --answers FILE``, a paired ratio (A B A B...).

Two answers files, the documented example (SMS path, a phone number: the keyring is
opened) and the same on the app path (no number: the keyring must not be opened), each
run from a fresh state file; the yardstick is ``status --json`` on the state the run
wrote. Whole processes, the commands taking turns round after round (the order
rotating); the ratio of the medians, target ≤ 3×. The keyring is whatever this machine
discovers (as a user's run would), no environment variable set.

    python benchmarks/bench_setup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_check import ENV, command, compile_bytecode

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "answers.toml"
TARGET = 3.0
# A process doing only what a library of the setup costs (its import, the keyring's
# discovery of its backends): what no change of ours can take away.
FLOORS = {
    "python -c 'import keyring; keyring.get_keyring()'": "import keyring; keyring.get_keyring()",
    "python -c 'import email_validator'": "import email_validator",
    "python -c 'import phonenumbers'": "import phonenumbers",
}


def app_answers(text: str) -> str:
    """The example on the app path: no SMS route, no phone, no SMS problem."""
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith(("sms_route", "phone", '"second-factor.sms'))
    ]
    return "\n".join(kept).replace('second_factor_method = "sms"', 'second_factor_method = "app"')


def timed(argv: list[str], expect: tuple[int, ...] = (0, 1)) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    elapsed = time.perf_counter() - start
    if done.returncode not in expect:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-setup-"))
    try:
        compile_bytecode()
        tool = command()
        text = EXAMPLE.read_text(encoding="utf-8")
        files = {"sms": work / "sms.toml", "app": work / "app.toml"}
        files["sms"].write_text(text, encoding="utf-8")
        files["app"].write_text(app_answers(text), encoding="utf-8")
        print(
            f"load {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPU, Python {sys.version.split()[0]}"
        )
        for name, answers in files.items():
            state = work / f"state-{name}.toml"
            setup = [*tool, "setup", "--answers", str(answers), "--state", str(state)]
            status = [*tool, "status", "--json", "--state", str(state)]
            times: dict[str, list[float]] = {"setup": [], "status": []}
            for round_ in range(args.runs):
                order = ["setup", "status"] if round_ % 2 == 0 else ["status", "setup"]
                for which in order:
                    if which == "setup":
                        state.unlink(missing_ok=True)
                        times["setup"].append(timed(setup))
                    else:
                        if not state.exists():
                            timed(setup)
                        times["status"].append(timed(status))
            a, b = statistics.median(times["setup"]), statistics.median(times["status"])
            pairs = [s / t for s, t in zip(times["setup"], times["status"], strict=True)]
            verdict = "OK" if a / b <= TARGET else "OVER"
            print(
                f"setup --answers ({name} path) / status --json: {a / b:.2f}x (median "
                f"{a * 1000:.0f} ms against {b * 1000:.0f} ms; pairs {min(pairs):.2f}-"
                f"{max(pairs):.2f}; {args.runs} runs; target <= {TARGET}x) {verdict}"
            )
        # What the libraries of the SMS path cost by themselves, against the same
        # yardstick: the floor under the setup's ratio (docs/performance.md).
        state = work / "state-app.toml"
        status = [*tool, "status", "--json", "--state", str(state)]
        for label, code in FLOORS.items():
            alone = [sys.executable, "-c", code]
            times = {"alone": [], "status": []}
            for round_ in range(args.runs):
                order = ["alone", "status"] if round_ % 2 == 0 else ["status", "alone"]
                for which in order:
                    times[which].append(timed(alone if which == "alone" else status))
            a, b = statistics.median(times["alone"]), statistics.median(times["status"])
            print(
                f"{label} alone / status --json: {a / b:.2f}x (median {a * 1000:.0f} ms "
                f"against {b * 1000:.0f} ms; {args.runs} runs)"
            )
        print(f"load {os.getloadavg()[0]:.2f} at the end")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
