"""One CSV row or one JSON record of a directory, made into an :class:`Operator`.

A value that cannot be an operator raises :class:`BadRow` with the reason (a message
key and its values); the reader turns it into a :class:`RowProblem` and goes on.

Field bounds are those of what the wizard may store: the name and the TRACES number
become answers in the state file, so they are held to ``validate.ANSWER_MAX_CHARS``
(the state reader's own limit); the other fields are only shown, up to
``MAX_FIELD_CHARS``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from tracesguide.i18n import t
from tracesguide.operators.model import Operator
from tracesguide.operators.normalize import (
    country_code,
    country_from_identifier,
    country_in_address,
)
from tracesguide.state.validate import ANSWER_MAX_CHARS
from tracesguide.system.sanitize import visible

MAX_FIELD_CHARS = 2000
# Fields that become answers of the state file: no longer than the state accepts.
STORED_FIELDS = ("name", "traces_number")
LIST_FIELDS = ("activities", "categories")
_LIST_SEPARATORS = str.maketrans({";": "|", "\n": "|"})
# The name of each field in a problem message (keys of the catalog).
_FIELD_LABELS = {
    "name": "operators.field_name",
    "traces_number": "operators.field_traces_number",
    "address": "operators.field_address",
    "country": "operators.field_country",
    "activities": "operators.field_activities",
    "reference": "operators.field_reference",
    "status": "operators.field_status",
    "issuing_body": "operators.field_issuing_body",
    "categories": "operators.field_categories",
    "issued_on": "operators.field_date",
    "expires_on": "operators.field_date",
}


# An operator's fields in the order of :class:`Operator` (what an import writes): a
# plain tuple is built in a fraction of a frozen dataclass's time.
Fields = tuple[str, str, str, str, tuple[str, ...], str, str, str, tuple[str, ...], str, str]


class BadRow(Exception):
    """A row that cannot be an operator; ``str()`` is the French reason."""


def _limit(field: str) -> int:
    return ANSWER_MAX_CHARS if field in STORED_FIELDS else MAX_FIELD_CHARS


# A value this short fits every field, even with each character shown as ``⟨U+10FFFF⟩``.
_SURELY_FITS = ANSWER_MAX_CHARS // 10


def _fits(value: str, field: str) -> bool:
    """Within the field's bound; a stored field as the wizard stores it (``inert``, where
    an invisible character becomes a visible escape such as ``⟨U+200B⟩``)."""
    if len(value) <= _SURELY_FITS:
        return True
    if field in STORED_FIELDS:
        if len(value) > ANSWER_MAX_CHARS:
            return False
        # An escape is at most 10 characters for one non-ASCII character (an ASCII one is
        # never escaped): most names are shown to fit without the (slow) pattern.
        wider = len(value.encode("utf-8", "surrogatepass")) - len(value)
        return len(value) + 9 * wider <= ANSWER_MAX_CHARS or (
            len(visible(value)) <= ANSWER_MAX_CHARS
        )
    return len(value) <= MAX_FIELD_CHARS


def _too_long(field: str) -> BadRow:
    return BadRow(t("operators.row_too_long", field=t(_FIELD_LABELS[field]), limit=_limit(field)))


@lru_cache(maxsize=4096)
def split_list(cell: str) -> tuple[str, ...]:
    # Cached: the activities and categories of a directory repeat on most rows.
    return tuple(
        part.strip() for part in cell.translate(_LIST_SEPARATORS).split("|") if part.strip()
    )


def operator_from_mapping(values: Mapping[str, str]) -> Operator:
    """An operator from the cells of a CSV row, by field name."""
    return Operator(*fields_from_mapping(values))


# The fields a CSV row's cells fill, in the order of :data:`Fields`.
CELL_FIELDS = (
    "name",
    "traces_number",
    "address",
    "country",
    "activities",
    "reference",
    "status",
    "issuing_body",
    "categories",
    "issued_on",
    "expires_on",
)


def fields_from_mapping(values: Mapping[str, str]) -> Fields:
    """The :data:`Fields` of a CSV row's cells, by field name."""
    get = values.get
    return fields_from_cells(tuple(get(field, "") for field in CELL_FIELDS))


def fields_from_cells(cells: Sequence[str]) -> Fields:
    """The :data:`Fields` of a CSV row's cells, one per :data:`CELL_FIELDS` ("" when the
    file has no such column). The import's hot path: one call per row."""
    (name, traces, address, given, activities, reference, status, body, categories,
     issued, expires) = cells  # fmt: skip
    if max(map(len, cells)) > _SURELY_FITS:
        for field, value in zip(CELL_FIELDS, cells, strict=True):
            if len(value) > _SURELY_FITS and not _fits(value, field):
                raise _too_long(field)
    name = name.strip()
    if not name:
        raise BadRow(t("operators.row_empty_name"))
    address = address.strip()
    traces = traces.strip()
    reference = reference.strip()
    country = (
        country_code(given)
        if given and not given.isspace()
        else country_in_address(address)
        or country_from_identifier(traces)
        or country_from_identifier(reference)
    )
    return (
        name,
        traces,
        address,
        country,
        split_list(activities),
        reference,
        status.strip(),
        body.strip(),
        split_list(categories),
        issued.strip(),
        expires.strip(),
    )


# --- JSON records of the public directory ------------------------------------------------


def _text(value: object, field: str) -> str:
    """A scalar as text; a wrong type makes the record bad."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= _SURELY_FITS:
            return text
    elif value is None:
        return ""
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)  # ValueError past 4 300 digits: the reader's file error
    else:
        raise BadRow(t("operators.row_bad_type", field=t(_FIELD_LABELS[field])))
    if not _fits(text, field):
        raise _too_long(field)
    return text


def _label(value: object, field: str) -> str:
    """A string, or an object's name/label/description/code."""
    if isinstance(value, dict):
        for key in ("name", "label", "description", "translation", "value", "code", "id"):
            if isinstance(value.get(key), str) and value[key].strip():
                return _text(value[key], field)
        for key in ("activity", "type", "category"):
            if key in value:
                return _label(value[key], field)
        return ""
    return _text(value, field)


def _labels(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return split_list(value)
    items = value if isinstance(value, list) else [value]
    return tuple(label for item in items if (label := _label(item, field)))


_COUNTRY_KEYS = ("country", "countryCode", "countryIsoCode", "countryName")
_SKIPPED_ADDRESS_KEYS = frozenset({"id", "type", "latitude", "longitude", "coordinates"})


def _address(value: object) -> tuple[str, str]:
    """Flatten an address (string, object or list) into text; return it and its country code."""
    if value is None:
        return "", ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = _text(value, "address")
        return text, country_in_address(text)
    parts: list[str] = []
    country = ""
    country_label = ""

    def walk(node: object, depth: int) -> None:
        nonlocal country, country_label
        if depth > 4:
            return
        if isinstance(node, dict):
            for key, item in node.items():
                if key in _COUNTRY_KEYS:
                    code, label = _country_value(item)
                    country = country or code
                    country_label = country_label or label
                elif key not in _SKIPPED_ADDRESS_KEYS:
                    walk(item, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
        elif isinstance(node, str) and node.strip():
            parts.append(_text(node, "address"))

    walk(value, 0)
    if country_label:
        parts.append(country_label)
    text = " ".join(parts)
    if len(text) > MAX_FIELD_CHARS:
        raise _too_long("address")
    return text, country or country_in_address(text)


def _country_value(value: object) -> tuple[str, str]:
    """(ISO code, name to show) of a country given as a string or as {code, name}."""
    if isinstance(value, str):
        code = country_code(value)
        return (code if len(code) == 2 else ""), value.strip()
    if isinstance(value, dict):
        label = _label(value, "country")
        for key in ("isoCode", "code", "iso", "id"):
            raw = value.get(key)
            if isinstance(raw, str) and len(raw.strip()) == 2:
                return country_code(raw), label
        code = country_code(label) if label else ""
        return (code if len(code) == 2 else ""), label
    return "", ""


def _status(value: object) -> str:
    """The status code (``{"id": "ISSUED", "translation": ...}`` gives ISSUED), else its label."""
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"].strip():
        return _text(value["id"], "status")
    return _label(value, "status")


def operator_from_record(record: object) -> Operator:
    """An operator from one record of the public directory's JSON."""
    return Operator(*fields_from_record(record))


def fields_from_record(record: object) -> Fields:
    """The :data:`Fields` of one record of the public directory's JSON."""
    if not isinstance(record, dict):
        raise BadRow(t("operators.row_not_object"))
    operator: dict[str, Any] = record.get("operator") or {}
    if not isinstance(operator, dict):
        operator = {"name": operator} if isinstance(operator, str) else {}
    name = _text(operator.get("name") or record.get("name") or record.get("operatorName"), "name")
    if not name:
        raise BadRow(t("operators.row_missing_name"))
    address, country = _address(operator.get("address", record.get("address")))
    traces_number = _text(
        record.get("operatorIdentifier")
        or operator.get("identifier")
        or operator.get("operatorIdentifier")
        or operator.get("tracesNumber")
        or record.get("tracesNumber"),
        "traces_number",
    )
    reference = _text(record.get("reference"), "reference")
    body = record.get("issuingBody")
    if isinstance(body, dict):
        code = _text(body.get("code"), "issuing_body")
        body_name = _text(body.get("name"), "issuing_body")
        issuing_body = f"{body_name} ({code})" if body_name and code else body_name or code
    else:
        issuing_body = _text(body, "issuing_body")
    activities = record.get("activities", operator.get("activities"))
    return (
        name,
        traces_number,
        address,
        country or country_from_identifier(reference) or country_from_identifier(traces_number),
        _labels(activities, "activities"),
        reference,
        _status(record.get("status")),
        issuing_body,
        _labels(record.get("categoriesOfProduct"), "categories"),
        _text(record.get("issuedOn"), "issued_on"),
        _text(record.get("expiresOn"), "expires_on"),
    )
