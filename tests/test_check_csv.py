"""``check --csv OUT``: the manager's spreadsheet, read back as spreadsheet software would."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from helpers import APP_ANSWERS, write_state
from html_states import folder_of_users, thirty_clients


def read(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: the accents read right
    text = data[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # RFC 4180's CRLF
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_one_row_per_file_with_the_fields_a_manager_acts_on(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = thirty_clients(tmp_path / "clients")
    (folder / "z-casse.toml").write_text("pas = [du toml", "utf-8")
    out = tmp_path / "suivi.csv"
    result = cli("check", str(folder), "--csv", str(out), "--require", "access-granted")
    assert result.code == 2, result.err  # an unusable file, as check
    assert out.stat().st_mode & 0o777 == 0o600
    rows = read(out)
    assert len(rows) == 31
    first = rows[0]
    assert list(first) == [
        "nom", "courriel", "opérateur", "numéro TRACES", "étape majeure", "prochaine étape",
        "qui doit agir", "prochaine action", "jours d'attente", "jours sans activité",
        "dernier problème", "guichet", "jalon exigé atteint", "fichier", "erreur",
    ]  # fmt: skip
    assert first["nom"] == "Marie-Amélie DE LA FONTAINE"
    assert first["prochaine étape"] == "operator.certificate"
    assert first["qui doit agir"] == "l'organisme de contrôle (Certipaq BIO)"
    assert first["jours sans activité"].isdigit() and first["jalon exigé atteint"] == "non"
    helped = [r for r in rows if r["dernier problème"]]
    assert len(helped) == 8 and all("Certipaq BIO" in r["guichet"] for r in helped)
    assert sum(r["jalon exigé atteint"] == "oui" for r in rows) == 4
    broken = rows[-1]
    assert broken["fichier"].endswith("z-casse.toml") and "TOML invalide" in broken["erreur"]


def test_a_value_is_never_a_formula_and_never_a_control(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "piege.toml"
    answers = {**APP_ANSWERS, "first_name": '=HYPERLINK("https://x.example")', "last_name": "@SUM"}
    write_state(path, answers, until="traces.home")
    out = tmp_path / "s.csv"
    assert cli("check", str(path), "--csv", str(out)).code == 1
    [row] = read(out)
    assert row["nom"].startswith("'=HYPERLINK(")
    assert "\x1b" not in out.read_text("utf-8-sig")


def test_the_spreadsheet_never_replaces_an_input_nor_a_stream(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = folder_of_users(tmp_path / "suivi", broken=False)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for target in (folder / "a-bloque.toml", Path("/dev/stdout")):
        result = cli("check", str(folder), "--csv", str(target))
        assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_check_json_carries_the_spreadsheet_fields(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A script reads from ``check --json`` what the manager reads in the spreadsheet:
    name, e-mail, operator, stage, step, who acts, next action, waiting days, days since
    the last activity, last problem, desk (docs/scripting.md)."""
    import json

    from tracesguide.content import load

    content = load()
    stages = {f"{s.number}. {s.title}": s.id for s in content.stages}
    folder = thirty_clients(tmp_path / "clients")
    (folder / "z-casse.toml").write_text("pas = [du toml", "utf-8")
    out = tmp_path / "suivi.csv"
    assert cli("check", str(folder), "--csv", str(out)).code == 2
    listed = cli("check", "--json", str(folder))
    assert listed.code == 2, listed.err
    records = [json.loads(line) for line in listed.out.splitlines()]
    rows = read(out)
    assert len(records) == len(rows) == 31
    for row, record in zip(rows[:-1], records[:-1], strict=True):
        assert record["path"] == row["fichier"]
        assert record["name"] == row["nom"] and record["email"] == row["courriel"]
        assert (record["operator"] or "") == row["opérateur"]
        assert (record["operator_number"] or "") == row["numéro TRACES"]
        assert record["stage"] == stages.get(row["étape majeure"])
        assert (record["next_step"] or "") == row["prochaine étape"]
        assert (record["next_action"] or {}).get("action", "") == row["prochaine action"]
        waiting = record["waiting_days"]
        assert ("" if waiting is None else str(waiting)) == row["jours d'attente"]
        assert str(record["inactive_days"]) == row["jours sans activité"]
        problem = record["last_problem"]
        assert (problem["id"] if problem else "") == row["dernier problème"]
        if problem:  # the desk's code, and the control body it names
            assert problem["desk"] == "control-body"
            assert record["control_body_name"] and record["control_body_name"] in row["guichet"]
        if record["actor"] == "control-body" and record["next_action"]:
            assert record["control_body_name"] in row["qui doit agir"]
    broken = records[-1]
    assert set(broken) == {"path", "error"} and "TOML invalide" in broken["error"]
    first = records[0]
    assert first["name"] == "Marie-Amélie DE LA FONTAINE" and first["stage"] == "operator"
    assert first["control_body_name"] == "Certipaq BIO"
