"""Read directory files: CSV as spreadsheets export it, or JSON from the public directory.

Bad rows are skipped and reported with their line (CSV) or index (JSON); a file that
is no directory at all raises :class:`~tracesguide.system.errors.DirectoryError`, and so does
every failure of a parser on it (``ValueError``, ``OverflowError``, ``RecursionError``,
``UnicodeError``, ``MemoryError``, ``csv.Error``): one French line, never a traceback.

Files are opened with :func:`tracesguide.system.files.open_regular` (a regular file only, its
size checked first) and read as a stream: a first pass in 1 MiB chunks recognises the
encoding and counts lines, a second one yields operators one at a time
(:func:`open_directory`), so that an import holds one row at a time, never the file's
text and all its operators at once (bounds in docs/operators.md).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, Literal

from tracesguide.i18n import t
from tracesguide.operators.model import Operator, RowProblem
from tracesguide.operators.normalize import text_key
from tracesguide.operators.records import (
    CELL_FIELDS,
    MAX_FIELD_CHARS,
    BadRow,
    Fields,
    fields_from_cells,
    fields_from_record,
    operator_from_record,
)
from tracesguide.system.errors import DirectoryError
from tracesguide.system.files import Unreadable, open_regular

# A directory of every organic operator in the EU is some tens of megabytes.
MAX_FILE_BYTES = 512 * 1024 * 1024
# How often (in rows) the progress callback is called.
PROGRESS_STEP = 2000
# Rows skipped are all counted; the first ones are kept to be shown.
KEPT_PROBLEMS = 1000
_CHUNK = 1 << 20
_HEAD = 1 << 16
# Bytes Windows-1252 leaves undefined: a file holding one is not a Windows-1252 text.
_NOT_CP1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
# What a parser may raise on a hostile file, beside its own error.
PARSER_FAILURES = (ValueError, OverflowError, RecursionError, UnicodeError, csv.Error)

ProgressCallback = Callable[[int, int], None]
"""Called with (rows done, rows in all) while a file is read."""

__all__ = ["MAX_FIELD_CHARS", "PARSER_FAILURES"]

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
# Keys under which a JSON answer may wrap its list of records.
_WRAPPER_KEYS = ("items", "data", "results", "records", "content", "operators")
_REASONS = {
    "missing": "operators.file_missing",
    "not_regular": "operators.file_not_regular",
    "too_big": "operators.file_too_big",
    "os_error": "operators.file_os_error",
}


def _error(key: str, **values: object) -> DirectoryError:
    return DirectoryError(t(key, **values), t("operators.file_hint"))


@dataclass(frozen=True)
class ParsedDirectory:
    """The operators read from a file, the rows skipped, and the format recognised.

    ``problems`` holds the first :data:`KEPT_PROBLEMS` rows skipped; ``skipped`` counts
    them all.
    """

    operators: list[Operator]
    problems: list[RowProblem]
    format: Literal["csv", "json"]
    skipped: int = 0


@dataclass
class DirectoryStream:
    """The operators of an open directory file, read one at a time.

    Iterate once: rows that cannot be operators are counted in ``skipped`` (the first
    ones kept in ``problems``); a file with no operator at all, or that a parser
    cannot read, raises :class:`DirectoryError` during the iteration.
    """

    format: Literal["csv", "json"]
    name: str
    rows: Callable[[DirectoryStream], Iterator[Fields]]
    problems: list[RowProblem] = field(default_factory=list)
    skipped: int = 0
    count: int = 0
    # Called with (rows done, rows in all) while the file is read; read when the
    # iteration starts.
    progress: ProgressCallback | None = None

    def skip(self, location: str, message: str) -> None:
        self.skipped += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(RowProblem(location, message))

    def __iter__(self) -> Iterator[Operator]:
        for fields in self.fields():
            yield Operator(*fields)

    def fields(self) -> Iterator[Fields]:
        """The operators as :data:`Fields` tuples (what an import writes)."""
        try:
            for fields in self.rows(self):
                self.count += 1
                yield fields
        except DirectoryError:
            raise
        except json.JSONDecodeError as error:
            raise _error(
                "operators.json_invalid", name=self.name, line=error.lineno, column=error.colno
            ) from None
        except RecursionError:
            raise _error("operators.too_nested", name=self.name) from None
        except MemoryError:
            raise _error("operators.out_of_memory", name=self.name) from None
        except PARSER_FAILURES:
            raise _error("operators.unreadable", name=self.name) from None
        if not self.count:
            if self.skipped:
                raise _error("operators.no_operator_bad_rows", name=self.name, bad=self.skipped)
            raise _error("operators.no_operator", name=self.name)


def validate_record(record: object, location: str) -> Operator | RowProblem:
    """One record of the public directory's JSON, validated as ``import`` validates it."""
    try:
        return operator_from_record(record)
    except BadRow as bad:
        return RowProblem(location, str(bad))
    except PARSER_FAILURES:  # e.g. a number of more than 4 300 digits
        return RowProblem(location, t("operators.row_out_of_range"))


def read_directory_file(
    path: Path, progress: ProgressCallback | None = None, fast_json: bool = True
) -> ParsedDirectory:
    """Read a CSV or JSON directory file (the format is recognised from the content).

    *fast_json* False reads a JSON array with the standard parser only (the reference
    the fast reader is compared with, see :func:`_array_items`)."""
    with open_directory(path, progress, fast_json) as stream:
        operators = list(stream)
        return ParsedDirectory(operators, stream.problems, stream.format, stream.skipped)


def parse_directory_bytes(
    data: bytes, name: str, progress: ProgressCallback | None = None
) -> ParsedDirectory:
    """Parse the content of a directory file; *name* is only used in messages."""
    stream = _stream(io.BytesIO(data), name, progress)
    operators = list(stream)
    return ParsedDirectory(operators, stream.problems, stream.format, stream.skipped)


@contextmanager
def open_directory(
    path: Path, progress: ProgressCallback | None = None, fast_json: bool = True
) -> Iterator[DirectoryStream]:
    """Open a directory file and yield its operators as a :class:`DirectoryStream`."""
    try:
        handle = open_regular(path, MAX_FILE_BYTES)
    except Unreadable as error:
        size = int(error.detail) // 2**20 if error.reason == "too_big" else 0
        raise DirectoryError(
            t(_REASONS[error.reason], path=path, detail=error.detail, size=size),
            t("operators.file_too_big_hint", limit=MAX_FILE_BYTES // 2**20)
            if error.reason == "too_big"
            else None,
        ) from None
    with handle:
        try:
            yield _stream(handle, str(path), progress, fast_json)
        except OSError as error:
            raise DirectoryError(
                t("operators.file_os_error", path=path, detail=error.strerror or error)
            ) from None


@dataclass(frozen=True)
class _Survey:
    encoding: str
    lines: int
    head: str  # the start of the text, without its leading white space


def _survey(handle: BinaryIO, name: str) -> _Survey:
    """First pass, in chunks: binary or text, which encoding, how many lines."""
    head = handle.read(_HEAD)
    if b"\x00" in head:
        raise _error("operators.binary", name=name)
    utf8 = codecs.getincrementaldecoder("utf-8-sig")()
    is_utf8 = True
    is_cp1252 = True
    lines = 0
    chunk = head
    while chunk:
        lines += chunk.count(b"\n")
        if is_utf8:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
        is_cp1252 = is_cp1252 and not any(byte in chunk for byte in _NOT_CP1252)
        chunk = handle.read(_CHUNK)
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    # Excel on a French Windows saves "CSV (séparateur : point-virgule)" in Windows-1252.
    if not (is_utf8 or is_cp1252):
        raise _error("operators.not_text", name=name)
    encoding = "utf-8-sig" if is_utf8 else "cp1252"
    text = head.decode(encoding, errors="ignore").lstrip()
    if not text:
        raise _error("operators.empty", name=name)
    handle.seek(0)
    return _Survey(encoding, lines, text)


def _stream(
    handle: BinaryIO, name: str, progress: ProgressCallback | None, fast_json: bool = True
) -> DirectoryStream:
    survey = _survey(handle, name)
    if survey.head[0] in "[{":

        def json_rows(stream: DirectoryStream) -> Iterator[Fields]:
            return _json_rows(handle, survey, stream, stream.progress, fast_json)

        return DirectoryStream("json", name, json_rows, progress=progress)

    def csv_rows(stream: DirectoryStream) -> Iterator[Fields]:
        return _csv_rows(handle, survey, stream, stream.progress)

    return DirectoryStream("csv", name, csv_rows, progress=progress)


# --- CSV ---------------------------------------------------------------------------------


def _sniff_delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _column_key(header: str) -> str:
    return text_key(header).replace(" ", "_")


def _csv_rows(
    handle: BinaryIO, survey: _Survey, stream: DirectoryStream, progress: ProgressCallback | None
) -> Iterator[Fields]:
    text = io.TextIOWrapper(handle, encoding=survey.encoding, newline="")
    first_line = survey.head.split("\n", 1)[0]
    reader = csv.reader(text, delimiter=_sniff_delimiter(first_line))
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except (StopIteration, csv.Error):
        raise _error("operators.no_header", name=stream.name) from None
    columns: dict[str, int] = {}
    for position, column in enumerate(header):
        field_name = _FIELD_BY_COLUMN.get(_column_key(column))
        if field_name and field_name not in columns:
            columns[field_name] = position
    if "name" not in columns:
        found = ", ".join(repr(c.strip()[:40]) for c in header[:8])
        raise _error("operators.no_name_column", name=stream.name, found=found)
    total = survey.lines
    width = len(header)
    # Each field's column; a field the file lacks reads the "" appended to every row.
    cells = itemgetter(*(columns.get(f, width) for f in CELL_FIELDS))
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # A field past csv's limit: the rows after it cannot be told apart.
            raise _error("operators.csv_broken", name=stream.name, line=reader.line_num) from None
        rows += 1
        if progress is not None and rows % PROGRESS_STEP == 0:
            progress(reader.line_num, total)
        if len(row) != width:
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                stream.skip(
                    t("operators.at_line", line=reader.line_num),
                    t("operators.row_columns", found=len(row), expected=width),
                )
                continue
            del row[width:]
            row.extend([""] * (width - len(row)))
        row.append("")
        try:
            yield fields_from_cells(cells(row))
        except BadRow as bad:
            if "".join(row).strip():  # an empty row is no operator, nor a problem
                stream.skip(t("operators.at_line", line=reader.line_num), str(bad))
    if progress is not None:
        progress(total, total)


# --- JSON --------------------------------------------------------------------------------


def _json_rows(
    handle: BinaryIO,
    survey: _Survey,
    stream: DirectoryStream,
    progress: ProgressCallback | None,
    fast: bool = True,
) -> Iterator[Fields]:
    if survey.head[0] == "[":
        records: Iterator[object] = _array_items(handle, survey.encoding, progress, fast)
    else:
        records = _wrapped_records(handle, survey, stream)
    for index, record in enumerate(records):
        try:
            yield fields_from_record(record)
        except BadRow as bad:
            stream.skip(t("operators.at_item", index=index), str(bad))


def _wrapped_records(
    handle: BinaryIO, survey: _Survey, stream: DirectoryStream
) -> Iterator[object]:
    """An object holding the list of records: parsed whole (the collector paused, as it
    only slows the parsing of a large document), then its records freed one by one."""
    import gc

    text = handle.read().decode(survey.encoding)
    enabled = gc.isenabled()
    gc.disable()
    try:
        document = json.loads(text)
    finally:
        if enabled:
            gc.enable()
    del text
    records = _records_of(document)
    if records is None:
        raise _error("operators.json_not_a_list", name=stream.name)
    del document
    for index in range(len(records)):
        record = records[index]
        if isinstance(records, list):
            records[index] = None  # each record freed once read
        yield record


def _array_items(
    handle: BinaryIO, encoding: str, progress: ProgressCallback | None, fast: bool = True
) -> Iterator[object]:
    """The items of a JSON array, parsed one at a time from 1 MiB chunks of the file.

    Memory holds a chunk and one record, whatever the file's size. Each item is parsed by
    the standard parser (``raw_decode``), so the same documents are accepted and refused
    as by ``json.loads``, with the same error and its line and column in the file.

    With *fast* (a UTF-8 file), the items are first decoded many at a time by
    :func:`tracesguide.operators.jsonchunks.fast_items`, which gives the same items and
    hands the rest of the file over to this reader at the first doubt.
    """
    decoder = json.JSONDecoder()
    try:
        total = os.fstat(handle.fileno()).st_size
    except (OSError, ValueError):  # in memory (parse_directory_bytes)
        total = 0
    items = 0
    pending = b""
    if fast and encoding == "utf-8-sig":
        from tracesguide.operators.jsonchunks import fast_items

        def report(done: int) -> None:
            if progress is not None:
                progress(done, max(total, done))

        handover = yield from fast_items(handle, report if progress is not None else None)
        pending, items = handover.pending, handover.items
    if items:  # the fast reader stopped right after an item: "," or "]" follows
        from tracesguide.operators.jsonchunks import place

        offset = handover.offset
        text = _JsonText(handle, codecs.getincrementaldecoder("utf-8")(), pending)
        text.read_bytes += handover.read_bytes - len(pending)
        text.origin = lambda: place(handle, offset)
        position = text.skip(0)
    else:
        text = _JsonText(handle, codecs.getincrementaldecoder(encoding)(), pending)
        position = text.skip(0)
        if text.char(position) != "[":
            raise text.error("Expecting value", position)
        position = text.skip(position + 1)
    first = not items
    while True:
        if text.char(position) == "]":
            end = text.skip(position + 1)
            if text.char(end) != "":
                raise text.error("Extra data", end)
            break
        if not first:
            if text.char(position) != ",":
                raise text.error("Expecting ',' delimiter", position)
            position = text.skip(position + 1)
        while True:
            try:
                item, end = decoder.raw_decode(text.buffer, position)
            except json.JSONDecodeError as error:
                if text.more():
                    continue  # the item may run past the chunk
                raise text.error(error.msg, error.pos) from None
            if end < len(text.buffer) or not text.more():
                break  # an item ends before the chunk does (a number could go on)
        yield item
        del item
        first = False
        items += 1
        position = text.forget(text.skip(end))
        if progress is not None and items % PROGRESS_STEP == 0:
            progress(text.read_bytes, max(total, text.read_bytes))
    if progress is not None:
        progress(total, total)


class _JsonText:
    """The decoded text of a file, read in chunks as far as the parser needs."""

    def __init__(
        self, handle: BinaryIO, utf: codecs.IncrementalDecoder, pending: bytes = b""
    ) -> None:
        self.handle = handle
        self.utf = utf
        # bytes already read (by the fast reader), then the rest of the file
        self.buffer = utf.decode(pending)
        self.done = False
        self.read_bytes = len(pending)
        self.dropped_lines = 0  # lines before the buffer (for the error's place)
        self.dropped_column = 0  # characters of the buffer's first line before it
        # (lines, characters of the line) before the text, when it does not start the file
        self.origin: Callable[[], tuple[int, int]] | None = None
        self.more()

    def more(self) -> bool:
        """Append the next chunk; False at the end of the file."""
        if self.done:
            return False
        # At least as much again as is held: an item over many chunks is parsed a few times.
        chunk = self.handle.read(max(_CHUNK, len(self.buffer)))
        self.read_bytes += len(chunk)
        self.done = not chunk
        self.buffer += self.utf.decode(chunk, final=self.done)
        return True

    def char(self, position: int) -> str:
        """The character at *position*, reading on if needed ("" at the end)."""
        while position >= len(self.buffer) and self.more():
            pass
        return self.buffer[position] if position < len(self.buffer) else ""

    def skip(self, position: int) -> int:
        """The position of the next character that is not JSON white space."""
        while True:
            while position < len(self.buffer) and self.buffer[position] in " \t\n\r":
                position += 1
            if position < len(self.buffer) or not self.more():
                return position

    def forget(self, position: int) -> int:
        """Drop the text before *position* once it is a large share of the buffer."""
        if position < _CHUNK:
            return position
        dropped = self.buffer[:position]
        lines = dropped.count("\n")
        self.dropped_column = (
            len(dropped) - dropped.rindex("\n") - 1 if lines else self.dropped_column + position
        )
        self.dropped_lines += lines
        self.buffer = self.buffer[position:]
        return 0

    def error(self, message: str, position: int) -> json.JSONDecodeError:
        """The parser's error, placed in the whole file rather than in the buffer."""
        error = json.JSONDecodeError(message, self.buffer, position)
        lines, column = self.dropped_lines, self.dropped_column
        if self.origin is not None:
            origin_lines, origin_column = self.origin()
            column += origin_column if not lines else 0
            lines += origin_lines
        if error.lineno == 1:
            error.colno += column
        error.lineno += lines
        return error


def _records_of(document: object) -> Sequence[object] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _WRAPPER_KEYS:
            value = document.get(key)
            if isinstance(value, list):
                return value
    return None
