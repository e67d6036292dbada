"""The control body a certificate names, recognised in the table shipped with the package."""

from __future__ import annotations

import pytest

from tracesguide.operators.control_bodies import ControlBody, default, from_certificate, same, table
from tracesguide.system.toml import loads


def test_the_table_cites_a_source_for_each_body_and_holds_no_email() -> None:
    from importlib import resources

    text = resources.files("tracesguide.operators").joinpath("data/control-bodies.toml")
    raw = text.read_text(encoding="utf-8")
    data = "".join(line for line in raw.splitlines() if not line.lstrip().startswith("#"))
    assert "@" not in data  # no e-mail address, invented or not
    for entry in loads(raw)["bodies"]:
        assert entry["source"], entry  # every entry says where it comes from
        assert "email" not in entry and "mail" not in entry
        if "code" in entry:
            assert entry["code"].startswith("FR-BIO-")
    assert [body for body, _ in table()]


def test_certipaq_bio_is_the_default() -> None:
    assert default().name == "Certipaq BIO"


@pytest.mark.parametrize(
    ("text", "name", "code"),
    [
        ("Certipaq BIO (FR-BIO-01)", "Certipaq BIO", "FR-BIO-01"),  # TRACES NT's way
        ("CERTIPAQ BIO", "Certipaq BIO", ""),  # the Agence Bio's way: the table's name
        ("Ecocert France (FR-BIO-98)", "Ecocert France", "FR-BIO-98"),  # not in the table
        ("FR-BIO-98", "FR-BIO-98", "FR-BIO-98"),
        ("\x1b[31mBody\x1b[0m [bold]X[/bold]", "Body [bold]X[/bold]", ""),  # made inert
    ],
)
def test_from_certificate(text: str, name: str, code: str) -> None:
    body = from_certificate(text)
    assert isinstance(body, ControlBody)
    assert (body.name, body.code) == (name, code)


def test_nothing_named_is_none() -> None:
    assert from_certificate("") is None and from_certificate("  \x07 ") is None


def test_same_body_by_code_or_by_name() -> None:
    assert same("Certipaq BIO (FR-BIO-01)", "CERTIPAQ BIO")
    assert same("Ecocert France (FR-BIO-98)", "Ecocert France")
    assert not same("Ecocert France (FR-BIO-98)", "Certipaq BIO")
    assert not same("X (FR-BIO-98)", "X (FR-BIO-97)")


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("Certipaq BIO (FR-BIO-01)", True),  # a body of the table, as a certificate writes it
        ("Certipaq BIO", True),
        ("Ecocert France (FR-BIO-98)", False),  # not in the table: masked, as any text
        ("Camille EXEMPLE (FR-BIO-01)", False),
    ],
)
def test_the_redacted_copy_keeps_only_a_known_control_body(value: str, kept: bool) -> None:
    from helpers import APP_ANSWERS, T0, advance
    from tracesguide.content import load
    from tracesguide.reports.redact import redact
    from tracesguide.state import State

    content = load("fr")
    operator = next(q for s in content.steps for q in s.ask if q.kind == "operator")
    state = advance(State.new(language="fr", now=T0), content, APP_ANSWERS)
    state.answer(operator.stored("body"), value, step="operator.search", now=T0)
    copy = redact(content, state).answers[operator.stored("body")]
    assert (copy == value) is kept
    if not kept:
        assert "EXEMPLE" not in copy and "Ecocert" not in copy
