"""Read directory files: CSV as spreadsheets export it, or JSON from the public directory.

Bad rows are skipped and reported with their line (CSV) or index (JSON); a file that
is no directory at all raises :class:`~tracesguide.errors.DirectoryError`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tracesguide.errors import DirectoryError
from tracesguide.operators.model import Operator, RowProblem
from tracesguide.operators.normalize import (
    country_code,
    country_from_identifier,
    country_in_address,
    text_key,
)

# A directory of every organic operator in the EU is some tens of megabytes.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_FIELD_CHARS = 2000
# How often (in rows) the progress callback is called.
PROGRESS_STEP = 2000

ProgressCallback = Callable[[int, int], None]
"""Called with (rows done, rows in all) while a file is read."""

# Column names, folded by text_key with "_" between words, and the field each one fills.
_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "nom", "operator", "operator_name", "operateur", "nom_operateur",
        "nom_de_l_operateur", "raison_sociale", "company", "company_name", "entreprise",
        "societe", "denomination", "firma", "naam",
    ),
    "traces_number": (
        "traces_number", "traces", "numero_traces", "n_traces", "no_traces", "num_traces",
        "numero_traces_nt", "traces_nt", "traces_id", "id_traces", "operator_identifier",
        "operatoridentifier", "identifier", "identifiant", "operator_id",
    ),
    "address": ("address", "adresse", "adres", "anschrift", "operator_address"),
    "country": ("country", "pays", "country_code", "code_pays", "land"),
    "activities": (
        "activities", "activity", "activites", "activite", "activity_type", "type_activite",
    ),
    "reference": (
        "reference", "certificate", "certificat", "certificate_reference",
        "reference_certificat", "reference_du_certificat", "certificate_number",
        "numero_certificat",
    ),
    "status": ("status", "statut"),
    "issuing_body": (
        "issuing_body", "issuingbody", "control_body", "organisme", "organisme_de_controle",
        "organisme_certificateur", "certifier",
    ),
    "categories": (
        "categories", "categories_of_product", "categoriesofproduct", "categories_de_produits",
        "product_categories",
    ),
    "issued_on": ("issued_on", "issuedon", "date_emission", "delivre_le", "issue_date"),
    "expires_on": (
        "expires_on", "expireson", "date_expiration", "expire_le", "valid_until", "expiry_date",
    ),
}  # fmt: skip
_FIELD_BY_COLUMN = {alias: f for f, aliases in _COLUMN_ALIASES.items() for alias in aliases}
DOCUMENTED_COLUMNS = tuple(_COLUMN_ALIASES)
_LIST_FIELDS = ("activities", "categories")
_LIST_SEPARATORS = str.maketrans({";": "|", "\n": "|"})
_HINT = (
    "Attendu : un CSV avec au moins une colonne « name » (ou « nom ») et, si possible, "
    "traces_number, address, country, activities, reference ; ou le JSON de l'annuaire "
    "public TRACES NT. Voir docs/operators.md."
)
# Keys under which a JSON answer may wrap its list of records.
_WRAPPER_KEYS = ("items", "data", "results", "records", "content", "operators")


@dataclass(frozen=True)
class ParsedDirectory:
    """The operators read from a file, the rows skipped, and the format recognised."""

    operators: list[Operator]
    problems: list[RowProblem]
    format: Literal["csv", "json"]


class _BadRow(Exception):
    """A row that cannot be an operator (internal: becomes a RowProblem)."""


def read_directory_file(path: Path, progress: ProgressCallback | None = None) -> ParsedDirectory:
    """Read a CSV or JSON directory file (the format is recognised from the content)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DirectoryError(
                f"{path} : fichier trop gros pour un annuaire ({size // 2**20} Mio).",
                f"Taille maximale : {MAX_FILE_BYTES // 2**20} Mio.",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise DirectoryError(f"annuaire introuvable : {path}") from None
    except IsADirectoryError:
        raise DirectoryError(f"{path} est un dossier, pas un fichier d'annuaire.") from None
    except OSError as error:
        raise DirectoryError(f"impossible de lire {path} : {error.strerror}") from None
    return parse_directory_bytes(data, str(path), progress)


def parse_directory_bytes(
    data: bytes, name: str, progress: ProgressCallback | None = None
) -> ParsedDirectory:
    """Parse the content of a directory file; *name* is only used in messages."""
    if b"\x00" in data[:65536]:
        raise DirectoryError(f"{name} n'est pas un annuaire : c'est un fichier binaire.", _HINT)
    text = _decode(data, name)
    stripped = text.lstrip()
    if not stripped:
        raise DirectoryError(f"{name} est vide.", _HINT)
    if stripped[0] in "[{":
        parsed = _parse_json(stripped, name, progress)
    else:
        parsed = _parse_csv(text, name, progress)
    if not parsed.operators:
        detail = f" ({len(parsed.problems)} lignes invalides)" if parsed.problems else ""
        raise DirectoryError(f"{name} ne contient aucun opérateur utilisable{detail}.", _HINT)
    return parsed


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on a French Windows saves "CSV (séparateur : point-virgule)" in Windows-1252.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise DirectoryError(f"{name} n'est pas un texte UTF-8 lisible.", _HINT) from None


# --- CSV ---------------------------------------------------------------------------------


def _sniff_delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _column_key(header: str) -> str:
    return text_key(header).replace(" ", "_")


def _parse_csv(text: str, name: str, progress: ProgressCallback | None) -> ParsedDirectory:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except (StopIteration, csv.Error):
        raise DirectoryError(f"{name} n'a pas de ligne d'en-tête lisible.", _HINT) from None
    columns: dict[str, int] = {}
    for position, column in enumerate(header):
        field_name = _FIELD_BY_COLUMN.get(_column_key(column))
        if field_name and field_name not in columns:
            columns[field_name] = position
    if "name" not in columns:
        found = ", ".join(repr(c.strip()[:40]) for c in header[:8])
        raise DirectoryError(
            f"{name} n'est pas un annuaire d'opérateurs : aucune colonne de nom reconnue "
            f"(colonnes trouvées : {found}).",
            _HINT,
        )
    total = text.count("\n")
    operators: list[Operator] = []
    problems: list[RowProblem] = []
    width = len(header)
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(RowProblem(f"ligne {reader.line_num}", f"CSV illisible ({error})"))
            continue
        line = reader.line_num
        rows += 1
        if progress is not None and rows % PROGRESS_STEP == 0:
            progress(line, total)
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                raise _BadRow(f"{len(row)} colonnes au lieu de {width}")
            values = {f: row[i] if i < len(row) else "" for f, i in columns.items()}
            operators.append(_operator_from_mapping(values))
        except _BadRow as bad:
            problems.append(RowProblem(f"ligne {line}", str(bad)))
    if progress is not None:
        progress(total, total)
    return ParsedDirectory(operators, problems, "csv")


def _split_list(cell: str) -> tuple[str, ...]:
    return tuple(
        part.strip() for part in cell.translate(_LIST_SEPARATORS).split("|") if part.strip()
    )


def _operator_from_mapping(values: Mapping[str, str]) -> Operator:
    for value in values.values():
        if len(value) > MAX_FIELD_CHARS:
            raise _BadRow(f"valeur de plus de {MAX_FIELD_CHARS} caractères")
    name = values.get("name", "").strip()
    if not name:
        raise _BadRow("nom d'opérateur vide")
    strings = {k: v.strip() for k, v in values.items() if k not in _LIST_FIELDS}
    address = strings.get("address", "")
    traces_number = strings.get("traces_number", "")
    reference = strings.get("reference", "")
    given_country = strings.get("country", "")
    country = (
        country_code(given_country)
        if given_country
        else country_in_address(address)
        or country_from_identifier(traces_number)
        or country_from_identifier(reference)
    )
    return Operator(
        name=name,
        traces_number=traces_number,
        address=address,
        country=country,
        activities=_split_list(values.get("activities", "")),
        reference=reference,
        status=strings.get("status", ""),
        issuing_body=strings.get("issuing_body", ""),
        categories=_split_list(values.get("categories", "")),
        issued_on=strings.get("issued_on", ""),
        expires_on=strings.get("expires_on", ""),
    )


# --- JSON --------------------------------------------------------------------------------


def _parse_json(text: str, name: str, progress: ProgressCallback | None) -> ParsedDirectory:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DirectoryError(
            f"{name} : JSON invalide (ligne {error.lineno}, colonne {error.colno}).", _HINT
        ) from None
    except RecursionError:
        raise DirectoryError(f"{name} : JSON trop imbriqué.", _HINT) from None
    records = _records_of(document)
    if records is None:
        raise DirectoryError(
            f"{name} n'est pas un annuaire : le JSON doit être une liste d'enregistrements.",
            _HINT,
        )
    operators: list[Operator] = []
    problems: list[RowProblem] = []
    total = len(records)
    for index, record in enumerate(records):
        if progress is not None and index % PROGRESS_STEP == 0:
            progress(index, total)
        try:
            operators.append(_operator_from_record(record))
        except _BadRow as bad:
            problems.append(RowProblem(f"élément [{index}]", str(bad)))
    if progress is not None:
        progress(total, total)
    return ParsedDirectory(operators, problems, "json")


def _records_of(document: object) -> Sequence[object] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _WRAPPER_KEYS:
            value = document.get(key)
            if isinstance(value, list):
                return value
    return None


def _text(value: object, what: str) -> str:
    """A scalar as text; a wrong type makes the record bad."""
    if isinstance(value, str):
        text = value.strip()
    elif value is None:
        return ""
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        raise _BadRow(f"{what} : type inattendu")
    if len(text) > MAX_FIELD_CHARS:
        raise _BadRow(f"{what} : valeur de plus de {MAX_FIELD_CHARS} caractères")
    return text


def _label(value: object, what: str) -> str:
    """A string, or an object's name/label/description/code."""
    if isinstance(value, dict):
        for key in ("name", "label", "description", "translation", "value", "code", "id"):
            if isinstance(value.get(key), str) and value[key].strip():
                return _text(value[key], what)
        for key in ("activity", "type", "category"):
            if key in value:
                return _label(value[key], what)
        return ""
    return _text(value, what)


def _labels(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return _split_list(value)
    items = value if isinstance(value, list) else [value]
    return tuple(label for item in items if (label := _label(item, what)))


_COUNTRY_KEYS = ("country", "countryCode", "countryIsoCode", "countryName")
_SKIPPED_ADDRESS_KEYS = frozenset({"id", "type", "latitude", "longitude", "coordinates"})


def _address(value: object) -> tuple[str, str]:
    """Flatten an address (string, object or list) into text; return it and its country code."""
    if value is None:
        return "", ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = _text(value, "adresse")
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
            parts.append(_text(node, "adresse"))

    walk(value, 0)
    if country_label:
        parts.append(country_label)
    text = " ".join(parts)
    if len(text) > MAX_FIELD_CHARS:
        raise _BadRow(f"adresse : valeur de plus de {MAX_FIELD_CHARS} caractères")
    return text, country or country_in_address(text)


def _country_value(value: object) -> tuple[str, str]:
    """(ISO code, name to show) of a country given as a string or as {code, name}."""
    if isinstance(value, str):
        code = country_code(value)
        return (code if len(code) == 2 else ""), value.strip()
    if isinstance(value, dict):
        label = _label(value, "pays")
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
        return _text(value["id"], "statut")
    return _label(value, "statut")


def validate_record(record: object, location: str) -> Operator | RowProblem:
    """One record of the public directory's JSON, validated as ``import`` validates it."""
    try:
        return _operator_from_record(record)
    except _BadRow as bad:
        return RowProblem(location, str(bad))


def _operator_from_record(record: object) -> Operator:
    if not isinstance(record, dict):
        raise _BadRow("ce n'est pas un objet")
    operator: dict[str, Any] = record.get("operator") or {}
    if not isinstance(operator, dict):
        operator = {"name": operator} if isinstance(operator, str) else {}
    name = _text(operator.get("name") or record.get("name") or record.get("operatorName"), "nom")
    if not name:
        raise _BadRow("nom d'opérateur manquant")
    address, country = _address(operator.get("address", record.get("address")))
    traces_number = _text(
        record.get("operatorIdentifier")
        or operator.get("identifier")
        or operator.get("operatorIdentifier")
        or operator.get("tracesNumber")
        or record.get("tracesNumber"),
        "identifiant",
    )
    reference = _text(record.get("reference"), "référence")
    body = record.get("issuingBody")
    if isinstance(body, dict):
        code = _text(body.get("code"), "organisme")
        body_name = _text(body.get("name"), "organisme")
        issuing_body = f"{body_name} ({code})" if body_name and code else body_name or code
    else:
        issuing_body = _text(body, "organisme")
    activities = record.get("activities", operator.get("activities"))
    return Operator(
        name=name,
        traces_number=traces_number,
        address=address,
        country=country
        or country_from_identifier(reference)
        or country_from_identifier(traces_number),
        activities=_labels(activities, "activités"),
        reference=reference,
        status=_status(record.get("status")),
        issuing_body=issuing_body,
        categories=_labels(record.get("categoriesOfProduct"), "catégories"),
        issued_on=_text(record.get("issuedOn"), "date"),
        expires_on=_text(record.get("expiresOn"), "date"),
    )
