"""The local index of an imported directory: one UTF-8 text file in the user data folder.

Layout (lines separated by ``\\n``), chosen so that a search reads the file in one go and
decodes only the operators it shows:

1. a JSON header: format name, version, row count, source file, import date;
2. ``rows`` lines: the normalised name of each operator (what fuzzy matching compares);
3. ``rows`` lines: its facets (country, TRACES number, reference, activities, tab-separated);
4. ``rows`` lines: the operator itself, a JSON array.

The file is plain data (never pickle): someone could replace it, so it is validated on
reading and its text stays untrusted. It is written atomically (temp file + rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tracesguide.errors import DirectoryError
from tracesguide.operators.formats import (
    MAX_FILE_BYTES,
    ProgressCallback,
    read_directory_file,
)
from tracesguide.operators.model import (
    Directory,
    DirectorySource,
    Operator,
    RowProblem,
    facet_line,
)
from tracesguide.operators.normalize import name_key

INDEX_FILE = "operators-index.txt"
FORMAT_NAME = "tracesguide-operators-index"
FORMAT_VERSION = 1
_REINDEX = "Relancez : tracesguide operators import FICHIER"
_FIELDS = 11


def index_path() -> Path:
    from tracesguide.paths import data_dir

    return data_dir() / INDEX_FILE


@dataclass(frozen=True)
class IndexInfo:
    """What is imported: the index file, its source, row count, date, rows skipped."""

    path: Path
    origin: str
    rows: int
    skipped: int
    imported_at: str
    origin_size: int | None = None
    origin_mtime: float | None = None

    def origin_changed(self) -> bool | None:
        """Whether the source file changed since the import (None: it is gone)."""
        try:
            stat = Path(self.origin).stat()
        except OSError:
            return None
        return (stat.st_size, stat.st_mtime) != (self.origin_size, self.origin_mtime)


@dataclass(frozen=True)
class ImportResult:
    info: IndexInfo
    problems: list[RowProblem]


def import_directory(
    source: Path, progress: ProgressCallback | None = None, target: Path | None = None
) -> ImportResult:
    """Read *source* once and write the index (default: in the user data folder)."""
    parsed = read_directory_file(source, progress)
    target = target or index_path()
    origin = source.resolve()
    stat = origin.stat()
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "rows": len(parsed.operators),
        "skipped": len(parsed.problems),
        "origin": str(origin),
        "origin_size": stat.st_size,
        "origin_mtime": stat.st_mtime,
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    operators = parsed.operators
    lines = [json.dumps(header, ensure_ascii=False)]
    lines.extend(name_key(op.name) for op in operators)
    lines.extend(facet_line(op) for op in operators)
    lines.extend(_encode(op) for op in operators)
    _write_atomically(target, "\n".join(lines) + "\n")
    return ImportResult(_info(target, header), parsed.problems)


def _encode(operator: Operator) -> str:
    return json.dumps(
        [
            operator.name,
            operator.traces_number,
            operator.address,
            operator.country,
            list(operator.activities),
            operator.reference,
            operator.status,
            operator.issuing_body,
            list(operator.categories),
            operator.issued_on,
            operator.expires_on,
        ],
        ensure_ascii=False,
    )


def _decode(line: str) -> Operator:
    try:
        values = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != _FIELDS
        or not all(isinstance(values[i], str) for i in (0, 1, 2, 3, 5, 6, 7, 9, 10))
        or not all(
            isinstance(values[i], list) and all(isinstance(v, str) for v in values[i])
            for i in (4, 8)
        )
    ):
        raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX)
    return Operator(
        name=values[0],
        traces_number=values[1],
        address=values[2],
        country=values[3],
        activities=tuple(values[4]),
        reference=values[5],
        status=values[6],
        issuing_body=values[7],
        categories=tuple(values[8]),
        issued_on=values[9],
        expires_on=values[10],
    )


def _write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".operators-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _check_header(header: object) -> dict[str, object]:
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX)
    version = header.get("version")
    if not isinstance(version, int) or version < 1:
        raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX)
    if version > FORMAT_VERSION:
        raise DirectoryError(
            "l'index des opérateurs vient d'une version plus récente de tracesguide.",
            "Mettez tracesguide à jour, ou " + _REINDEX[0].lower() + _REINDEX[1:],
        )
    rows = header.get("rows")
    if not isinstance(rows, int) or rows < 0:
        raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX)
    return header


def _info(path: Path, header: dict[str, object]) -> IndexInfo:
    size = header.get("origin_size")
    mtime = header.get("origin_mtime")
    skipped = header.get("skipped")
    rows = header.get("rows")
    return IndexInfo(
        path=path,
        origin=str(header.get("origin", "")),
        rows=rows if isinstance(rows, int) else 0,
        skipped=skipped if isinstance(skipped, int) else 0,
        imported_at=str(header.get("imported_at", "")),
        origin_size=size if isinstance(size, int) else None,
        origin_mtime=float(mtime) if isinstance(mtime, int | float) else None,
    )


def read_index_info(path: Path | None = None) -> IndexInfo | None:
    """The header of the index, or None when nothing was imported."""
    path = path or index_path()
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DirectoryError(f"impossible de lire l'index {path} : {error.strerror}") from None
    try:
        header = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX) from None
    return _info(path, _check_header(header))


def load_index(path: Path | None = None) -> Directory | None:
    """Load the index for searching, or None when nothing was imported."""
    path = path or index_path()
    try:
        if path.stat().st_size > 4 * MAX_FILE_BYTES:
            raise DirectoryError("l'index des opérateurs est trop gros.", _REINDEX)
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DirectoryError(f"impossible de lire l'index {path} : {error.strerror}") from None
    try:
        lines = data.decode("utf-8").split("\n")
        header = _check_header(json.loads(lines[0]))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX) from None
    info = _info(path, header)
    rows = info.rows
    if len(lines) != 3 * rows + 2 or lines[-1]:
        raise DirectoryError("l'index des opérateurs est incomplet ou corrompu.", _REINDEX)
    records = lines[2 * rows + 1 : 3 * rows + 1]
    return Directory(
        source=DirectorySource("index", path, imported_at=info.imported_at, origin=info.origin),
        keys=lines[1 : rows + 1],
        facets=lines[rows + 1 : 2 * rows + 1],
        fetch=lambda position: _decode(records[position]),
    )
