"""replay --bundle: one archive for a ticket, every file in it from the redacted copy."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

from test_html_redact import PERSONAL, personal_state
from tracesguide.content import load
from tracesguide.reports.redact import redact
from tracesguide.state import store as state_module

CONTENT = load()
NAMES = {"etat-masque.toml", "relecture-masquee.html", "resume-ticket.txt", "manifest.json"}


def test_the_bundle_holds_the_redacted_state_its_page_a_manifest_and_the_summary(
    cli,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    source = tmp_path / "dupont-camille.toml"
    original = personal_state(source)
    before = source.read_bytes()
    out = tmp_path / "ticket.zip"
    result = cli("replay", str(source), "--bundle", str(out))
    assert result.code == 0, result.err
    assert source.read_bytes() == before
    assert out.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(out) as archive:
        assert set(archive.namelist()) == NAMES
        files = {name: archive.read(name) for name in NAMES}
    # nobody is named anywhere in it, not even by the original file's name
    for name, data in files.items():
        text = data.decode("utf-8")
        for value in PERSONAL:
            if value == "ALPRO" and name.endswith(".html"):
                continue  # the procedure's own screens show the public directory's sample
            assert value not in text, (name, value)
        assert "dupont" not in text.lower(), name
    # the state is the redacted copy, a state file replay and check accept
    copy_path = tmp_path / "etat-masque.toml"
    copy_path.write_bytes(files["etat-masque.toml"])
    assert state_module.load(copy_path) == redact(CONTENT, original)
    assert cli("check", str(copy_path)).code == cli("check", str(source)).code
    page = files["relecture-masquee.html"].decode("utf-8")
    assert "Réponse au ticket" in page and "pending-long" in page
    # the manifest says what each file is, its size and its digest
    manifest = json.loads(files["manifest.json"])
    assert manifest["redacted"] is True
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == NAMES - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["size"] == len(files[name])
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert entry["what"]
    # the summary, French and paste-ready, is shown before the archive is written
    summary = files["resume-ticket.txt"].decode("utf-8")
    for words in ("Résumé pour le ticket", "Doit agir", "Ce qui bloque", "pending-long"):
        assert words in summary, words
    assert "guichet" in summary and "Prénom-1 NOM-1" in summary
    shown = result.out.replace("\n", " ")
    assert " ".join(summary.split()) in " ".join(shown.split())
    assert shown.index("Doit agir") < shown.index("Archive pour le ticket écrite")


def test_a_refused_bundle_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "dupont.toml"
    personal_state(source)
    other = tmp_path / "autre.toml"
    personal_state(other)
    names = sorted(p.name for p in tmp_path.iterdir())
    for out in (source, other, tmp_path, Path(os.devnull)):
        result = cli("replay", str(source), "--bundle", str(out))
        assert result.code == 2 and result.err.count("\n") == 1, result.err
        assert "Résumé pour le ticket" not in result.out
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    missing = tmp_path / "nulle-part" / "ticket.zip"
    result = cli("replay", str(source), "--bundle", str(missing))
    assert result.code == 2 and "impossible d'écrire" in result.err
