"""Peak memory of ``tracesguide operators import`` on hostile-shaped directory files.

Each file is imported by a fresh ``python -m tracesguide operators import FILE``
process; its peak resident memory is read from ``os.wait4`` (the child's own
``ru_maxrss``). The files are written by another process first, so that this one stays
small (on Linux a child's peak starts from its parent's size at the fork). The baseline
is the same command on a one-line CSV.

- a CSV of 5 million one-letter rows (10 MB): 5 million operators;
- a CSV with one quoted field of 50 MB over many lines (refused: past csv's field limit,
  the rows after it cannot be told apart; exit 2);
- a JSON list whose one record has a 50 MB string (the record is skipped, the file has
  no operator: exit 2);
- a JSON list of 100 000 records shaped like the public directory's (about 50 MB).

The bound, stated in docs/operators.md: a CSV import holds a batch of rows at a time
(peak ≤ baseline + 16 MiB, whatever the file's size); a JSON import holds the parsed
document (peak ≤ baseline + 8 × the file's size).

    python benchmarks/bench_memory.py [--rows 5000000] [--field-mb 50]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MIB = 1024 * 1024


def peak_kib(file: Path, data_dir: Path) -> tuple[int, int]:
    """(exit code, peak resident memory in KiB) of one import in a fresh process."""
    env = {**os.environ, "TRACESGUIDE_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "tracesguide", "operators", "import", str(file)]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, usage.ru_maxrss  # KiB on Linux


def file_names(folder: Path, rows: int, field_mb: int) -> dict[str, Path]:
    return {
        "baseline (one row)": folder / "one.csv",
        f"CSV, {rows:,} one-letter rows": folder / "tiny.csv",
        f"CSV, one {field_mb} MB multi-line field": folder / "field.csv",
        f"JSON, one {field_mb} MB string": folder / "field.json",
        "JSON, 100,000 records of the public directory": folder / "records.json",
    }


def write_files(folder: Path, rows: int, field_mb: int) -> None:
    paths = list(file_names(folder, rows, field_mb).values())
    paths[0].write_text("name\nFerme A\n", encoding="utf-8")
    letters = "abcdefghijklmnopqrstuvwxyz"
    with paths[1].open("w", encoding="utf-8") as out:
        out.write("name\n")
        for start in range(0, rows, 100_000):
            count = min(100_000, rows - start)
            out.write("".join(f"{letters[(start + i) % 26]}\n" for i in range(count)))
    line = "x" * 79 + "\n"
    with paths[2].open("w", encoding="utf-8") as out:
        out.write('name,notes\nFerme A,"')
        out.write(line * (field_mb * 1_000_000 // 80))
        out.write('"\nFerme B,ok\n')
    with paths[3].open("w", encoding="utf-8") as out:
        out.write('[{"name": "')
        out.write("x" * (field_mb * 1_000_000))
        out.write('"}]\n')
    with paths[4].open("w", encoding="utf-8") as out:
        out.write("[")
        for i in range(100_000):
            out.write(("," if i else "") + json.dumps(_record(i)))
        out.write("]\n")


def _record(i: int) -> dict[str, object]:
    """One record shaped like the public directory's JSON (about 520 bytes)."""
    return {
        "reference": f"FR-BIO-01.{i}",
        "operatorIdentifier": f"FR-ORG-OP-{i}",
        "status": "VALID",
        "issuingBody": {"code": "FR-BIO-01", "name": "Organisme"},
        "operator": {
            "name": f"Ferme numéro {i} SARL",
            "address": {
                "street": f"{i} rue de la Gare",
                "postalCode": "75001",
                "city": "Paris",
                "country": {"isoCode": "FR", "name": "France"},
            },
        },
        "activities": [{"name": "Import"}, {"name": "Production"}],
        "categoriesOfProduct": [{"code": "a", "name": "Unprocessed plant products"}],
        "issuedOn": "2025-01-01",
        "expiresOn": "2026-12-31",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--field-mb", type=int, default=50)
    parser.add_argument("--write", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write_files(Path(args.write), args.rows, args.field_mb)
        return
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        options = ["--rows", str(args.rows), "--field-mb", str(args.field_mb)]
        subprocess.run([sys.executable, __file__, *options, "--write", temp], check=True)
        files = file_names(folder, args.rows, args.field_mb)
        baseline = 0
        print(f"{'file':<46} {'size':>9} {'exit':>4} {'peak':>9} {'over baseline':>14}")
        for label, path in files.items():
            code, peak = peak_kib(path, folder / "data")
            baseline = baseline or peak
            size = path.stat().st_size
            extra = (peak - baseline) / 1024
            print(
                f"{label:<46} {size / MIB:>7.1f}Mi {code:>4} {peak / 1024:>7.1f}Mi {extra:>12.1f}Mi"
            )


if __name__ == "__main__":
    main()
