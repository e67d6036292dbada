"""fetch's own paths, by real means (issue 20): the partial lock a folder or a symlink loop,
a partial page a folder or nested 100 000 deep, a full disk (a real 64 KiB tmpfs, when the
suite runs as root) while the index is flushed by ``fetch`` and by ``operators import``,
and a read-only lock (a read-only bind mount of the lock file alone: EROFS from the
kernel). Each is one French line naming the path, exit 2, the previous index intact, no
temporary file left — or, for a damaged page of ours, the page fetched again."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import FAULT_COUNTS
from directory_server import DirectoryServer, serving
from test_faults_writes import assert_one_line, no_temp_files, run
from tracesguide.operators.partial import PARTIAL_DIR

SAMPLE = Path(__file__).parents[1] / "src/tracesguide/operators/data/operators-sample.csv"
INDEX = "operators-index.sqlite"
LOCK = PARTIAL_DIR + ".lock"


def _count(fault_class: str) -> None:
    FAULT_COUNTS[fault_class] = FAULT_COUNTS.get(fault_class, 0) + 1


def _root_mount(*args: str) -> bool:
    return (
        os.geteuid() == 0 and subprocess.run(["mount", *args], capture_output=True).returncode == 0
    )


@pytest.fixture
def data() -> Path:
    folder = Path(os.environ["TRACESGUIDE_DATA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fetch(server: DirectoryServer) -> subprocess.CompletedProcess[str]:
    return run(
        ["operators", "fetch", "--delay", "0", "--timeout", "20"],
        TRACESGUIDE_DIRECTORY_URL=server.base_url,
    )


def imported(data: Path) -> bytes:
    """An index imported first: the one every failure below must leave as it was."""
    assert run(["operators", "import", str(SAMPLE)]).returncode == 0
    return (data / INDEX).read_bytes()


@pytest.mark.parametrize("kind", ["folder", "symlink-loop"])
def test_the_partial_lock_a_folder_or_a_symlink_loop(data: Path, kind: str) -> None:
    before = imported(data)
    lock = data / LOCK
    if kind == "folder":
        lock.mkdir()
    else:
        lock.symlink_to(lock)  # ELOOP on every open
    with serving(DirectoryServer({("FR", "ISSUED"): 30})) as server:
        line = assert_one_line(fetch(server), str(lock))
        assert not server.requests  # refused before any request
    assert "verrou" in line
    assert (data / INDEX).read_bytes() == before
    assert lock.is_symlink() if kind == "symlink-loop" else lock.is_dir()
    _count("fetch paths, the partial lock a folder or a symlink loop")


def _pages_kept(data: Path, server: DirectoryServer) -> list[Path]:
    """A first fetch that stops at page 2 (a server error each try): page 1 is kept."""
    server.fault("FR", "ISSUED", 100, *["500"] * 4)
    assert fetch(server).returncode == 2
    pages = sorted((data / PARTIAL_DIR).glob("page-*.txt"))
    assert len(pages) == 1, pages
    return pages


@pytest.mark.parametrize("kind", ["folder", "nested-100000"])
def test_a_partial_page_a_folder_or_nested_100000_deep_is_fetched_again(
    data: Path, kind: str
) -> None:
    with serving(DirectoryServer({("FR", "ISSUED"): 150})) as server:
        (page,) = _pages_kept(data, server)
        page.unlink()
        if kind == "folder":
            page.mkdir()
            (page / "inside").write_text("x")
        else:
            head = '{"slice": "FR-ISSUED-desc", "offset": 0, "total": 150, "problems": '
            page.write_text(head + "[" * 100_000 + "]" * 100_000 + "}\n")
        server.requests.clear()
        done = fetch(server)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert "Annuaire téléchargé : 150 opérateurs" in done.stdout
        # the damaged page asked again, with the one that failed; nothing else
        assert sorted(server.offsets()) == [0, 100]
    assert not (data / PARTIAL_DIR).exists()  # removed once the index is written
    _count("fetch paths, a partial page a folder or nested 100 000 deep")


@contextmanager
def small_disk(folder: Path, size: str) -> Iterator[None]:
    """*folder* on a real tmpfs of *size*: ENOSPC from the kernel when it is full."""
    if not _root_mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)):
        pytest.skip("no tmpfs here (needs root and mount)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _used(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_a_full_disk_while_import_flushes_the_index(tmp_path: Path, data: Path) -> None:
    big = tmp_path / "big.csv"
    rows = [f"Opérateur n°{i} du Moulin;FR-ORG-OP-{i:06d}\n" for i in range(20_000)]
    big.write_text("nom;numéro traces\n" + "".join(rows), encoding="utf-8")
    with small_disk(data, "64k"):
        before = imported(data)
        line = assert_one_line(run(["operators", "import", str(big)]), str(data))
        assert "disque est plein" in line, line
        assert (data / INDEX).read_bytes() == before
        no_temp_files(data)
        assert [p.name for p in data.iterdir()] == [INDEX]
    _count("fetch paths, a full disk (ENOSPC) while the index is flushed x command")


def test_a_full_disk_while_fetch_flushes_the_index(data: Path) -> None:
    """The pages fit, the index does not: the disk is made full just past the pages."""
    with small_disk(data, "8m"), serving(DirectoryServer({("FR", "ISSUED"): 3000})) as server:
        before = imported(data)
        server.fault("FR", "ISSUED", 2900, *["500"] * 4)  # all pages but the last kept
        assert fetch(server).returncode == 2
        room = _used(data) + 64 * 1024  # the last page and the plan fit, an index does not
        remount = ["-o", f"remount,size={room}", str(data)]
        if not _root_mount(*remount):
            pytest.skip("this tmpfs cannot be made smaller")
        line = assert_one_line(fetch(server), str(data))
        assert "disque est plein" in line, line
        assert (data / INDEX).read_bytes() == before
        no_temp_files(data)
        # the pages are kept for the next run, once there is room
        assert len(list((data / PARTIAL_DIR).glob("page-*.txt"))) == 30
    _count("fetch paths, a full disk (ENOSPC) while the index is flushed x command")


def test_a_read_only_lock_file(data: Path) -> None:
    """EROFS on the lock alone: the lock file bind-mounted read-only onto itself."""
    before = imported(data)
    lock = data / LOCK
    lock.touch(mode=0o600)
    if not _root_mount("--bind", "-o", "ro", str(lock), str(lock)):
        pytest.skip("no read-only bind mount here (needs root and mount)")
    try:
        with serving(DirectoryServer({("FR", "ISSUED"): 30})) as server:
            line = assert_one_line(fetch(server), str(lock))
            assert not server.requests
    finally:
        subprocess.run(["umount", str(lock)], check=True)
    assert "lecture seule" in line, line
    assert (data / INDEX).read_bytes() == before
    no_temp_files(data)
    _count("fetch paths, a read-only lock file (EROFS)")
