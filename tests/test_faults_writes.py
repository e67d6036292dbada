"""Where the tool writes, by real means: the data folder a file, under a file, a dangling
link, /dev/null, a name too long; a file-size limit (RLIMIT_FSIZE, the kernel's EFBIG, the
nearest to ENOSPC a test can make without a small file system) and a read-only bind mount
(EROFS) in real child processes. Each is one French line naming the path, exit 2, the
previous file intact and no temporary file left."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import FAULT_COUNTS
from directory_server import DirectoryServer, serving
from helpers import APP_ANSWERS, write_state

EXAMPLE = Path(__file__).parents[1] / "docs/examples/answers.toml"
SAMPLE = Path(__file__).parents[1] / "src/tracesguide/operators/data/operators-sample.csv"


def _count(fault_class: str) -> None:
    FAULT_COUNTS[fault_class] = FAULT_COUNTS.get(fault_class, 0) + 1


def run(args: list[str], fsize: int | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # in the child only: its writes past *fsize* bytes fail (EFBIG)
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "tracesguide", *args],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **env},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit,
        timeout=120,
    )


def assert_one_line(done: subprocess.CompletedProcess[str], *names: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("tracesguide:")]
    assert len(lines) == 1, done.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def no_temp_files(folder: Path) -> None:
    assert not [p for p in folder.rglob("*.tmp")], list(folder.rglob("*"))


@pytest.mark.parametrize("kind", ["file", "under-a-file", "dangling-link", "dev-null", "4000"])
@pytest.mark.parametrize("command", ["import", "fetch"])
def test_a_data_folder_that_cannot_be_one(tmp_path: Path, kind: str, command: str) -> None:
    plain = tmp_path / "plain"
    plain.write_text("un fichier")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    folder = {
        "file": plain,
        "under-a-file": plain / "data",
        "dangling-link": link,
        "dev-null": Path("/dev/null"),
        "4000": tmp_path / ("d" * 4000),
    }[kind]
    args = ["operators", "import", str(SAMPLE)]
    if command == "fetch":
        args = ["operators", "fetch", "--max-time", "5"]
    done = run(
        args, TRACESGUIDE_DATA_DIR=str(folder), TRACESGUIDE_DIRECTORY_URL="http://127.0.0.1:9/d"
    )
    assert_one_line(done, str(folder)[:60])
    assert plain.read_text() == "un fichier" and link.is_symlink()
    _count("writes, a data folder that cannot be one x command")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = Path(os.environ["TRACESGUIDE_DATA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_file_size_limit_on_every_writer(tmp_path: Path, data: Path) -> None:
    """EFBIG from the kernel (RLIMIT_FSIZE) in the child: as ENOSPC would, mid-write."""
    state = tmp_path / "s.toml"
    write_state(state, APP_ANSWERS, until="traces.choose-role")
    before = state.read_bytes()
    assert run(["operators", "import", str(SAMPLE)]).returncode == 0
    index = data / "operators-index.sqlite"
    index_before = index.read_bytes()
    cases = {
        "setup": ["setup", "--answers", str(EXAMPLE), "--state", str(state)],
        "reset (backup)": ["reset", "--yes", "--state", str(state)],
        "replay --html": ["replay", str(state), "--html", str(tmp_path / "r.html")],
        "replay --redact": ["replay", str(state), "--redact", str(tmp_path / "r.toml")],
        "check --html": ["check", str(state), "--html", str(tmp_path / "c.html")],
        "operators import": ["operators", "import", str(SAMPLE)],
    }
    for name, args in cases.items():
        line = assert_one_line(run(args, fsize=len(before) // 2))
        assert "taille permise" in line or "limite de taille" in line, (name, line)
        assert state.read_bytes() == before, name
        assert index.read_bytes() == index_before, name
        no_temp_files(tmp_path)
        _count("writes, file-size limit (EFBIG) x writer")
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "c.html").exists()


def test_a_file_size_limit_during_a_download(tmp_path: Path, data: Path) -> None:
    with serving(DirectoryServer({("FR", "ISSUED"): 250})) as server:
        done = run(
            ["operators", "fetch", "--delay", "0"],
            fsize=2000,
            TRACESGUIDE_DIRECTORY_URL=server.base_url,
        )
    line = assert_one_line(done, str(data))
    assert "taille permise" in line
    assert not (data / "operators-index.sqlite").exists()
    no_temp_files(data)
    _count("writes, file-size limit (EFBIG) x writer")


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    bind = ["mount", "--bind", "-o", "ro", str(folder), str(folder)]
    if subprocess.run(bind, capture_output=True).returncode != 0:
        pytest.skip("no read-only bind mount here (needs root and mount)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_data_folder(tmp_path: Path, data: Path) -> None:
    """EROFS for real: the data folder bind-mounted read-only, with an index in it."""
    assert run(["operators", "import", str(SAMPLE)]).returncode == 0
    index = data / "operators-index.sqlite"
    before = index.read_bytes()
    with serving(DirectoryServer({("FR", "ISSUED"): 50})) as server, read_only(data):
        for args in (["operators", "import", str(SAMPLE)], ["operators", "fetch", "--delay", "0"]):
            line = assert_one_line(run(args, TRACESGUIDE_DIRECTORY_URL=server.base_url))
            assert "lecture seule" in line and str(data) in line
            _count("writes, read-only data folder (EROFS) x command")
        assert run(["operators", "search", "moulin"]).returncode in (0, 1)  # still read
    assert index.read_bytes() == before


def test_a_symlinked_partial_folder_is_never_written_through(tmp_path: Path, data: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    from tracesguide.operators.partial import PARTIAL_DIR

    (data / PARTIAL_DIR).symlink_to(elsewhere)
    with serving(DirectoryServer({("FR", "ISSUED"): 30})) as server:
        done = run(
            ["operators", "fetch", "--delay", "0"], TRACESGUIDE_DIRECTORY_URL=server.base_url
        )
    assert done.returncode == 0, done.stderr
    assert list(elsewhere.iterdir()) == []
    _count("writes, partial folder a link")
