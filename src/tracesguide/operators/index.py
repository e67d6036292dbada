"""The local index of an imported directory: one UTF-8 text file in the user data folder.

Layout, chosen so that a search decodes only the names it compares and the operators it
shows (the whole file is read in one go, a few milliseconds):

1. one line, a JSON header: format name, version, row count, source file, import date,
   and the byte length of each of the four blocks that follow;
2. ``rows`` lines: the normalised name of each operator (what fuzzy matching compares);
3. ``rows`` lines: its facets (country, TRACES number, reference, activities, tab-separated),
   decoded only when a filter or an identifier needs them;
4. one line of ``rows`` offsets, 8 hexadecimal digits each: where each operator starts in
   the last block;
5. ``rows`` lines: the operator itself, a JSON array.

The file is plain data (never pickle): someone could replace it, so it is validated on
reading and its text stays untrusted. It is written atomically (temp file + rename).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tracesguide.errors import DirectoryError
from tracesguide.files import write_atomic
from tracesguide.operators.formats import (
    MAX_FILE_BYTES,
    ProgressCallback,
    read_directory_file,
)
from tracesguide.operators.model import (
    Directory,
    DirectorySource,
    LazyLines,
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
    # Set when the index was downloaded (operators fetch): {"url": ..., "slices": [...]}.
    fetch: Mapping[str, object] | None = None

    def origin_changed(self) -> bool | None:
        """Whether the source file changed since the import (None: it is gone)."""
        if self.fetch is not None:
            return False
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
    origin = source.resolve()
    stat = origin.stat()
    described = {"origin": str(origin), "origin_size": stat.st_size, "origin_mtime": stat.st_mtime}
    info = write_index(parsed.operators, len(parsed.problems), described, target, str(source))
    return ImportResult(info, parsed.problems)


def write_index(
    operators: Sequence[Operator],
    skipped: int,
    described: Mapping[str, object],
    target: Path | None = None,
    name: str = "",
) -> IndexInfo:
    """Write the index of *operators* atomically; *described* says where they come from
    (``origin`` and, for a file, its size and time; for a download, ``fetch``)."""
    target = target or index_path()
    records = [_encode(op).encode("utf-8") + b"\n" for op in operators]
    offsets: list[str] = []
    position = 0
    for record in records:
        offsets.append(f"{position:08x}")
        position += len(record)
    if position >= 16**8:
        raise DirectoryError(f"{name} : annuaire trop gros pour l'index.")
    blocks = [
        "".join(f"{name_key(op.name)}\n" for op in operators).encode("utf-8"),
        "".join(f"{facet_line(op)}\n" for op in operators).encode("utf-8"),
        ("".join(offsets) + "\n").encode("ascii"),
        b"".join(records),
    ]
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "rows": len(operators),
        "skipped": skipped,
        **described,
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "blocks": [len(block) for block in blocks],
    }
    head = json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"
    _write_atomically(target, [head, *blocks])
    return _info(target, header)


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


def _write_atomically(target: Path, chunks: list[bytes]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, chunks)


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
        fetch=fetched if isinstance(fetched := header.get("fetch"), dict) else None,
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
    end = data.find(b"\n", 0, 1 << 16)
    try:
        header = _check_header(json.loads(data[:end].decode("utf-8")) if end > 0 else None)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX) from None
    info = _info(path, header)
    rows = info.rows
    blocks = header.get("blocks")
    if (
        not isinstance(blocks, list)
        or len(blocks) != 4
        or not all(isinstance(size, int) and size >= 0 for size in blocks)
        or end + 1 + sum(blocks) != len(data)
        or blocks[2] != 8 * rows + 1
    ):
        raise DirectoryError("l'index des opérateurs est incomplet ou corrompu.", _REINDEX)
    keys_at = end + 1
    facets_at = keys_at + blocks[0]
    offsets_at = facets_at + blocks[1]
    records_at = offsets_at + blocks[2]
    keys = _lines(data[keys_at:facets_at], rows)

    def fetch(position: int) -> Operator:
        if not 0 <= position < rows:
            raise IndexError(position)
        at = offsets_at + 8 * position
        try:
            start = records_at + int(data[at : at + 8], 16)
        except ValueError:
            start = -1
        stop = data.find(b"\n", start) if records_at <= start < len(data) else -1
        if stop < 0:
            raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX)
        try:
            return _decode(data[start:stop].decode("utf-8"))
        except UnicodeDecodeError:
            raise DirectoryError("l'index des opérateurs est corrompu.", _REINDEX) from None

    return Directory(
        source=DirectorySource("index", path, imported_at=info.imported_at, origin=info.origin),
        keys=keys,
        facets=LazyLines(lambda: _lines(data[facets_at:offsets_at], rows)),
        fetch=fetch,
    )


def _lines(block: bytes, rows: int) -> list[str]:
    """The *rows* lines of a block, each ended by a newline."""
    try:
        lines = block.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        lines = []
    if len(lines) != rows + 1 or lines[-1]:
        raise DirectoryError("l'index des opérateurs est incomplet ou corrompu.", _REINDEX)
    lines.pop()
    return lines
