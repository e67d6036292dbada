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
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import IO

from tracesguide.i18n import t
from tracesguide.operators.formats import (
    MAX_FILE_BYTES,
    PARSER_FAILURES,
    ProgressCallback,
    open_directory,
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
from tracesguide.system.errors import DirectoryError
from tracesguide.system.files import Unreadable, open_regular, read_regular, write_atomic

INDEX_FILE = "operators-index.txt"
FORMAT_NAME = "tracesguide-operators-index"
FORMAT_VERSION = 1
# The index holds each operator about three times (name key, facets, record).
MAX_INDEX_BYTES = 4 * MAX_FILE_BYTES
_FIELDS = 11


def index_path() -> Path:
    from tracesguide.system.paths import data_dir

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
    """The index written, the first rows skipped and how many were skipped in all."""

    info: IndexInfo
    problems: list[RowProblem]
    skipped: int = 0


def import_directory(
    source: Path, progress: ProgressCallback | None = None, target: Path | None = None
) -> ImportResult:
    """Read *source* once and write the index (default: in the user data folder).

    The operators are streamed from the file into the index (:func:`write_index`):
    memory holds a batch of rows, never the whole directory. Nothing is written when
    the file is refused.
    """
    with open_directory(source, progress) as stream:
        origin = source.resolve()
        try:
            stat = origin.stat()
        except OSError as error:
            raise DirectoryError(
                t("operators.file_os_error", path=source, detail=error.strerror or error)
            ) from None
        described = {
            "origin": str(origin),
            "origin_size": stat.st_size,
            "origin_mtime": stat.st_mtime,
        }
        info = write_index(stream, lambda: stream.skipped, described, target)
    return ImportResult(info, stream.problems, stream.skipped)


def write_index(
    operators: Iterable[Operator],
    skipped: int | Callable[[], int],
    described: Mapping[str, object],
    target: Path | None = None,
    name: str = "",
) -> IndexInfo:
    """Write the index of *operators* atomically, reading them once, one at a time.

    They go into four anonymous temporary files (one per block) beside the index, then
    into the index in one atomic write. *skipped* counts the rows left out (or says it,
    once the operators are read); *described* says where they come from (``origin`` and,
    for a file, its size and time; for a download, ``fetch``). *name* is unused, kept
    for the callers that name their source.
    """
    del name
    target = target or index_path()
    _make_folder(target.parent)
    with _Blocks(target.parent) as blocks:
        rows = 0
        for operator in operators:
            blocks.add(operator)
            rows += 1
        blocks.flush()
        header = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "rows": rows,
            "skipped": skipped() if callable(skipped) else skipped,
            **described,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "blocks": blocks.sizes(),
        }
        head = json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"
        write_atomic(target, chain([head], blocks.chunks()))  # never all in memory
    return _info(target, header)


class _Blocks:
    """The four blocks of an index being written, each in an anonymous temporary file."""

    BATCH = 4096

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[IO[bytes]] = []
        self.pending: tuple[list[str], list[str], list[str], list[bytes]] = ([], [], [], [])
        self.position = 0

    def __enter__(self) -> _Blocks:
        with ExitStack() as stack:
            self.files = [
                stack.enter_context(tempfile.TemporaryFile(dir=self.folder)) for _ in range(4)
            ]
            self._close = stack.pop_all()
        return self

    def __exit__(self, *_: object) -> None:
        self._close.close()

    def add(self, operator: Operator) -> None:
        keys, facets, offsets, records = self.pending
        record = _encode(operator).encode("utf-8") + b"\n"
        keys.append(name_key(operator.name))
        facets.append(facet_line(operator))
        offsets.append(f"{self.position:08x}")
        records.append(record)
        self.position += len(record)
        if self.position >= 16**8:
            raise DirectoryError(t("operators.index_too_big"))
        if len(records) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        keys, facets, offsets, records = self.pending
        for handle, lines in zip(self.files[:2], (keys, facets), strict=True):
            if lines:
                handle.write(("\n".join(lines) + "\n").encode("utf-8"))
        self.files[2].write("".join(offsets).encode("ascii"))
        self.files[3].write(b"".join(records))
        for batch in self.pending:
            batch.clear()

    def sizes(self) -> list[int]:
        sizes = [handle.tell() for handle in self.files]
        sizes[2] += 1  # the newline that ends the offsets
        return sizes

    def chunks(self) -> Iterator[bytes]:
        for number, handle in enumerate(self.files):
            handle.seek(0)
            while chunk := handle.read(1 << 20):
                yield chunk
            if number == 2:
                yield b"\n"


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DirectoryError(
            t("operators.index_unwritable", path=folder, detail=error.strerror or error)
        ) from None


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


def _corrupt(key: str = "operators.index_corrupt") -> DirectoryError:
    return DirectoryError(t(key), t("operators.index_hint"))


def _decode(line: bytes | str) -> Operator:
    try:
        values = json.loads(line)
    except (*PARSER_FAILURES, MemoryError):
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
        raise _corrupt()
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


def _check_header(line: bytes) -> dict[str, object]:
    try:
        header = json.loads(line.decode("utf-8")) if line.strip() else None
    except (*PARSER_FAILURES, MemoryError):
        raise _corrupt() from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise _corrupt()
    version = header.get("version")
    if not isinstance(version, int) or version < 1:
        raise _corrupt()
    if version > FORMAT_VERSION:
        raise DirectoryError(t("operators.index_newer"), t("operators.index_newer_hint"))
    rows = header.get("rows")
    if not isinstance(rows, int) or not 0 <= rows < 16**8:
        raise _corrupt()
    return header


def _number(value: object, kind: type[int] | type[float]) -> int | float | None:
    """A number of the header, or None (a huge integer is no size and no date)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if kind is int and not isinstance(value, int):
        return None
    try:
        return kind(value) if abs(value) < 2**63 else None
    except (OverflowError, ValueError):  # inf and nan
        return None


def _info(path: Path, header: dict[str, object]) -> IndexInfo:
    size = _number(header.get("origin_size"), int)
    mtime = _number(header.get("origin_mtime"), float)
    skipped = _number(header.get("skipped"), int)
    rows = _number(header.get("rows"), int)
    return IndexInfo(
        path=path,
        origin=str(header.get("origin", "")),
        rows=int(rows or 0),
        skipped=int(skipped or 0),
        imported_at=str(header.get("imported_at", "")),
        origin_size=int(size) if size is not None else None,
        origin_mtime=float(mtime) if mtime is not None else None,
        fetch=fetched if isinstance(fetched := header.get("fetch"), dict) else None,
    )


def _unreadable(error: Unreadable) -> DirectoryError:
    if error.reason == "too_big":
        return _corrupt("operators.index_too_big_to_read")
    if error.reason == "not_regular":
        return _corrupt("operators.index_not_regular")
    return DirectoryError(t("operators.index_unreadable", path=error.path, detail=error.detail))


def read_index_info(path: Path | None = None) -> IndexInfo | None:
    """The header of the index, or None when nothing was imported."""
    path = path or index_path()
    try:
        with open_regular(path, MAX_INDEX_BYTES) as handle:
            first = handle.readline(1 << 16)
    except Unreadable as error:
        if error.reason == "missing":
            return None
        raise _unreadable(error) from None
    except OSError as error:
        raise DirectoryError(
            t("operators.index_unreadable", path=path, detail=error.strerror or error)
        ) from None
    return _info(path, _check_header(first))


def load_index(path: Path | None = None) -> Directory | None:
    """Load the index for searching, or None when nothing was imported."""
    path = path or index_path()
    try:
        data = read_regular(path, MAX_INDEX_BYTES)
    except Unreadable as error:
        if error.reason == "missing":
            return None
        raise _unreadable(error) from None
    except MemoryError:
        raise _corrupt("operators.index_too_big_to_read") from None
    end = data.find(b"\n", 0, 1 << 16)
    header = _check_header(data[:end] if end > 0 else b"")
    info = _info(path, header)
    rows = info.rows
    blocks = header.get("blocks")
    if (
        not isinstance(blocks, list)
        or len(blocks) != 4
        or not all(type(size) is int and 0 <= size <= len(data) for size in blocks)
        or end + 1 + sum(blocks) != len(data)
        or blocks[2] != 8 * rows + 1
    ):
        raise _corrupt("operators.index_incomplete")
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
            raise _corrupt()
        return _decode(data[start:stop])

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
        raise _corrupt("operators.index_incomplete")
    lines.pop()
    return lines
