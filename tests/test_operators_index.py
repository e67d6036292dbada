"""The operator index in SQLite: written whole or not at all, refused when damaged or
foreign, every metadata ``fetch`` can write read back, and a search through its trigram
prefilter that finds what comparing every name finds. Real files, real processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracesguide.operators import import_directory, index_path, load_directory, read_index_info
from tracesguide.operators import search as search_directory
from tracesguide.operators.formats import read_directory_file
from tracesguide.operators.index import (
    PARALLEL_MIN_BYTES,
    SCHEMA_VERSION,
    Described,
    SliceInfo,
    load_index,
    write_index,
)
from tracesguide.operators.model import Operator
from tracesguide.system.errors import DirectoryError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_operators import degraded, generate, write_csv  # noqa: E402

SMALL_CSV = "nom;numéro traces\nCoopérative du Moulin SARL;FR-ORG-OP-101\nÖkohof Müller;DE-1\n"


def _small_index(tmp_path: Path) -> Path:
    source = tmp_path / "small.csv"
    source.write_text(SMALL_CSV, encoding="utf-8")
    import_directory(source)
    return source


def _one_french_line(result: object) -> str:
    code, err = result.code, result.err  # type: ignore[attr-defined]
    assert code == 2, (code, err)
    assert "Traceback" not in err and "Error" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracesguide: erreur"), err
    return lines[0]


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_kill_9_during_an_import_leaves_the_old_index(tmp_path: Path, kind: str) -> None:
    _small_index(tmp_path)
    before = index_path().read_bytes()
    big = tmp_path / f"big.{kind}"
    if kind == "csv":
        text = "name;traces_number\n" + "".join(
            f"Ferme {n} du Moulin;FR-{n}\n" for n in range(400_000)
        )
    else:  # read by the fast JSON reader
        text = json.dumps(
            [{"operator": {"name": f"Ferme {n} du Moulin"}, "reference": f"FR-{n}"}
             for n in range(400_000)]
        )  # fmt: skip
    big.write_text(text, encoding="utf-8")
    folder = index_path().parent
    process = subprocess.Popen(
        [sys.executable, "-m", "tracesguide", "operators", "import", str(big)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        temps: list[Path] = []
        while time.monotonic() < deadline and process.poll() is None:
            temps = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
            if temps and temps[0].stat().st_size > 1 << 20:  # rows being written
                break
            time.sleep(0.01)
        assert temps and process.poll() is None, "the import ended before it could be killed"
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        workers = children.read_text().split() if children.exists() else []
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    # The worker reading the file (a large one) does not outlive the import.
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)
    assert index_path().read_bytes() == before
    info = read_index_info()
    assert info is not None and info.rows == 2
    directory = load_index()
    assert directory is not None
    assert search_directory(directory, "cooperative moulin")[0].operator.traces_number == (
        "FR-ORG-OP-101"
    )
    # The next import removes what the killed one left.
    _small_index(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["operators-index.sqlite"]


def _alive(pid: str) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def _big_directory(path: Path, bad_every: int = 997) -> None:
    """A CSV past ``PARALLEL_MIN_BYTES`` (read by the worker process), some rows bad."""
    lines = ["nom;numéro traces;adresse;activités"]
    n = size = 0
    while size < PARALLEL_MIN_BYTES + 100_000:
        n += 1
        name = "" if n % bad_every == 0 else f"Ferme {n} du Moulin SARL"
        lines.append(f"{name};FR-ORG-OP-{n};{n} rue Haute 26000 Valence France;Import|Export")
        size += len(lines[-1]) + 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _imported_as_read_here(source: Path, result: Any, rows: int, skipped: int) -> None:
    """What the worker imported is what reading *source* in this process gives, and the
    index finds its row 4242 (more than *rows* rows, more than *skipped* skipped)."""
    direct = read_directory_file(source)
    directory = load_index()
    assert directory is not None and directory.store is not None
    assert list(directory.store) == direct.operators
    assert result.info.rows == len(direct.operators) > rows
    assert result.skipped == direct.skipped == len(direct.problems) > skipped
    assert result.problems == direct.problems
    hits = search_directory(directory, "ferme 4242 moulin", limit=1)
    assert hits[0].operator.traces_number == "FR-ORG-OP-4242"


def test_a_large_file_read_by_the_worker_gives_what_reading_it_here_gives(
    tmp_path: Path,
) -> None:
    source = tmp_path / "large.csv"
    _big_directory(source)
    seen: list[tuple[int, int]] = []
    result = import_directory(source, progress=lambda done, total: seen.append((done, total)))
    _imported_as_read_here(source, result, rows=40_000, skipped=40)
    assert seen and seen[-1][0] == seen[-1][1] and len(seen) > 10


def test_a_large_json_file_read_by_the_worker_gives_what_reading_it_here_gives(
    tmp_path: Path,
) -> None:
    # For JSON this process makes two table rows in three (_PARENT_ROWS), the worker the
    # others: 20 000 rows, five batches, both kinds.
    source = tmp_path / "large.json"
    records = []
    size = n = 0
    while size < PARALLEL_MIN_BYTES + 100_000:
        n += 1
        record = {
            "operator": {"name": "" if n % 991 == 0 else f"Ferme {n} du Moulin SARL"},
            "operatorIdentifier": f"FR-ORG-OP-{n}",
            "activities": [{"name": "Import"}, {"name": "Export"}],
            "status": {"id": "ISSUED"},
        }
        records.append(record)
        size += len(json.dumps(record)) + 2
    source.write_text(json.dumps(records), encoding="utf-8")
    _imported_as_read_here(source, import_directory(source), rows=20_000, skipped=20)


def test_the_worker_killed_during_an_import_is_one_french_line_and_the_index_stays(
    tmp_path: Path,
) -> None:
    _small_index(tmp_path)
    before = index_path().read_bytes()
    big = tmp_path / "big.csv"
    big.write_text(
        "name;traces_number\n" + "".join(f"Ferme {n} du Moulin;FR-{n}\n" for n in range(400_000)),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tracesguide", "operators", "import", str(big)],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    workers: list[str] = []
    deadline = time.monotonic() + 60
    while not workers and time.monotonic() < deadline and process.poll() is None:
        workers = children.read_text().split() if children.exists() else []
        time.sleep(0.01)
    assert workers and process.poll() is None, "the import ended before its worker was seen"
    os.kill(int(workers[0]), signal.SIGKILL)
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 2, err
    lines = err.strip().splitlines()
    assert lines and "trop gros pour la mémoire" in lines[0], err
    assert "Traceback" not in err
    assert index_path().read_bytes() == before
    assert [p.name for p in index_path().parent.iterdir()] == ["operators-index.sqlite"]


def test_a_large_file_refused_by_the_worker_is_one_french_line_and_the_index_stays(
    tmp_path: Path, cli: Callable[..., object]
) -> None:
    _small_index(tmp_path)
    before = index_path().read_bytes()
    source = tmp_path / "large.json"
    record = json.dumps({"operator": {"name": "Ferme du Moulin"}, "operatorIdentifier": "FR-1"})
    count = PARALLEL_MIN_BYTES // len(record) + 1000
    source.write_text("[" + ",\n".join([record] * count) + ",\n{oops}]", encoding="utf-8")
    line = _one_french_line(cli("operators", "import", str(source)))
    assert f"ligne {count + 1}" in line, line
    with pytest.raises(DirectoryError) as raised:
        import_directory(source)
    with pytest.raises(DirectoryError) as direct:
        read_directory_file(source)
    assert raised.value.message == direct.value.message
    assert index_path().read_bytes() == before


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE meta (key TEXT, value)")
    connection.close()


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-4096])


def _newer(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:60] + (SCHEMA_VERSION + 1).to_bytes(4, "big") + data[64:])


def _older(path: Path) -> None:
    # an index of version 1 (before the fields were packed in one column)
    data = path.read_bytes()
    path.write_bytes(data[:60] + (1).to_bytes(4, "big") + data[64:])


def _scribbled(path: Path) -> None:
    # Pages overwritten in the middle: the size and the header stay those of a database.
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 3] = b"\xa5" * (4096 * 2)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (_foreign, "pas un index d'opérateurs"),
        (_truncated, "incomplet"),
        (_newer, "plus récente"),
        (_older, "ancien format"),
        (_scribbled, "corrompu"),
    ],
    ids=["foreign", "truncated", "newer", "older", "scribbled"],
)
def test_a_damaged_or_foreign_database_is_one_french_line(
    cli, tmp_path: Path, damage: object, words: str
) -> None:  # type: ignore[no-untyped-def]
    _small_index(tmp_path)
    if damage is _foreign:
        index_path().unlink()
    damage(index_path())  # type: ignore[operator]
    before = sorted(index_path().parent.iterdir())
    for args in (("operators", "search", "moulin"), ("operators", "info")):
        if damage is _scribbled and args[1] == "info":
            continue  # the metadata's own page may be intact: info reads only that
        assert words in _one_french_line(cli(*args))
    assert sorted(index_path().parent.iterdir()) == before  # reading writes nothing


# Any text, lone surrogates included (os.environ decodes stray bytes into them).
_texts = st.text(st.characters(categories=["Cs", "L", "M", "N", "P", "S", "Z", "C"]), max_size=300)
# Past the 64 KiB the old index's header line had.
_long = st.builds(lambda c, n: c * n, st.characters(), st.integers(70_000, 70_100))
_slices = st.lists(
    st.builds(
        SliceInfo,
        country=_texts,
        status=_texts,
        total=st.integers(min_value=0, max_value=10**80),
        records=st.integers(min_value=0, max_value=10**12),
    ),
    max_size=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=st.one_of(_texts, _long), slices=_slices)
def test_every_metadata_fetch_can_write_is_read_back(
    tmp_path: Path, url: str, slices: list[SliceInfo]
) -> None:
    target = tmp_path / "index.sqlite"
    written = write_index(
        [Operator("Ferme du Moulin")],
        3,
        Described(url, fetch_url=url + "/for/query", slices=slices),
        target,
    )
    read = read_index_info(target)
    assert read is not None
    assert read == written
    assert read.fetch == {
        "url": url + "/for/query",
        "slices": [s.to_dict() for s in slices],
    }
    assert read.origin == url and read.rows == 1 and read.skipped == 3


def test_info_json_shows_what_fetch_wrote(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    slices = [SliceInfo("FR", "ISSUED", 25_000, 20_000), SliceInfo("BE", "EXPIRED", 0, 0)]
    write_index(
        [Operator("Ferme du Moulin")],
        0,
        Described("https://mirror.example/d", fetch_url="https://mirror.example/d/for/query",
                  slices=slices),
    )  # fmt: skip
    result = cli("operators", "info", "--json")
    assert result.code == 0, result.err
    payload = json.loads(result.out)
    assert payload["fetch"]["slices"][0] == {
        "country": "FR",
        "status": "ISSUED",
        "total": 25_000,
        "records": 20_000,
    }
    assert index_path().stat().st_mode & 0o777 == 0o600


# --- the prefilter finds what comparing every name finds -----------------------------------

ROWS = 20_000
QUERIES = 150


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[object], Path]:
    folder = tmp_path_factory.mktemp("generated")
    items = generate(ROWS, seed=7)
    source = folder / "annuaire.csv"
    write_csv(items, source)
    return items, source  # type: ignore[return-value]


def test_the_prefilter_finds_the_full_scans_top_3(
    tmp_path: Path, generated: tuple[list[object], Path]
) -> None:
    """The benchmark's queries (no accents, small words nor legal form; then one letter
    missing; the words in another order): the operator is in the top 3 exactly when it
    is in the top 3 of comparing every name, and first when it is first there. (Below
    the operator, the weaker look-alikes may come in another order.)"""
    import random

    items, source = generated
    import_directory(source)
    indexed = load_index()
    assert indexed is not None
    direct = load_directory(source)
    rng = random.Random(8)
    sample = rng.sample(range(ROWS), QUERIES)
    prefiltered = 0
    for typo in (False, True):
        for position in sample:
            item = items[position]
            query = degraded(item, rng, typo)  # type: ignore[arg-type]
            if position % 3 == 0:
                query = " ".join(reversed(query.split()))
            fast = search_directory(indexed, query, limit=3)
            full = search_directory(direct, query, limit=3)
            assert all(m.full_scan for m in full)
            name = item.name  # type: ignore[attr-defined]
            if full[0].operator.name == name:
                assert fast[0].operator.name == name, query
            assert (name in [m.operator.name for m in fast]) == (
                name in [m.operator.name for m in full]
            ), query
            prefiltered += not fast[0].full_scan
    assert prefiltered > 0.8 * 2 * QUERIES  # the full scan stays the exception


def test_search_json_says_when_every_name_was_compared(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _small_index(tmp_path)
    # Two names only: the prefilter cannot find ten candidates, every name is compared.
    result = cli("operators", "search", "cooperative moulin", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)[0]["full_scan"] is True
    result = cli("operators", "search", "cooperative moulin", "--json", "--limit", "1")
    assert json.loads(result.out)[0]["full_scan"] is False
    result = cli("operators", "search", "FR-ORG-OP-101", "--json")
    match = json.loads(result.out)[0]
    assert (match["matched_on"], match["full_scan"]) == ("traces_number", False)


def test_a_lone_surrogate_in_a_json_file_is_imported_as_a_replacement(tmp_path: Path) -> None:
    source = tmp_path / "d.json"
    source.write_text('[{"operator": {"name": "Ferme \\ud800 du Moulin"}}]', encoding="utf-8")
    assert import_directory(source).info.rows == 1
    directory = load_index()
    assert directory is not None
    assert [op.name for op in directory] == ["Ferme \ufffd du Moulin"]
