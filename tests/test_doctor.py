"""``tracesguide doctor``: each check on a real machine set-up (real files, a real SQLite
index, real keyring backends chosen through PYTHON_KEYRING_BACKEND, a real lock held by
another process, a real 127.0.0.1 server), in a child process as a user runs it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from directory_server import DirectoryServer, serving
from helpers import APP_ANSWERS, write_state

SAMPLE = Path(__file__).parents[1] / "src/tracesguide/operators/data/operators-sample.csv"
TESTS = str(Path(__file__).parent)


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([TESTS, *sys.path])}
    env.pop("TRACESGUIDE_CHROMIUM", None)
    env.pop("TRACESGUIDE_DIRECTORY_URL", None)
    env["PYTHON_KEYRING_BACKEND"] = "keyring_backends.MemoryKeyring"
    return {**env, **extra}


def doctor(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracesguide", "doctor", *args],
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def checks(done: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    assert "Traceback" not in done.stderr, done.stderr
    return {check["id"]: check for check in json.loads(done.stdout)["checks"]}


def fresh_index(**env: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tracesguide", "operators", "import", str(SAMPLE)],
        env=_env(**env),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def age_index(days: int) -> None:
    """The index as if imported *days* ago (its own metadata row, written by SQLite)."""
    index = Path(os.environ["TRACESGUIDE_DATA_DIR"]) / "operators-index.sqlite"
    moment = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(index) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE key = 'imported_at'", (moment,))
    connection.close()


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """*folder* unwritable for real: a read-only bind mount as root, mode 0500 otherwise."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    bind = ["mount", "--bind", "-o", "ro", str(folder), str(folder)]
    if subprocess.run(bind, capture_output=True).returncode != 0:
        pytest.skip("no read-only bind mount here (root without mount rights)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_plaintext_keyring_stale_index_and_unwritable_folder_are_all_named(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "suivi"
    folder.mkdir(mode=0o700)
    state = folder / "dupont.toml"
    write_state(state, APP_ANSWERS, until="traces.choose-role")
    fresh_index()
    age_index(45)
    plaintext = "keyrings.alt.file.PlaintextKeyring"
    with read_only(folder):
        as_json = doctor("--state", str(state), "--json", PYTHON_KEYRING_BACKEND=plaintext)
        text = doctor("--state", str(state), PYTHON_KEYRING_BACKEND=plaintext)
    assert as_json.returncode == 1 and text.returncode == 1
    found = checks(as_json)
    assert found["keyring"]["verdict"] == "problem"
    assert "PlaintextKeyring" in found["keyring"]["found"]
    assert "keyrings.alt" in found["keyring"]["todo"]
    assert found["index"]["verdict"] == "problem"
    assert "45 jours" in found["index"]["found"] and "30 jours" in found["index"]["found"]
    assert "tracesguide operators" in found["index"]["todo"]
    assert found["state_folder"]["verdict"] == "problem"
    assert str(folder) in found["state_folder"]["found"]
    assert found["state_folder"]["todo"]
    assert json.loads(as_json.stdout)["problems"] == 3
    # the text form names the three, with what to do, and says exit 1
    assert "Trousseau de clés (à corriger)" in text.stdout
    assert "pip uninstall keyrings.alt" in text.stdout
    assert "Annuaire des opérateurs (à corriger)" in text.stdout
    assert "Dossier du fichier d'état (à corriger)" in text.stdout
    assert "lecture seule" in text.stdout or "permission refusée" in text.stdout
    assert "3 points à corriger" in text.stdout
    assert text.stderr == ""


def test_a_good_set_up_is_exit_0(tmp_path: Path) -> None:
    folder = tmp_path / "suivi"
    folder.mkdir(mode=0o700)
    state = folder / "dupont.toml"
    write_state(state, APP_ANSWERS, until="traces.choose-role")
    fresh_index()
    with serving(DirectoryServer({("FR", "ISSUED"): 3})) as server:
        done = doctor(
            "--state", str(state), "--json", "--online", TRACESGUIDE_DIRECTORY_URL=server.base_url
        )
        text = doctor("--state", str(state), "--online", TRACESGUIDE_DIRECTORY_URL=server.base_url)
    found = checks(done)
    assert done.returncode == 0, found
    assert text.returncode == 0 and "Tout est prêt" in text.stdout
    assert {c["verdict"] for c in found.values()} <= {"ok", "info"}
    assert found["keyring"]["verdict"] == "ok"
    assert found["state_file"]["verdict"] == "ok" and "0600" in found["state_file"]["found"]
    assert found["index"]["verdict"] == "ok" and "il y a 0 jour" in found["index"]["found"]
    assert "HTTP 200" in found["directory_url"]["found"]


def test_english_and_every_check_has_a_verdict(tmp_path: Path) -> None:
    done = doctor("--lang", "en", "--json", "--state", str(tmp_path / "s.toml"))
    found = checks(done)
    assert set(found) == {
        "terminal", "encoding", "locale", "keyring", "state_file", "state_folder",
        "state_lock", "index", "data_folder", "directory_url", "chromium",
    }  # fmt: skip
    assert all(c["verdict"] in ("ok", "info", "warning", "problem") for c in found.values())
    assert found["index"]["found"].startswith("no directory imported")
    assert done.returncode == 0  # the sample index is a warning, nothing to fix


def test_a_shared_state_file_and_a_held_lock(tmp_path: Path) -> None:
    state = tmp_path / "s.toml"
    write_state(state, APP_ANSWERS, until="traces.choose-role")
    state.chmod(0o644)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from tracesguide.state import store\n"
            "with store.locked(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(60)",
            str(state),
        ],
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        found = checks(doctor("--json", "--state", str(state)))
    finally:
        holder.kill()
        holder.wait()
    assert found["state_file"]["verdict"] == "problem"
    assert f"chmod 600 {state}" in found["state_file"]["todo"]
    assert found["state_lock"]["verdict"] == "warning"
    assert f"processus {holder.pid}" in found["state_lock"]["found"]


def test_broken_paths_are_named(tmp_path: Path) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("x")
    link = tmp_path / "nowhere"
    link.symlink_to(tmp_path / "missing")
    done = doctor("--json", "--state", str(afile / "s.toml"), TRACESGUIDE_DATA_DIR=str(link))
    found = checks(done)
    assert done.returncode == 1
    assert found["state_folder"]["verdict"] == "problem"
    assert str(afile) in found["state_folder"]["found"]
    assert found["data_folder"]["verdict"] == "problem"
    assert "lien symbolique vers rien" in found["data_folder"]["found"]
    too_long = doctor("--json", "--state", str(tmp_path / ("x" * 300) / "s.toml"))
    assert checks(too_long)["state_file"]["verdict"] == "problem"


def test_an_unreachable_or_bad_directory_url(tmp_path: Path) -> None:
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there
    done = doctor("--json", "--online", TRACESGUIDE_DIRECTORY_URL=f"http://127.0.0.1:{port}/d")
    found = checks(done)
    assert done.returncode == 1
    assert found["directory_url"]["verdict"] == "problem"
    assert "injoignable" in found["directory_url"]["found"]
    bad = checks(doctor("--json", TRACESGUIDE_DIRECTORY_URL="http://user:secret@h/"))
    assert bad["directory_url"]["verdict"] == "problem"
    assert "secret" not in json.dumps(bad)
    offline = checks(doctor("--json", TRACESGUIDE_DIRECTORY_URL=f"http://127.0.0.1:{port}/d"))
    assert offline["directory_url"]["verdict"] == "ok"  # not tried without --online
