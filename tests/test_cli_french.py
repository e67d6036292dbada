"""Every word click and typer show is French: help screens, usage errors, the yes/no question."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer._click import Command
from typer._click.types import _NumberParamTypeBase
from typer.main import get_command

from tracesguide.cli import app

# Words of click's, typer's and email-validator's own messages (their English sources).
ENGLISH = re.compile(
    r"\b(Usage|Error|Show this message|Missing|No such|Did you mean|Invalid value|Try"
    r"|for help|required|default|Commands|Aborted|requires|unexpected|extra argument"
    r"|does not take|not a valid|is not in the range|Possible options|COMMAND|ARGS"
    r"|TEXT|PATH|INTEGER|env var|deprecated|Install completion"
    r"|Show completion|current shell|The email address|@-sign|There must be|is not valid"
    r"|must have|characters|Repeat for confirmation|y/N)\b"
    r"|<(text|path|str|int|integer|int range|float)>"  # typer's type names
)


def commands(
    command: Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Command]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, (*path, name))


ROOT = get_command(app)
ALL = list(commands(ROOT))


def error_paths() -> Iterator[tuple[str, ...]]:
    """For every command: its help, an unknown option, a missing or extra argument, and
    every option given a wrong value or none."""
    for path, command in ALL:
        yield (*path, "--help")
        yield (*path, "-h")
        yield (*path, "--zzz")
        yield (*path, "--jsn")  # close to --json where there is one: a suggestion
        if hasattr(command, "commands"):
            yield (*path, "nimportequoi")
            yield (*path, next(iter(command.commands))[:-1])  # a typo: a suggestion
            continue
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        if any(p.required for p in arguments):
            yield path  # the argument is missing
        else:
            yield (*path, "un", "deux", "trois")  # extra arguments where none or one is taken
        for param in command.params:
            if param.param_type_name != "option" or not param.opts:
                continue
            option = max(param.opts, key=len)
            filler = ["x"] * sum(p.required for p in arguments)
            if getattr(param, "is_flag", False):
                yield (*path, *filler, f"{option}=oui")
            else:
                yield (*path, *filler, option)  # no value
                if isinstance(param.type, _NumberParamTypeBase):
                    yield (*path, *filler, option, "-1")  # a wrong one
                    yield (*path, *filler, option, "abc")


@pytest.mark.parametrize("args", list(error_paths()), ids=" ".join)
def test_no_english_word_reaches_the_user(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    shown = result.out + result.err
    found = ENGLISH.search(shown)
    assert found is None, f"{found[0]!r} in: {shown}"
    assert "Traceback" not in shown
    if "--help" in args or "-h" in args:
        assert result.code == 0 and "Utilisation : tracesguide" in result.out
        assert "Affiche ce message et quitte." in result.out
    elif result.err:  # an error: one French line
        (line,) = result.err.splitlines()
        assert line.startswith("tracesguide: erreur : ")


def test_help_panels_and_labels_are_french(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("--help").out
    assert "Commandes" in out and "Options" in out
    assert "COMMANDE [ARGUMENTS]..." in out
    show = cli("show", "--help").out
    assert "Arguments" in show and "[obligatoire]" in show and "<texte>" in show


def test_bare_command_shows_the_help_and_succeeds(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli()
    assert result.code == 0 and "Utilisation : tracesguide" in result.out and not result.err
    result = cli("operators")
    assert result.code == 0 and "Utilisation : tracesguide operators" in result.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("statu",), "commande inconnue : « statu ». Vouliez-vous dire : status"),
        (("status", "--jsn"), "option inconnue : --jsn. Vouliez-vous dire : --json ?"),
        (("show",), "argument manquant : STEP_ID."),
        (("check", "--require"), "l'option --require attend une valeur."),
        (("status", "--json=1"), "l'option --json ne prend pas de valeur."),
        (("steps", "un", "deux"), "argument en trop : un deux."),
        (
            ("operators", "search", "x", "--limit", "abc"),
            "valeur invalide pour --limit : « abc » n'est pas un nombre entier.",
        ),
        (
            ("operators", "search", "x", "--limit", "0"),
            "valeur invalide pour --limit : 0 n'est pas compris entre 1 et 1000.",
        ),
    ],
)
def test_usage_errors_say_what_is_wrong_in_french(
    cli, args: tuple[str, ...], expected: str
) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.code == 2
    assert expected in result.err
    from tracesguide.system.hints import program

    command = " ".join((program("tracesguide"), *args[: 2 if args[0] == "operators" else 1]))
    if args[0] != "statu":
        assert f"Aide : {command} --help" in result.err


def test_completion_options_are_offered_in_french(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("--help").out
    assert "--install-completion" in out and "--show-completion" in out
    assert "Installe la complétion" in out


def test_reset_question_takes_o_oui_n_non(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import typer

    from tracesguide.i18n.library import confirm

    for typed, expected in (("o", True), ("OUI", True), ("n", False), ("non", False), ("", False)):
        monkeypatch.setattr("sys.stdin", io.StringIO(typed + "\n"))
        assert confirm("Recommencer ?") is expected
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\noui\n"))  # asked again, in French
    assert confirm("Recommencer ?") is True
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # end of input: nothing changes
    with pytest.raises(typer.Abort):
        confirm("Recommencer ?")


# --- what libraries say, in French --------------------------------------------------

EMAIL_MISTAKES = {
    "prenom.nom": "il manque l'arobase",
    "@exemple.fr": "avant l'arobase",
    "prenom.nom@": "après l'arobase",
    "prenom.nom@exemple": "doit contenir un point",
    "prenom..nom@exemple.fr": "deux points se suivent",
    "prenom nom@exemple.fr": "caractère non permis",
    "Prénom NOM <prenom.nom@exemple.fr>": "sans nom ni chevrons",
    "prenom.nom@exemple.local": "réservé",
    "prenom.nom@exemple_societe.fr": "le domaine contient un caractère non permis",
}


@pytest.mark.parametrize("address", list(EMAIL_MISTAKES))
def test_email_reasons_are_french(address: str) -> None:
    from tracesguide.state.validate import Invalid, email

    with pytest.raises(Invalid) as refused:
        email(address)
    message = str(refused.value)
    assert EMAIL_MISTAKES[address] in message
    assert ENGLISH.search(message) is None, message


def test_an_unknown_email_reason_gets_a_french_sentence() -> None:
    from tracesguide.i18n.wording import email_reason

    reason = email_reason("The frobnicated part is wrong.")
    assert "prenom.nom@exemple.fr" in reason and ENGLISH.search(reason) is None


TOML_MISTAKES = {
    'nom = "Camille': (1, "chaîne de caractères non terminée"),
    "a = 1\nb = [1, 2": (2, "liste non fermée"),
    "a = 1\na = 2": (2, "déjà définie"),
    "a = 1\nnom Camille": (2, "signe = attendu"),
    "a = oui": (1, "valeur invalide"),
    "[etapes\n": (1, "crochet fermant manquant"),
    "a = 1 b = 2": (1, "fin de ligne attendue"),
}


@pytest.mark.parametrize("source", list(TOML_MISTAKES))
def test_toml_errors_name_line_column_and_what_is_wrong(source: str) -> None:
    from tracesguide.i18n.wording import toml_error
    from tracesguide.system.toml import TOMLDecodeError, loads

    with pytest.raises(TOMLDecodeError) as error:
        loads(source)
    line, reason = TOML_MISTAKES[source]
    text = toml_error(error.value)
    assert text.startswith(f"ligne {line}, colonne {error.value.colno} : ") and reason in text


def test_every_invalid_toml_of_the_corpus_is_explained_in_french() -> None:
    import os

    from tracesguide.i18n.wording import toml_error
    from tracesguide.system.toml import TOMLDecodeError, loads

    corpus = os.environ.get("TRACESGUIDE_TOML_TEST_CORPUS")
    if not corpus:
        pytest.skip("TRACESGUIDE_TOML_TEST_CORPUS is not set (the toml-test corpus)")
    invalid = sorted((Path(corpus) / "tests" / "invalid").rglob("*.toml")) or sorted(
        (Path(corpus) / "invalid").rglob("*.toml")
    )
    assert invalid
    generic = 0
    for path in invalid:
        try:
            loads(path.read_bytes().decode("utf-8"))
        except (TOMLDecodeError, UnicodeDecodeError) as error:
            if isinstance(error, TOMLDecodeError):
                text = toml_error(error)
                assert text.startswith("ligne ") and ENGLISH.search(text) is None, text
                generic += "syntaxe TOML invalide" in text
        except RecursionError:
            pass
    assert generic < len(invalid) / 10  # nearly every error has its own French sentence


def test_one_date_format_for_people_iso_in_json(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import json
    import time

    from helpers import write_state

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        path = tmp_path / "state.toml"
        write_state(path)  # created at 31/01/2026 10:00 UTC, a step a minute
        out = cli("status", "--state", str(path)).out
        assert re.search(r"Mis à jour : 31/01/2026 11:\d\d\n", out)  # local time, for the user
        data = json.loads(cli("status", "--json", "--state", str(path)).out)
        assert data["updated"].startswith("2026-01-31T10:")
        replayed = cli("replay", str(path), "--full").out
        assert "31/01/2026 10:00 UTC" in replayed  # support: UTC, named
        assert not re.search(r"\d{4}-\d\d-\d\d", out + replayed)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_step_ids_are_case_insensitive_to_a_person(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("show", "EU-LOGIN.FORM")
    assert result.code == 0 and "(eu-login.form)" in result.out
    typo = cli("show", "EU-LOGIN.FORMS")
    assert typo.code == 2 and "eu-login.form" in typo.err


# --- French typography through rich's wrapping ----------------------------------------

SENTENCE = (
    "Recopiez le code : il arrive par courriel ; « Votre compte EU Login » est prêt ! "
    "Vraiment ? Oui : cliquez sur « Suivant »."
)


def badly_wrapped(rendered: str) -> list[str]:
    """Lines that start with a high sign or end with an opening «."""
    bad = []
    for line in rendered.splitlines():
        text = line.strip(" │╭╮╰╯─┃")
        if text[:1] in (":", ";", "!", "?", "»") or text.endswith("«"):
            bad.append(line)
    return bad


def render(renderable: object, width: int = 80) -> str:
    from rich.console import Console

    console = Console(width=width, no_color=True, highlight=False)
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


def test_no_line_starts_with_a_colon_or_ends_with_a_guillemet() -> None:
    from rich.text import Text

    from tracesguide.i18n.typography import keep_french_spaces

    keep_french_spaces()
    for shift in range(80):  # the sentence pushed one column at a time: every break
        assert badly_wrapped(render(Text("x" * shift + " " + SENTENCE))) == [], shift


def test_every_step_of_the_procedure_wraps_the_french_way() -> None:
    from tracesguide.content import load
    from tracesguide.i18n.typography import keep_french_spaces
    from tracesguide.views.render import step_view

    keep_french_spaces()
    content = load()
    for step in content.steps:
        for width in (80, 61, 47):
            rendered = render(step_view(content, step, {}), width)
            assert badly_wrapped(rendered) == [], (step.id, width)


def test_french_spaces_writes_non_breaking_spaces() -> None:
    from tracesguide.i18n.typography import NBSP, french_spaces

    assert french_spaces("Reprenez avec : « tracesguide setup » !") == (
        f"Reprenez avec{NBSP}: «{NBSP}tracesguide setup{NBSP}»{NBSP}!"
    )
    assert french_spaces("https://exemple.fr/a?b=c:d") == "https://exemple.fr/a?b=c:d"


@pytest.mark.parametrize(
    "words", ["tracesguide ", "tracesguide status --", "tracesguide operators search --"]
)
def test_completion_descriptions_are_french(
    cli, monkeypatch: pytest.MonkeyPatch, words: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("_TRACESGUIDE_COMPLETE", "complete_zsh")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", words)
    out = cli().out
    assert "Affiche ce message et quitte." in out or "status" in out
    assert ENGLISH.search(out) is None and "cli." not in out, out


def test_a_broken_content_file_is_explained_in_french() -> None:
    from tracesguide.content import parse_text
    from tracesguide.system.errors import ContentError

    with pytest.raises(ContentError) as error:
        parse_text('[procedure]\ntitle = "Accès', "fr.toml")
    assert "ligne 2, colonne" in error.value.message and "non terminée" in error.value.message
    assert ENGLISH.search(error.value.message) is None
