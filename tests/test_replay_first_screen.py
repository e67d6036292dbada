"""The replay's first screen (80×24) holds the whole answer, even for the longest case:
long names, three searches, a request waiting for weeks, a problem, a note; in French and
with ``--lang en`` (then every word of the answer is English, the content's too)."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from helpers import APP_ANSWERS, T0, advance
from pty_driver import tracesguide_executable
from tracesguide.content import load
from tracesguide.state import State
from tracesguide.state import store as state_module

LONG = {
    **APP_ANSWERS,
    "first_name": "Marie-Amélie",
    "last_name": "DE LA FONTAINE-SAINT-ÉTIENNE",
    "email": "marie-amelie.delafontaine-saint-etienne@negoce-bio-exemple.fr",
    "operator_name": "Société Coopérative Agricole des Producteurs Bio du Grand Ouest",
    "operator_traces_number": "FR-BIO-01.12345",
}
SEARCHES = (
    "Coopérative agricole producteurs bio grand ouest",
    "SCA Producteurs Bio Grand Ouest Nantes",
    "Producteurs Bio du Grand Ouest",
)
NOTE = "Relancé Certipaq par téléphone le 8, pas de réponse depuis, le gérant s'impatiente"


def longest_case(path: Path, language: str) -> Path:
    saved = State.new(now=T0)
    saved.language = language
    for query in SEARCHES:
        saved.record("search", "operator.search", query, now=T0)
    saved = advance(saved, load(language), LONG, until="access.wait-validation")
    saved.answer("operator_origin", "search", step="operator.search")
    saved.record("shown", "access.wait-validation", now=T0 + timedelta(hours=3))
    later = T0 + timedelta(days=9)
    saved.record("problem", "access.wait-validation", "pending-long", now=later)
    saved.record("note", "access.wait-validation", NOTE, now=later)
    saved.record("later", "access.wait-validation", now=later)
    state_module.save(saved, path)
    return path


def first_screen(path: Path, *options: str) -> tuple[list[str], str]:
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "NO_COLOR": "1", "LANG": "fr_FR.UTF-8"}
    run = subprocess.run(
        [tracesguide_executable(), *options, "replay", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines)
    return lines[:24], run.stdout


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_whole_answer_is_on_the_first_80x24_screen(tmp_path: Path, language: str) -> None:
    path = longest_case(tmp_path / "longue.toml", language)
    lines, _ = first_screen(path)  # the reader's language (French), whatever the file's
    screen = " ".join(" ".join(lines).split())
    labels = (
        "Qui",
        "Opérateur",
        "Recherches",
        "Où",
        "Doit agir",
        "Ce qui bloque",
        "Dernier problème",
        "Note",
        "Attend depuis",
        "Ensuite",
        "Dernière activité",
        "Jalons",
    )
    starts = [line.split("  ")[0] for line in lines]
    assert [label for label in labels if label in starts] == list(labels), starts
    assert "Marie-Amélie" in screen and "choisi dans l'annuaire" in screen
    assert "« Producteurs Bio du Grand Ouest »" in screen  # the last search, whole
    assert "étape 25 sur 26" in screen and "access.wait-validation" in screen
    assert "pending-long" in screen and "guichet : Votre organisme de contrôle" in screen
    assert "Attend depuis le 31/01/2026 10:22 UTC" in screen
    assert "manque : access-granted" in screen
    # the content speaks the replay's language too: no English title in a French answer
    assert (
        "Wait for" not in screen
        and "Attendre la validation de votre organisme de contrôle" in screen
    )


def test_lang_en_gives_an_english_answer_content_included(tmp_path: Path) -> None:
    path = longest_case(tmp_path / "longue.toml", "fr")
    lines, out = first_screen(path, "--lang", "en")
    screen = " ".join(" ".join(lines).split())
    for label in ("Who", "Must act", "What blocks", "Last problem", "Waiting since", "Next"):
        assert label in screen
    assert "“Wait for your control body's validation”" in screen  # the step's English title
    assert "“Control body and access”" in screen  # the stage's
    assert "“My authorisation request stays pending” (pending-long)" in screen
    assert "desk: Your control body (Certipaq BIO)" in screen
    for french in ("Attendre la validation", "Organisme de contrôle et accès", "Votre organisme"):
        assert french not in out.split("Timeline")[0], french
