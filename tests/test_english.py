"""English: chosen by --lang, else the state's language, else the locale; French by default."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import write_state
from tracesguide.state import store as state_module

# Words that only a French screen would print (the English content quotes French page
# labels between “ ”, removed before looking).
FRENCH = re.compile(r"\b(Étape|étape|vous|votre|Prochaine|Aucune|jalons?|Lancez)\b")


def english(text: str) -> str:
    return re.sub(r"“[^”]*”", "", text)


def assert_english(text: str) -> None:
    assert text.strip()
    found = FRENCH.search(english(text))
    assert not found, f"French word {found.group()!r} in: {text[:400]}"


@pytest.mark.parametrize(
    "args",
    [
        ["steps"],
        ["show", "eu-login.form"],
        ["status"],
        ["troubleshoot"],
        ["troubleshoot", "oper-029"],
        ["--help"],
        ["setup", "--help"],
        ["operators", "search", "--help"],
    ],
)
def test_lang_en_speaks_english(cli, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli("--lang", "en", *args)
    assert result.code == 0, result.err
    assert_english(result.out)


def test_french_stays_the_default(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("steps")
    assert "Compte EU Login" in result.out
    assert "EU Login account" not in result.out


def test_the_locale_chooses_english(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    result = cli("steps")
    assert "EU Login account" in result.out
    assert_english(result.out)
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")  # LC_ALL wins over LANG
    assert "Compte EU Login" in cli("steps").out


def test_an_unknown_locale_language_means_french(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert "Compte EU Login" in cli("steps").out


def test_a_state_in_english_is_shown_in_english_unless_lang(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    path = tmp_path / "state.toml"
    st = write_state(path, until="second-factor.choose-method")
    st.language = "en"
    state_module.save(st, path)
    shown = cli("status", "--state", str(path))
    assert "EU Login account" in shown.out
    assert_english(shown.out)
    assert "Compte EU Login" in cli("--lang", "fr", "status", "--state", str(path)).out


def test_status_json_keeps_its_keys_in_english(cli) -> None:  # type: ignore[no-untyped-def]
    fr = json.loads(cli("status", "--json").out)
    en = json.loads(cli("--lang", "en", "status", "--json").out)
    assert fr.keys() == en.keys()


def test_an_unknown_language_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--lang", "de", "steps")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "« de »" in result.err and "fr|en" in result.err


def test_a_new_state_records_the_language_chosen(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answers = Path(__file__).parents[1] / "docs" / "examples" / "answers.toml"
    path = tmp_path / "state.toml"
    result = cli("--lang", "en", "setup", "--answers", str(answers), "--state", str(path))
    assert result.code == 0, result.err
    assert state_module.load(path).language == "en"


def test_english_confirmation_accepts_yes(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from tracesguide import i18n
    from tracesguide.i18n import library as cli_french

    i18n.set_language("en")
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert cli_french.confirm("Start again?") is True
    assert "[y/N]" in i18n.t("cli.confirm_choices")
