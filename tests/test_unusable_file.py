"""An unreadable or unusable state file: one French line naming the path and the reason,
in every command that reads it; ``status --json`` gives ``check --json``'s record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import write_state

REASONS = {
    "loop": "trop de liens symboliques dans le chemin",
    "long": "trop long pour le système de fichiers",
    "bad": "TOML invalide",
    "folder": "ce n'est pas un fichier ordinaire",
}


def _files(tmp_path: Path) -> dict[str, Path]:
    loop = tmp_path / "boucle.toml"
    loop.symlink_to(tmp_path / "autre.toml")
    (tmp_path / "autre.toml").symlink_to(loop)
    bad = tmp_path / "abime.toml"
    bad.write_text("schema_version = \n", "utf-8")
    folder = tmp_path / "dossier.toml"
    folder.mkdir()
    return {"loop": loop, "long": tmp_path / ("n" * 300 + ".toml"), "bad": bad, "folder": folder}


COMMANDS = (
    ("replay", "{path}"),
    ("replay", "{path}", "--html", "{out}"),
    ("status", "--state", "{path}"),
    ("steps", "--state", "{path}"),
    ("edit", "--state", "{path}"),
    ("reset", "--state", "{path}"),
    ("setup", "--state", "{path}"),
    ("replay", "{path}", "--redact", "{out}"),
    ("replay", "{path}", "--bundle", "{zip}"),
)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_names_the_path_and_the_reason(cli, tmp_path, command) -> None:  # type: ignore[no-untyped-def]
    for kind, path in _files(tmp_path).items():
        args = [
            a.format(path=path, out=tmp_path / "copie.html", zip=tmp_path / "ticket.zip")
            for a in command
        ]
        result = cli(*args)
        assert result.code == 2, (kind, result.err)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1, (kind, result.err)
        # a long name is quoted cut, its length said
        assert str(path.name)[:10] in lines[0] and REASONS[kind] in lines[0], (kind, lines[0])
        assert "Traceback" not in result.err and "valeur invalide pour" not in result.err


def test_check_names_the_path_and_the_reason_in_its_table(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``check FILE`` as a table: the file's row says « inutilisable », its path, and the
    reason under it; nothing on stderr, exit 2."""
    for kind, path in _files(tmp_path).items():
        if kind == "folder":  # a folder is read for its files (none here)
            continue
        result = cli("check", str(path))
        assert result.code == 2, (kind, result.err)
        out = " ".join(result.out.split())
        assert "inutilisable" in out and str(path.name)[:10] in out, (kind, out)
        assert REASONS[kind] in out, (kind, out)
        assert result.err.strip() == "" and "Traceback" not in result.out


def test_status_json_gives_the_path_and_error_record_like_check(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for kind, path in _files(tmp_path).items():
        if kind == "folder":  # check reads a folder's files
            continue
        status = cli("status", "--json", "--state", str(path))
        check = cli("check", "--json", str(path))
        assert status.code == check.code == 2, kind
        record = json.loads(status.out)
        checked = json.loads(check.out.splitlines()[0])
        assert record["path"] == checked["path"], kind
        if kind != "long":  # a name the system refuses: status says it before reading
            assert record == checked, kind
        assert set(record) == {"path", "error"} and record["path"] == str(path)
        assert REASONS[kind] in record["error"]


def test_status_json_of_a_good_file_is_unchanged(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ok.toml"
    write_state(path)
    result = cli("status", "--json", "--state", str(path))
    assert result.code == 0
    assert json.loads(result.out)["format"] == 1


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_file_the_reader_may_not_open_is_permission_denied(tmp_path) -> None:
    """Run as another user when the tests run as root (root reads everything); pytest's
    own folder is closed to that user too (0700): every command says « permission
    refusée » with the path, none takes the file for absent (edit's « aucune réponse »,
    reset's « rien à recommencer »)."""
    path = tmp_path / "prive.toml"
    write_state(path)
    path.chmod(0o000)
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = Path("/usr/bin/setpriv")
        if not setpriv.exists():
            pytest.skip("root without setpriv: every file is readable")
        tmp_path.chmod(0o755)
        prefix = [str(setpriv), "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = {**os.environ, "HOME": str(tmp_path), "LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}
    for args in (
        ["replay", str(path)],
        ["status", "--state", str(path)],
        ["edit", "--state", str(path)],
        ["reset", "--state", str(path)],
        ["setup", "--state", str(path)],
        ["steps", "--state", str(path)],
    ):
        run = subprocess.run(
            [*prefix, sys.executable, "-m", "tracesguide", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        assert run.returncode == 2, (args, run.stderr)
        assert "prive.toml" in run.stderr and "permission refusée" in run.stderr, (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1, (args, run.stderr)
    run = subprocess.run(
        [*prefix, sys.executable, "-m", "tracesguide", "status", "--json", "--state", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 2
    record = json.loads(run.stdout)
    assert record["path"] == str(path) and "permission refusée" in record["error"]
    assert path.read_bytes() if os.geteuid() == 0 else True  # untouched (root reads it)
