"""The procedure as it stands in November 2026: SMS in the past, the app path, faithful screens.

These tests hold the content to what the sources say today (``official-facts.md``, "What
changed since the seeds") and to the wording rules of issue 12 that can be stated
mechanically. They read what a user reads: titles, instructions, warnings, screens,
questions and troubleshooting entries; the ``where`` of a source citation is a quotation
of the source and is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tracesguide.content import LANGUAGES, Content, Entry, SourceRef, Step, load
from tracesguide.i18n import catalog

SEED_QUOTE = "Les SMS ne seront plus acceptés comme second facteur d'authentification avec EU Login"
MY_ACCOUNT = "https://webgate.ec.europa.eu/cas/userdata/myAccount.cgi"


@pytest.fixture(params=[lang for lang in LANGUAGES if lang == "fr"])
def content(request: pytest.FixtureRequest) -> Content:
    return load(request.param)


def texts(value: Any) -> Iterator[str]:
    """Every text a user reads in *value*; source citations (quotations) left out."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, SourceRef):
        return
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from texts(item)


def user_texts(content: Content) -> list[str]:
    return list(
        texts(
            [
                content.title,
                content.stages,
                content.steps,
                content.desks,
                content.troubleshooting,
                list(catalog("fr").values()),  # the message catalog: the same rules
            ]
        )
    )


def owners(content: Content) -> Iterator[tuple[Step | Entry, str]]:
    """Each step and troubleshooting entry with all its user text joined.

    A step's problems are troubleshooting entries (offered at the step): they count once,
    as entries, with their own sources.
    """
    for step in content.steps:
        yield step, " ".join(texts(step._replace(problems=())))
    for entry in content.troubleshooting:
        yield entry, " ".join(texts(entry))


# --- the second factor, true today --------------------------------------------------------

# Claims that the SMS end is still to come: none may come back.
FUTURE_SMS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"en cours de suppression",
        r"d'ici (la )?mi-2025",
        r"mi-2025",
        r"(supprime|supprimera|va supprimer|prévoit la fin|annonce la fin)[^.]*SMS",
        r"SMS[^.]*\b(sera|seront|va être|vont être)\b",
        r"SMS \(en cours",
    )
]


def test_no_future_tense_claim_about_the_sms_end(content: Content) -> None:
    for text in user_texts(content):
        text = text.replace(SEED_QUOTE, "")  # the 2024 welcome page, quoted as a screen
        for pattern in FUTURE_SMS:
            assert not pattern.search(text), f"{pattern.pattern!r} in {text!r}"


def test_the_welcome_page_quote_is_only_shown_as_a_screen(content: Content) -> None:
    for step, joined in owners(content):
        if SEED_QUOTE not in joined:
            continue
        assert isinstance(step, Step), step.id
        assert all(SEED_QUOTE not in t for t in texts([step.do, step.warnings])), step.id
        assert any(SEED_QUOTE in line for line in step.screen.lines), step.id


def test_sms_end_in_the_past_with_its_sources(content: Content) -> None:
    step = content.step("second-factor.sms-warning")
    text = " ".join(texts(step))
    assert "Depuis le 1er juillet 2025, le SMS n'est plus accepté" in text
    assert "FLI" in text and "8.4" in text
    assert "l'Agence suédoise de l'alimentation (Livsmedelsverket)" in text
    assert "2 juin 2025" in text and "30 juin 2025" in text
    assert "d'EU Login sur les seconds facteurs ne cite plus le SMS" in text
    wheres = " ".join(r.where for r in step.source)
    for fragment in ("FLI", "8.4", "Livsmedelsverket", "What second factor can I configure"):
        assert fragment in wheres, fragment


def test_choosing_sms_says_it_no_longer_works(content: Content) -> None:
    method = content.question("second_factor_method")
    assert method is not None
    sms = method.choice("sms")
    assert sms is not None and not sms.recommended
    assert "ne fonctionne plus depuis le 1er juillet 2025" in sms.label
    assert "1er juillet 2025" in sms.description
    route = content.step("second-factor.sms.route")
    assert "gardée pour référence" in route.do
    assert any("ne fonctionne plus depuis le 1er juillet 2025" in w for w in route.warnings)
    for text in user_texts(content):  # never « très probablement »: it does not work
        assert "très probablement" not in text, text


def test_a_path_without_a_smartphone(content: Content) -> None:
    method = content.question("second_factor_method")
    assert method is not None
    key = method.choice("key")
    assert key is not None and "sans smartphone" in key.label
    steps = [s for s in content.steps if ("second_factor_method", "key") in s.when]
    assert [s.id for s in steps][-1] == "second-factor.key.sign-in"
    assert steps[-1].milestone == "second-factor"
    text = " ".join(t for s in steps for t in texts(s))
    for fragment in (
        "Gérer mes clés de sécurité",
        "Add a Security Key",
        "Windows Hello",
        "passkey",
    ):
        assert fragment in text, fragment
    assert "aucune source ne confirme que TRACES NT l'accepte" in text


def test_the_prefecture_procedure_is_kept_complete_as_the_2024_one(content: Content) -> None:
    sms_steps = [s for s in content.steps if s.id.startswith("second-factor.sms.")]
    numbered = {}
    for step in sms_steps:
        match = re.search(r"\(étape (\d) de la procédure de la préfecture\)$", step.title)
        if match:
            numbered[int(match.group(1))] = step
        else:
            assert "procédure de 2024" in step.title or "directement" in step.title, step.title
    assert sorted(numbered) == list(range(1, 9))
    for n, step in numbered.items():
        assert any(r.source == "seed-000" and f"Étape N°{n}" in r.where for r in step.source)


def test_the_app_path_follows_the_official_steps(content: Content) -> None:
    app = [s for s in content.steps if s.id.startswith("second-factor.app.")]
    assert [s.id for s in app] == [
        "second-factor.app.install",
        "second-factor.app.my-account",
        "second-factor.app.add-device",
        "second-factor.app.scan-qr",
        "second-factor.app.enter-pin",
        "second-factor.app.sign-in",
    ]
    expected = {
        "second-factor.app.install": ["Initialise", "notifications", "appareil photo"],
        "second-factor.app.my-account": [MY_ACCOUNT, "« Gérer mes appareils mobiles »"],
        "second-factor.app.add-device": [
            "Add a mobile device",
            "nom",
            "code PIN à 4 chiffres",
            "confirmez ce code PIN",
            "Submit",
        ],
        "second-factor.app.scan-qr": ["QR code", "application EU Login"],
        "second-factor.app.enter-pin": ["entrez-le dans l'application", "confirmation"],
        "second-factor.app.sign-in": [
            "EU Login Mobile App PIN Code",
            "notification",
            "code PIN",
        ],
    }
    for step_id, fragments in expected.items():
        text = " ".join(texts(content.step(step_id)))
        for fragment in fragments:
            assert fragment in text, (step_id, fragment)
        assert ("second_factor_method", "app") in content.step(step_id).when
    assert content.step("second-factor.app.enter-pin").milestone == "second-factor"


def test_a_second_method_is_recommended(content: Content) -> None:
    step = content.step("second-factor.second-method")
    assert step.optional and not step.when
    text = " ".join(texts(step))
    for fragment in ("clé de sécurité", "Windows Hello", "passkey", "plateforme sécurisée"):
        assert fragment in text, fragment
    assert MY_ACCOUNT in step.do
    assert any(
        "What changed since the seeds" in r.where and "Passkey" in r.where for r in step.source
    )


# Every date the content states, with the source that gives it (source id, part of "where").
DATES = {
    "11 juin 2024": ("seed-000", "Principe"),
    "18 juin 2024": ("seed-000", "Principe"),
    "24 juin 2024": ("facts", "24 June 2024"),
    "1er juillet 2025": ("facts", "FLI"),
    "10 juillet 2025": ("facts", "10.07.2025"),
    "2 juin 2025": ("facts", "Livsmedelsverket news of 2 June 2025"),
    "30 juin 2025": ("facts", "Livsmedelsverket"),
    "21 janvier 2025": ("facts", "21 January 2025"),
}
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
DATE = re.compile(rf"\b(?:1er|\d{{1,2}}) (?:{MONTHS}) \d{{4}}\b")


def test_every_date_cites_the_source_that_gives_it(content: Content) -> None:
    seen: set[str] = set()
    for item, joined in owners(content):
        for date in DATE.findall(joined):
            assert date in DATES, f"{item.id}: {date} has no known source"
            source, fragment = DATES[date]
            assert any(r.source == source and fragment in r.where for r in item.source), (
                f"{item.id}: {date} without its source ({source}: {fragment})"
            )
            seen.add(date)
    assert seen == set(DATES)


@pytest.mark.parametrize("date", sorted(DATES))
def test_each_sourced_date_is_stated(content: Content, date: str) -> None:
    assert any(date in text for text in user_texts(content)), date


def test_my_account_address_where_the_user_needs_it(content: Content) -> None:
    for step_id in (
        "second-factor.app.my-account",
        "second-factor.sms.route",
        "second-factor.second-method",
    ):
        assert MY_ACCOUNT in " ".join(texts(content.step(step_id))), step_id
    assert MY_ACCOUNT in " ".join(texts(content.troubleshooting))


# --- faithful screens ---------------------------------------------------------------------

EU_LOGIN_LINKS = {
    "Mon compte sur EU Login",
    "Modifier votre mot de passe EU Login",
    "Mettre à jour vos informations sur EU Login",
}


def test_eu_login_links_are_on_the_personal_information_page(content: Content) -> None:
    for step in content.steps:
        if EU_LOGIN_LINKS & set(step.screen.links):
            assert step.screen.title == "Informations personnelles", step.id
    home = content.step("traces.home")
    assert set(home.screen.links) == EU_LOGIN_LINKS
    assert "« Informations personnelles »" in home.do
    assert "page d'accueil" not in home.title


def test_labels_no_source_shows_are_described_not_drawn(content: Content) -> None:
    form = content.step("eu-login.form").screen
    assert {f.label for f in form.fields} == {
        "Prénom",
        "Nom de famille",
        "Courrier électronique",
        "Langue des courriels",
    }
    assert any(line.startswith("Un champ pour confirmer l'adresse") for line in form.lines)
    for step_id in (
        "eu-login.set-password",
        "second-factor.app.add-device",
        "second-factor.app.enter-pin",
        "operator.request-authorisation",
        "access.wait-validation",
    ):
        assert not content.step(step_id).screen.fields, step_id
    search = content.step("operator.open-list").screen
    assert {f.label for f in search.fields} <= {"Country", "Section", "Activity Type"}
    assert all(not f.value for f in search.fields)
    drawn = " ".join(texts([s.screen for s in content.steps]))
    for invented in ("Message (facultatif)", "Message vert :", "Nouveau mot de passe"):
        assert invented not in drawn, invented


def test_prefecture_step_numbers_say_whose_they_are(content: Content) -> None:
    bare = re.compile(r"\bétapes? \d++(?: à \d+)?+(?! de la procédure de la préfecture)")
    for text in user_texts(content):
        assert not bare.search(text), text


def test_no_double_full_stop_after_an_operator_name(content: Content) -> None:
    for text in user_texts(content):
        assert "{operator_name}." not in text, text


# --- French as a careful writer would have it ---------------------------------------------

FORBIDDEN = {
    "adresse personnelle professionnelle": "adresse électronique professionnelle nominative",
    "professionnelle personnelle": "adresse électronique professionnelle nominative",
    "personne réelle": "personne physique",
    "dans les 90 minutes": "expire au bout de 90 minutes",
    "valable 90 minutes": "expire au bout de 90 minutes",
    "plateforme de confiance": "plateforme sécurisée",
    "touchez": "appuyez sur",
    "prêt à envoyer": "prêt à être envoyé",
    "rôle OPÉRATEUR": "« Opérateur »",  # (the placeholder default "NOM DE L'OPÉRATEUR" is fine)
    "OPÉRATEUR parmi": "« Opérateur »",
    "OPERATEUR": "« Opérateur »",
    "« opérateur »": "« Opérateur »",
    "agence alimentaire suédoise": "l'Agence suédoise de l'alimentation (Livsmedelsverket)",
}


@pytest.mark.parametrize("wrong", sorted(FORBIDDEN))
def test_wording(content: Content, wrong: str) -> None:
    for text in user_texts(content):
        assert wrong not in text, f"{wrong!r} → {FORBIDDEN[wrong]!r} in {text!r}"


def test_one_form_for_the_e_mail_address(content: Content) -> None:
    joined = " ".join(user_texts(content))
    assert "adresse électronique professionnelle nominative" in joined
    for match in re.finditer(r"\w+ \w+ professionnelle", joined):
        assert match.group(0) == "adresse électronique professionnelle", match.group(0)


def test_country_code_and_agency_names(content: Content) -> None:
    for text in user_texts(content):
        if "+33" in text and "France" in text:
            assert "France métropolitaine" in text, text
        if "Livsmedelsverket" in text:
            assert "Agence suédoise de l'alimentation (Livsmedelsverket)" in text, text
        if re.search(r"\bexpir\w* [^.]*90 minutes", text):
            assert "expire au bout de 90 minutes" in text or "a expiré" in text, text


IMPERATIVE = re.compile(r"^(?:Vous |Se |S')?[\wÉéèà]+(?:er|ir|re)\b")


def test_step_titles_are_instructions(content: Content) -> None:
    for step in content.steps:
        assert IMPERATIVE.match(step.title), step.title


def test_the_creation_rule_is_told_once_and_the_same_everywhere(content: Content) -> None:
    """Since 21 January 2025 only the control body creates an organic operator: no text
    tells the user to create one, even « s'il n'existe vraiment pas »."""
    allowing = re.compile(r"(ne )?créez (un nouvel opérateur )?que s'il|n'existe vraiment pas")
    for text in user_texts(content):
        assert not allowing.search(text), text
    search = " ".join(texts(content.step("operator.search")))
    assert "21 janvier 2025" in search and "Create new operator" in search
    request = " ".join(texts(content.step("operator.request-authorisation")))
    assert "21 janvier 2025" in request
    duplicates = " ".join(
        texts(next(e for e in content.troubleshooting if e.id == "duplicate-operators"))
    )
    assert "supprimées comme doublons" not in duplicates
    assert "Autriche" in duplicates


def test_c_est_fait_only_where_there_is_something_to_do(content: Content) -> None:
    """A step where the user only reads or waits answers with its own words."""
    assert content.step("second-factor.sms-warning").done == "J'ai lu"
    assert content.step("eu-login.email").done == "Je l'ai reçu"
    assert content.step("access.wait-validation").done == "C'est validé"
    for step in content.steps:
        if step.done:
            assert "C'est fait" not in step.done
