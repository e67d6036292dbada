"""The packaged procedure content: complete, sourced, consistent, and free of personal data.

Every content file listed in ``tracesguide.content.LANGUAGES`` is checked. The last part
feeds broken documents to ``parse_text`` to make sure the loader refuses them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from tracesguide.content import LANGUAGES, Content, Step, load, parse_text
from tracesguide.system.errors import ContentError

PLACEHOLDERS = {
    "first_name",
    "last_name",
    "full_name",
    "email",
    "phone_masked",
    "operator_name",
    "operator_traces_number",
    "control_body_contact",
    "control_body",
}
ALLOWED_EMAILS = {
    "prenom.nom@exemple.fr",  # the seeds' placeholder
    "automated-notifications@nomail.ec.europa.eu",  # EU Login's sender (official facts)
    "sante-traces@ec.europa.eu",  # TRACES helpdesk (official facts)
    "firstname.lastname@example.com",  # the English placeholder (a reserved domain, RFC 2606)
}
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Phone numbers that may appear: the seed 000 illustration and the wizard's format example.
ALLOWED_PHONES = {"+32123 456789", "+32 123 45 67 89", "+33 6 12 34 56 78"}
PHONE = re.compile(r"\+\d[\d ]{7,}\d")

# The step ids the engine, the wizard and other tests rely on, in this order.
EXPECTED_IDS = [
    "eu-login.start",
    "eu-login.existing-account",
    "eu-login.welcome",
    "eu-login.language",
    "eu-login.form",
    "eu-login.create-account",
    "eu-login.email",
    "eu-login.set-password",
    "second-factor.existing",
    "second-factor.sms-warning",
    "second-factor.choose-method",
    "second-factor.app.install",
    "second-factor.app.my-account",
    "second-factor.app.add-device",
    "second-factor.app.scan-qr",
    "second-factor.app.enter-pin",
    "second-factor.app.sign-in",
    "second-factor.key.my-account",
    "second-factor.key.add",
    "second-factor.key.sign-in",
    "second-factor.sms.route",
    "second-factor.sms.sign-in",
    "second-factor.sms.account-name",
    "second-factor.sms.edit-profile",
    "second-factor.sms.my-eu-login-account",
    "second-factor.sms.direct-my-account",
    "second-factor.sms.manage-numbers",
    "second-factor.sms.add-number-link",
    "second-factor.sms.add-number",
    "second-factor.sms.finalise",
    "second-factor.sms.usage",
    "second-factor.second-method",
    "traces.welcome",
    "traces.sign-in",
    "traces.home",
    "traces.choose-role",
    "traces.existing.sign-in",
    "traces.existing.profile",
    "operator.certificate",
    "operator.open-list",
    "operator.search",
    "operator.request-authorisation",
    "access.inform-control-body",
    "access.wait-validation",
    "access.sign-in-again",
]
# The steps of someone who already uses TRACES NT, instead of account creation and the role.
EXISTING_USER_STEPS = {
    "eu-login.existing-account",
    "second-factor.existing",
    "traces.existing.sign-in",
    "traces.existing.profile",
}
# The elements of the Certipaq BIO guide (seed 004), by the step that carries each.
SEED_004_STEPS = [
    "eu-login.welcome",
    "eu-login.language",
    "eu-login.form",
    "eu-login.create-account",
    "second-factor.sms-warning",
    "traces.welcome",
    "traces.sign-in",
    "traces.home",
    "traces.choose-role",
    "operator.certificate",
    "operator.open-list",
    "operator.search",
    "operator.request-authorisation",
    "access.inform-control-body",
]
EXPECTED_ASKS = {
    "traces_access": ("eu-login.start", "choice", {"new", "existing"}),
    "first_name": ("eu-login.form", "text", set()),
    "last_name": ("eu-login.form", "text", set()),
    "email": ("eu-login.form", "email", set()),
    "email_language": ("eu-login.form", "choice", {"fr", "en", "de", "es", "it", "nl"}),
    "second_factor_method": ("second-factor.choose-method", "choice", {"app", "key", "sms"}),
    "sms_route": ("second-factor.sms.route", "choice", {"traces", "direct"}),
    "phone": ("second-factor.sms.add-number", "phone", set()),
    "role": ("traces.choose-role", "choice", {"operator", "control-body", "authority"}),
    "has_certificate": ("operator.certificate", "choice", {"yes", "no"}),
    "operator": ("operator.search", "operator", set()),
}


@pytest.fixture(params=LANGUAGES)
def content(request: pytest.FixtureRequest) -> Content:
    return load(request.param)


def raw_text(language: str) -> str:
    path = resources.files("tracesguide").joinpath("content", "procedures", f"{language}.toml")
    return path.read_text("utf-8")


def all_strings(value: Any) -> Iterator[str]:
    """Every text held anywhere in a content object (steps, screens, choices, messages…)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from all_strings(k)
            yield from all_strings(v)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from all_strings(item)


# --- structure ------------------------------------------------------------------------------


def test_packaged_languages_load() -> None:
    assert "fr" in LANGUAGES
    for language in LANGUAGES:
        c = load(language)
        assert c.language == language
        assert c.format_version == 1


def test_steps_and_stages_in_order(content: Content) -> None:
    assert [s.id for s in content.stages] == [
        "eu-login",
        "second-factor",
        "traces",
        "operator",
        "access",
    ]
    assert [s.id for s in content.steps] == EXPECTED_IDS
    assert {s.id for s in content.sources} == {"seed-000", "seed-004", "facts"}


def test_ids_are_unique(content: Content) -> None:
    for ids in (
        [s.id for s in content.sources],
        [s.id for s in content.stages],
        [s.id for s in content.steps],
        [e.id for e in content.troubleshooting],
        *[[p.id for p in s.problems] for s in content.steps],
    ):
        assert len(ids) == len(set(ids)), ids
    for path in _paths(content):  # a key asked on two paths is asked once on each
        keys = [q.key for s in path[2] for q in s.ask]
        assert len(keys) == len(set(keys)), (path[0], keys)


def test_every_step_is_sourced(content: Content) -> None:
    source_ids = {s.id for s in content.sources}
    for step in content.steps:
        assert step.source, step.id
        for ref in step.source:
            assert ref.source in source_ids, step.id
            assert ref.where.strip(), step.id
        assert step.id.startswith(step.stage + "."), step.id


def test_asks_keys_kinds_and_choices(content: Content) -> None:
    for key, (step_id, kind, values) in EXPECTED_ASKS.items():
        question = next((q for q in content.step(step_id).ask if q.key == key), None)
        assert question is not None, key
        assert question.kind == kind, key
        assert {c.value for c in question.choices} == values, key
    form = content.step("eu-login.form")
    assert all(q.before for q in form.ask)
    assert next(q for q in content.step("second-factor.sms.add-number").ask).before
    method = content.question("second_factor_method")
    assert method is not None
    app = method.choice("app")
    assert app is not None and app.recommended
    role = content.question("role")
    assert role is not None
    assert all(c.ends for c in role.choices if c.value != "operator")
    assert not role.choice("operator").ends  # type: ignore[union-attr]
    certificate = content.question("has_certificate")
    assert certificate is not None and certificate.choice("no").blocks  # type: ignore[union-attr]


def test_when_and_timers_refer_to_earlier_steps_and_keys(content: Content) -> None:
    seen_steps: set[str] = set()
    asked: dict[str, set[str]] = {}
    for step in content.steps:
        for key, value in step.when:
            assert key in asked, f"{step.id}: {key} not asked before"
            assert value in asked[key], f"{step.id}: {key}={value} is no choice"
        if step.timer is not None:
            assert step.timer.after in seen_steps, step.id
            assert step.timer.minutes > 0
        seen_steps.add(step.id)
        for question in step.ask:
            # only choices can steer the path
            asked[question.key] = {c.value for c in question.choices}
    timer = content.step("eu-login.set-password").timer
    assert timer is not None
    assert (timer.after, timer.minutes) == ("eu-login.create-account", 90)


def test_problem_ids_where_the_wizard_expects_them(content: Content) -> None:
    expected = {
        "eu-login.email": "email-not-received",
        "eu-login.set-password": "link-expired",
        "second-factor.sms.finalise": "sms-not-received",
        "access.wait-validation": "pending-long",
    }
    for step_id, problem_id in expected.items():
        assert problem_id in {p.id for p in content.step(step_id).problems}


def test_the_texts_steps_declare(content: Content) -> None:
    """The message to the control body and the operator not found live on their steps."""
    prepares = [s for s in content.steps if s.message is not None]
    assert [s.id for s in prepares] == ["access.inform-control-body"]
    message = prepares[0].message
    assert message is not None and message.subject.strip() and message.title.strip()
    for name in ("full_name", "email", "operator_name", "operator_traces_number"):
        assert "{" + name + "}" in message.body
    operator = content.question("operator")
    assert operator is not None and operator.not_found.strip()


# --- paths and milestones -------------------------------------------------------------------


def _paths(content: Content) -> list[tuple[dict[str, str], str, list[Step]]]:
    """Every path through the content: (answers, how it stops, steps that apply).

    Only choice questions steer the path (``when`` can only name them); a choice that
    ``ends`` or ``blocks`` stops the path there.
    """
    choice_steps = [(step, q) for step in content.steps for q in step.ask if q.kind == "choice"]
    paths = []
    for combination in itertools.product(*[q.choices for _, q in choice_steps]):
        answers = {q.key: c.value for (_, q), c in zip(choice_steps, combination, strict=True)}
        applied: list[Step] = []
        stop = "complete"
        for step in content.steps:
            if any(answers.get(k) != v for k, v in step.when):
                continue
            applied.append(step)
            effects = [q.choice(answers[q.key]) for q in step.ask if q.kind == "choice"]
            if any(c is not None and c.blocks for c in effects):
                stop = "blocked"
                break
            if any(c is not None and c.ends for c in effects):
                stop = "ended"
                break
        paths.append((answers, stop, applied))
    return paths


def test_all_milestones_reached_on_every_complete_path(content: Content) -> None:
    paths = _paths(content)
    complete = [p for p in paths if p[1] == "complete"]
    assert complete
    methods = {answers["second_factor_method"] for answers, _, _ in complete}
    assert methods == {"app", "key", "sms"}
    for answers, _, applied in complete:
        reached = [s.milestone for s in applied if s.milestone]
        assert sorted(reached) == sorted(load().milestones), answers  # each exactly once


def test_milestones_in_order(content: Content) -> None:
    for _, stop, applied in _paths(content):
        if stop != "complete":
            continue
        reached = [s.milestone for s in applied if s.milestone]
        assert reached == list(load().milestones)


def test_sms_route_paths(content: Content) -> None:
    for answers, stop, applied in _paths(content):
        if stop != "complete":
            continue
        ids = {s.id for s in applied}
        if answers["traces_access"] == "existing":  # an account and a second factor already
            # the optional second method is offered to everyone
            others = ids - EXISTING_USER_STEPS - {"second-factor.second-method"}
            assert not any(i.startswith("second-factor.") for i in others)
            continue
        if answers["second_factor_method"] == "app":
            assert not any(i.startswith("second-factor.sms.") for i in ids)
            assert "second-factor.app.scan-qr" in ids
        elif answers["second_factor_method"] == "key":  # no smartphone: no app, no SMS
            assert not any(i.startswith(("second-factor.sms.", "second-factor.app.")) for i in ids)
            assert {"second-factor.key.add", "second-factor.key.sign-in"} <= ids
        elif answers["sms_route"] == "traces":
            assert "second-factor.sms.sign-in" in ids
            assert "second-factor.sms.direct-my-account" not in ids
        else:
            assert "second-factor.sms.direct-my-account" in ids
            assert "second-factor.sms.sign-in" not in ids


# --- faithfulness to the sources ------------------------------------------------------------


def _citing(content: Content, source_id: str) -> list[tuple[Step, str]]:
    return [(s, r.where) for s in content.steps for r in s.source if r.source == source_id]


def test_seed_000_eight_steps_and_usage(content: Content) -> None:
    cited = _citing(content, "seed-000")
    for n in range(1, 9):
        pattern = re.compile(rf"Étape N°{n}(?!\d)")
        assert any(pattern.search(where) for _, where in cited), f"Étape N°{n} missing"
    assert any(where.startswith("Utilisation") for _, where in cited)
    assert any(where.startswith("Principe") for _, where in cited)
    usage = content.step("second-factor.sms.usage")
    assert any("Téléphone portable + SMS" in f.value for f in usage.screen.fields)


def test_seed_004_elements(content: Content) -> None:
    cited = {s.id for s, _ in _citing(content, "seed-004")}
    for step_id in SEED_004_STEPS:
        assert step_id in cited, step_id
    welcome = content.step("eu-login.welcome")
    assert welcome.action == "Demander un accès."
    assert welcome.screen.url == "https://webgate.ec.europa.eu/tracesnt/login"
    assert any("IMPORTANT" in line and "SMS" in line for line in welcome.screen.lines)
    search = content.step("operator.search").screen
    for number in ("BE-ORG-OP-5", "BE-ORG-OP-7", "BE-ORG-OP-6", "BE-ORG-OP-4"):
        assert any(number in line for line in search.lines), number
    assert any(line.startswith("Really didn't find") for line in search.lines)


SMS_DATES = {
    "fr": ("11 juin 2024", "1er juillet 2025", "30 juin 2025"),
    "en": ("11 June 2024", "1 July 2025", "30 June 2025"),
}


def test_sms_conflict_is_stated(content: Content) -> None:
    text = " ".join(all_strings(content.step("second-factor.sms-warning")))
    for date in SMS_DATES[content.language]:
        assert date in text
    # the welcome page, as seed 004 quotes it (in French, in both languages)
    assert "Les SMS ne seront plus acceptés" in text


def test_password_and_codes_are_never_asked(content: Content) -> None:
    kinds = {q.kind for s in content.steps for q in s.ask}
    keys = {q.key for s in content.steps for q in s.ask}
    assert not keys & {"password", "pin", "code", "sms_code", "challenge"}
    assert kinds <= {"text", "email", "phone", "choice", "operator"}


# --- privacy and placeholders ---------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_personal_data(language: str) -> None:
    text = raw_text(language)
    for email in EMAIL.findall(text):
        assert email.lower() in ALLOWED_EMAILS, email
    for phone in PHONE.findall(text):
        assert phone in ALLOWED_PHONES, phone
    for user in re.findall(r"\bn00\w+", text):
        assert user == "n00xxxxx", user


def test_placeholders_are_known(content: Content) -> None:
    assert {p.key for p in content.placeholders} == PLACEHOLDERS
    for text in all_strings(content._replace(summary="")):  # the summary names answers
        for name in re.findall(r"\{([^{}]*)\}", text):
            assert name in PLACEHOLDERS, f"unknown placeholder {{{name}}} in {text!r}"
        # no stray brace that a renderer would show as is
        stripped = re.sub(r"\{(" + "|".join(PLACEHOLDERS) + r")\}", "", text)
        assert "{" not in stripped and "}" not in stripped, text


def test_the_summary_and_who_name_answers_the_questions_store(content: Content) -> None:
    stored = {k for s in content.steps for q in s.ask for k in q.answer_keys}
    assert set(re.findall(r"\{([^{}]*)\}", content.summary)) <= stored
    assert set(content.person) <= stored
    assert [m for m, _ in content.milestone_names] == list(content.milestones)


def test_screen_placeholders_for_the_user_data(content: Content) -> None:
    form = {f.value: f.label for f in content.step("eu-login.form").screen.fields}
    labels = {
        "fr": ("Prénom", "Nom de famille", "Courrier électronique"),
        "en": ("First name", "Last name", "E-mail"),  # the English page's labels
    }[content.language]
    assert (form["{first_name}"], form["{last_name}"], form["{email}"]) == labels
    account = {
        f.label: f.value
        for f in content.step("second-factor.sms.my-eu-login-account").screen.fields
    }
    assert account["Nom complet"] == "{full_name}"
    assert account["Nom d'utilisateur"] == "n00xxxxx"
    phone = content.step("second-factor.sms.add-number").screen.fields
    assert any(f.value == "{phone_masked}" for f in phone)


# --- the loader refuses broken documents ----------------------------------------------------

MINIMAL = """
format_version = 1
milestones = [
    "eu-login-account", "second-factor", "traces-role", "authorisation-requested",
    "access-granted",
]
language = "fr"
title = "Test"

[[sources]]
id = "s"
title = "Source"
file = "seeds/s.txt"

[[stages]]
id = "a"
title = "A"
summary = "A."

[[steps]]
id = "a.one"
stage = "a"
title = "Un"
do = "Faire un."
milestone = "eu-login-account"
[[steps.source]]
source = "s"
where = "Étape N°1"
[steps.screen]
title = "Écran"
[[steps.ask]]
key = "method"
kind = "choice"
prompt = "?"
[[steps.ask.choices]]
value = "x"
label = "X"
[[steps.ask.choices]]
value = "y"
label = "Y"

[[steps]]
id = "a.two"
stage = "a"
title = "Deux"
do = "Faire deux."
milestone = "second-factor"
when = { method = "x" }
[[steps.source]]
source = "s"
where = "Étape N°2"
[steps.screen]
title = "Écran"
[steps.timer]
after = "a.one"
minutes = 90
message = "Expiré."

[[steps]]
id = "a.three"
stage = "a"
title = "Trois"
do = "Faire trois."
milestone = "traces-role"
[[steps.source]]
source = "s"
where = "Étape N°3"
[steps.screen]
title = "Écran"

[[steps]]
id = "a.four"
stage = "a"
title = "Quatre"
do = "Faire quatre."
milestone = "authorisation-requested"
[[steps.source]]
source = "s"
where = "Étape N°4"
[steps.screen]
title = "Écran"

[[steps]]
id = "a.five"
stage = "a"
title = "Cinq"
do = "Faire cinq."
milestone = "access-granted"
[[steps.source]]
source = "s"
where = "Étape N°5"
[steps.screen]
title = "Écran"
"""


def test_minimal_document_is_valid() -> None:
    content = parse_text(MINIMAL)
    assert [s.id for s in content.steps] == ["a.one", "a.two", "a.three", "a.four", "a.five"]


CHOICES = (
    '[[steps.ask.choices]]\nvalue = "x"\nlabel = "X"\n'
    '[[steps.ask.choices]]\nvalue = "y"\nlabel = "Y"\n'
)


def _replace_once(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BROKEN = {
    "duplicate step id": lambda t: _replace_once(t, 'id = "a.three"', 'id = "a.two"'),
    "missing source": lambda t: _replace_once(
        t, '[[steps.source]]\nsource = "s"\nwhere = "Étape N°3"\n', ""
    ),
    "empty where": lambda t: _replace_once(t, 'where = "Étape N°4"', 'where = "  "'),
    "unknown source": lambda t: _replace_once(
        t, 'source = "s"\nwhere = "Étape N°2"', 'source = "nowhere"\nwhere = "Étape N°2"'
    ),
    "unknown step key": lambda t: _replace_once(
        t, 'do = "Faire un."', 'do = "Faire un."\ncolour = "vert"'
    ),
    "unknown screen key": lambda t: _replace_once(
        t,
        '[steps.screen]\ntitle = "Écran"\n[[steps.ask]]',
        '[steps.screen]\ntitle = "Écran"\nimage = "x.png"\n[[steps.ask]]',
    ),
    "unknown top-level key": lambda t: 'author = "moi"\n' + t,
    "when on an unknown key": lambda t: _replace_once(
        t, 'when = { method = "x" }', 'when = { colour = "x" }'
    ),
    "when on an unknown value": lambda t: _replace_once(
        t, 'when = { method = "x" }', 'when = { method = "z" }'
    ),
    "bad milestone": lambda t: _replace_once(t, 'milestone = "traces-role"', 'milestone = "done"'),
    "missing milestone": lambda t: _replace_once(t, 'milestone = "access-granted"\n', ""),
    "timer to unknown step": lambda t: _replace_once(t, 'after = "a.one"', 'after = "a.zero"'),
    "timer without minutes": lambda t: _replace_once(t, "minutes = 90\n", ""),
    "id outside its stage": lambda t: _replace_once(t, 'id = "a.five"', 'id = "b.five"'),
    "unknown stage": lambda t: _replace_once(
        t, 'stage = "a"\ntitle = "Cinq"', 'stage = "b"\ntitle = "Cinq"'
    ),
    "bad ask kind": lambda t: _replace_once(t, 'kind = "choice"', 'kind = "password"'),
    "choice without choices": lambda t: _replace_once(t, CHOICES, ""),
    "duplicate ask key": lambda t: _replace_once(
        t,
        'message = "Expiré."\n',
        'message = "Expiré."\n[[steps.ask]]\nkey = "method"\nkind = "text"\nprompt = "?"\n',
    ),
    "missing screen": lambda t: _replace_once(
        t,
        '[steps.screen]\ntitle = "Écran"\n\n[[steps]]\nid = "a.five"',
        '\n[[steps]]\nid = "a.five"',
    ),
    "wrong format version": lambda t: _replace_once(t, "format_version = 1", "format_version = 2"),
    "an offer the wizard does not know": lambda t: _replace_once(
        t,
        'key = "method"\nkind = "choice"\n',
        'key = "method"\nkind = "choice"\noffers = ["tea"]\n',
    ),
    "not TOML": lambda t: t + "\n[[steps\n",
    "messages not text": lambda t: t + "\n[messages]\ncomplete = 3\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_loader_refuses(name: str) -> None:
    text = BROKEN[name](MINIMAL)
    assert text != MINIMAL
    with pytest.raises(ContentError):
        parse_text(text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_certificate_question_declares_the_certificate_check(language: str) -> None:
    """The wizard offers the certificate check because the content says so, not because
    it knows a question's key."""
    from tracesguide.content import CERTIFICATE_CHECK, load

    offering = [q.key for s in load(language).steps for q in s.ask if CERTIFICATE_CHECK in q.offers]
    assert offering == ["has_certificate"]


# --- someone who already uses TRACES NT -----------------------------------------------------


def test_an_existing_user_keeps_the_account_and_requests_the_profile(content: Content) -> None:
    """The path of someone who already uses TRACES NT (another role, another company):
    no account creation, no second-factor enrolment, no first-sign-in role; the operator
    access profile requested from « Edit your profile », then the operator and control
    body stages as for everyone, each milestone reached once."""
    paths = [p for p in _paths(content) if p[0]["traces_access"] == "existing"]
    complete = [applied for answers, stop, applied in paths if stop == "complete"]
    assert complete
    for applied in complete:
        ids = [s.id for s in applied]
        assert ids[:2] == ["eu-login.start", "eu-login.existing-account"]
        assert set(ids) >= EXISTING_USER_STEPS
        for skipped in ("eu-login.form", "eu-login.set-password", "second-factor.choose-method"):
            assert skipped not in ids
        assert not any(i.startswith(("second-factor.app.", "second-factor.sms.")) for i in ids)
        assert "traces.choose-role" not in ids
        assert [i for i in ids if i.startswith(("operator.", "access."))] == [
            i for i in EXPECTED_IDS if i.startswith(("operator.", "access."))
        ]
        reached = [s.milestone for s in applied if s.milestone]
        assert reached == list(content.milestones)
    # the message to the control body names the user on this path too
    asked = {q.key for s in complete[0] for q in s.ask}
    assert {"first_name", "last_name", "email"} <= asked
    profile = content.step("traces.existing.profile")
    assert any("Request a new user access profile" in r.where for r in profile.source)
    assert any("Edit your profile" in r.where for r in profile.source)
    start = content.step("eu-login.start")
    assert start.ask[0].key == "traces_access" and not start.when
    new = start.ask[0].choice("new")
    assert new is not None and new.recommended  # the default path stays the new user's


def test_a_key_asked_twice_must_be_on_exclusive_paths() -> None:
    """A key may be asked on two paths only when no user meets both steps."""
    text = raw_text("fr")
    condition = 'milestone = "eu-login-account"\nwhen = { traces_access = "existing" }\n'
    assert text.count(condition) == 1
    with pytest.raises(ContentError, match="first_name"):
        parse_text(text.replace(condition, 'milestone = "eu-login-account"\n'))
