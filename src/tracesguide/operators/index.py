"""The local index of an imported directory: a SQLite database in the user data folder.

One file, ``operators-index.sqlite`` (standard library ``sqlite3``), made of:

- ``meta``: one row per fact of the import (source, its size and time, the download's URL,
  date, rows, rows skipped, whether the name prefilter exists);
- ``slices``: for a download, each country × status with the records announced and kept;
- ``operators``: one row per operator, the compared forms of its fields (normalised
  name, country, TRACES number, reference, activities) and, in one text column, its
  fields as read (only shown: one value to write and to read); SQL indexes on the
  TRACES number and the reference make the exact lookups;
- ``names``: an FTS5 table with the trigram tokenizer over the normalised names, the
  candidate prefilter of a search by name (:mod:`tracesguide.operators.match`). A SQLite
  without the trigram tokenizer (before 3.34) builds the index without it, and a search
  then compares every name.

The schema's version is ``PRAGMA user_version``, and ``PRAGMA application_id`` says that
the file is ours. An import builds the database in a private temporary file beside the
index (mode 0600, in one transaction) and renames it over the index only once complete:
a search never sees half an index, and a killed import leaves the previous one intact.

The file is plain data on disk: someone could replace it. Before SQLite opens it, its
header is read through ``open_regular`` (a regular file, size bounded) and checked (a
SQLite database, ours, complete, of a version we read); every SQLite error while reading
becomes one French line (:class:`~tracesguide.system.errors.DirectoryError`). It is
opened read-only and immutable: reading never writes beside it.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, cast

from tracesguide.i18n import t
from tracesguide.operators.formats import (
    MAX_FILE_BYTES,
    DirectoryStream,
    ProgressCallback,
    open_directory,
)
from tracesguide.operators.model import Directory, DirectorySource, Operator, RowProblem
from tracesguide.operators.normalize import id_key, name_key, text_key
from tracesguide.operators.records import Fields
from tracesguide.system.errors import DirectoryError, WriteError
from tracesguide.system.files import Unreadable, ensure_folder, open_regular, replacing

INDEX_FILE = "operators-index.sqlite"
# The index of versions before 0.x (one text file): read no more, replaced by an import.
LEGACY_INDEX_FILE = "operators-index.txt"
APPLICATION_ID = 0x54474F49  # "TGOI": a tracesguide operator index
# 2: the fields shown packed in one column (``fields``); an index of version 1 asks
# for an import again.
SCHEMA_VERSION = 2
# The index holds each operator about three times (fields, compared forms, trigrams).
MAX_INDEX_BYTES = 4 * MAX_FILE_BYTES
_SQLITE_MAGIC = b"SQLite format 3\x00"
_BATCH = 20000
_COLUMNS = "id, name_key, country_key, traces_key, reference_key, activities_key, fields"
# The fields of an operator shown (not searched) are packed in one text, joined by this
# separator: one value to bind, to pickle from the worker, and to read.
# A text holding it in one of its fields is stored as a JSON list instead.
_SEPARATOR = "\x1f"
_FIELD_COUNT = 11
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
    "CREATE TABLE slices (position INTEGER PRIMARY KEY, country TEXT NOT NULL, "
    "status TEXT NOT NULL, total NOT NULL, records NOT NULL)",
    "CREATE TABLE operators (id INTEGER PRIMARY KEY, name_key TEXT NOT NULL, "
    "country_key TEXT NOT NULL, traces_key TEXT NOT NULL, reference_key TEXT NOT NULL, "
    "activities_key TEXT NOT NULL, fields TEXT NOT NULL)",
)
_LOOKUPS = (
    "CREATE INDEX operators_traces ON operators (traces_key)",
    "CREATE INDEX operators_reference ON operators (reference_key)",
)
_PREFILTER = (
    "CREATE VIRTUAL TABLE names USING fts5(name_key, tokenize='trigram', "
    "content='operators', content_rowid='id', detail=none, columnsize=0)"
)
_INSERT = f"INSERT INTO operators ({_COLUMNS}) VALUES ({', '.join('?' * 7)})"
_INSERT_NAMES = (
    "INSERT INTO names (rowid, name_key) SELECT id, name_key FROM operators WHERE id >= ?"
)


def index_path() -> Path:
    from tracesguide.system.paths import data_dir

    return data_dir() / INDEX_FILE


@dataclass(frozen=True)
class SliceInfo:
    """A country × status of a download: records announced and kept."""

    country: str
    status: str
    total: int
    records: int

    def to_dict(self) -> dict[str, object]:
        return {
            "country": self.country,
            "status": self.status,
            "total": self.total,
            "records": self.records,
        }


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
    # Whether the index has the name prefilter (the trigram table).
    prefilter: bool = True

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


@dataclass(frozen=True)
class Described:
    """Where the operators of an index come from: a file, or a download."""

    origin: str
    origin_size: int | None = None
    origin_mtime: float | None = None
    fetch_url: str | None = None
    slices: Sequence[SliceInfo] = ()


# From this size on, the file is read in a forked worker process while this one writes
# the database (the reading and checking of rows is half the work, SQLite the other).
PARALLEL_MIN_BYTES = 4 << 20
# Rows per message from the worker (a batch is pickled, sent through a pipe, unpickled).
_WORKER_BATCH = 4000
# Of every three batches, how many the worker sends as fields for this process to make
# their table rows (:func:`_row`), by format: the work shared so that neither process
# waits for the other. A CSV row is cheap to read: the worker makes every row. A JSON
# record costs more to read than SQLite costs to write it: this process makes two rows
# in three (1 000 000 records, in process, taking turns: the worker's CPU time then
# 1.15× this process's, against 1.7× when it made every row).
_PARENT_ROWS = {"csv": 0, "json": 2}
# Batches received and not yet written, at most (a few MiB).
_WAITING_BATCHES = 16


def import_directory(
    source: Path, progress: ProgressCallback | None = None, target: Path | None = None
) -> ImportResult:
    """Read *source* once and write the index (default: in the user data folder).

    The operators are streamed from the file into the index (:func:`write_index`):
    memory holds a batch of rows, never the whole directory. Nothing is written when
    the file is refused. A large file is read in a worker process (where ``fork``
    exists) while this one writes: the same rows, the same errors, on two cores.
    """
    with open_directory(source, progress) as stream:
        origin = source.resolve()
        try:
            stat = origin.stat()
        except OSError as error:
            raise DirectoryError(
                t("operators.file_os_error", path=source, detail=error.strerror or error)
            ) from None
        described = Described(str(origin), stat.st_size, stat.st_mtime)
        with _collector_paused():
            if stat.st_size >= PARALLEL_MIN_BYTES and _can_fork():
                # The work is shared so that both cores are busy: the worker reads the
                # rows and makes most table rows (_PARENT_ROWS), this process writes SQLite.
                worker = _Worker(stream, progress)
                try:
                    info = write_index(_Prepared(worker.rows()), worker.skipped, described, target)
                finally:
                    worker.stop()
                return ImportResult(info, worker.problems, worker.skipped())
            info = write_index(stream.fields(), lambda: stream.skipped, described, target)
    return ImportResult(info, stream.problems, stream.skipped)


# Batches of rows between two collections of cycles while the collector is paused.
_COLLECT_EVERY = 64


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while an import runs (the rows make no cycle):
    it would go over every row waiting, and, in the forked worker, over every object
    inherited from this process, copying their pages. What existed before is frozen
    (never looked at again, in either process); :func:`_work` and :func:`_insert_all`
    still collect every :data:`_COLLECT_EVERY` batches, in case."""
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _can_fork() -> bool:
    import multiprocessing
    import os

    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


class _Prepared:
    """Rows of the ``operators`` table already made (by the worker): inserted as they are."""

    def __init__(self, rows: Iterator[tuple[object, ...]]) -> None:
        self.rows = rows


class _Worker:
    """A forked process reading the stream's rows and sending them a batch at a time,
    most rows made ready for the ``operators`` table there (:func:`_row`: the compared
    forms of the fields), so that this process mostly writes SQLite.

    Messages: ``("rows", [row...])``, ``("fields", [(number, fields)...])`` (rows for
    this process to make, :data:`_PARENT_ROWS`), ``("progress", done, total)``, then
    ``("end", skipped, problems)`` or ``("error", message, hint)``. The worker dies with
    its pipe: if this process is killed, its next send fails and it exits.
    """

    def __init__(self, stream: DirectoryStream, progress: ProgressCallback | None) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._progress = progress
        self._name = stream.name
        self._skipped = 0
        self.problems: list[RowProblem] = []
        self._process = context.Process(
            target=_work, args=(stream, sender, progress is not None), daemon=True
        )
        self._process.start()
        sender.close()
        # The pipe is drained by a thread (waiting for bytes releases the interpreter's
        # lock), so that the worker goes on reading while this process writes a batch:
        # a few batches wait here (bounded), not the worker.
        import queue
        import threading

        self._messages: queue.Queue[bytes | None] = queue.Queue(maxsize=_WAITING_BATCHES)
        self._stopping = threading.Event()
        self._drain = threading.Thread(target=self._receive, daemon=True)
        self._drain.start()

    def _receive(self) -> None:
        import queue

        while not self._stopping.is_set():
            try:
                data: bytes | None = self._receiver.recv_bytes()
            except (EOFError, OSError):
                data = None
            while not self._stopping.is_set():
                try:
                    self._messages.put(data, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if data is None:
                return

    def rows(self) -> Iterator[tuple[object, ...]]:
        import pickle

        while True:
            data = self._messages.get()
            if data is None:  # the worker died without a word (killed, out of memory)
                raise DirectoryError(t("operators.out_of_memory", name=self._name))
            message = pickle.loads(data)
            kind = message[0]
            if kind == "rows":
                yield from message[1]
            elif kind == "fields":
                yield from (_row(number, fields) for number, fields in message[1])
            elif kind == "progress":
                if self._progress is not None:
                    self._progress(message[1], message[2])
            elif kind == "end":
                self._skipped, self.problems = message[1], message[2]
                return
            else:
                raise DirectoryError(message[1], message[2])

    def skipped(self) -> int:
        return self._skipped

    def stop(self) -> None:
        self._stopping.set()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._drain.join()
        self._receiver.close()


def _work(stream: DirectoryStream, sender: Any, report_progress: bool) -> None:
    """The worker's body: read every row of *stream* and send them to the parent."""
    import pickle
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    def send(message: tuple[object, ...]) -> None:
        sender.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))

    # the callback is the parent's: here (done, total) is sent to it
    stream.progress = (
        (lambda done, total: send(("progress", done, total))) if report_progress else None
    )
    parent_rows = _PARENT_ROWS[stream.format]
    try:
        numbered = enumerate(stream.fields())
        sent = 0
        while batch := list(islice(numbered, _WORKER_BATCH)):
            if sent % 3 < parent_rows:
                send(("fields", batch))
            else:
                send(("rows", [_row(number, fields) for number, fields in batch]))
            sent += 1
            if sent % _COLLECT_EVERY == 0:
                gc.collect()
        send(("end", stream.skipped, stream.problems))
    except DirectoryError as error:
        send(("error", error.message, error.hint))
    except (BrokenPipeError, OSError):
        pass
    finally:
        sender.close()


def write_index(
    operators: Iterable[Operator] | Iterable[Fields] | _Prepared,
    skipped: int | Callable[[], int],
    described: Described,
    target: Path | None = None,
) -> IndexInfo:
    """Write the index of *operators*, reading them once, a batch at a time.

    The database is built in a temporary file beside *target* in one transaction and
    renamed over it once complete. *skipped* counts the rows left out (or says it, once
    the operators are read).
    """
    target = target or index_path()
    try:
        ensure_folder(target.parent)
    except WriteError as error:
        raise DirectoryError(
            t("operators.index_unwritable", path=target.parent, detail=error.message)
        ) from None
    imported_at = datetime.now(UTC).isoformat(timespec="seconds")
    with replacing(target) as temp:
        try:
            rows, count_skipped, prefilter = _build(
                temp, operators, skipped, described, imported_at
            )
        except sqlite3.Error as error:
            raise DirectoryError(
                t("operators.index_write_failed", path=target, detail=_sqlite_reason(error))
            ) from None
    legacy = target.with_name(LEGACY_INDEX_FILE)
    if target.name == INDEX_FILE and legacy.is_file():
        legacy.unlink(missing_ok=True)  # the old format: replaced by this one
    return IndexInfo(
        path=target,
        origin=described.origin,
        rows=rows,
        skipped=count_skipped,
        imported_at=imported_at,
        origin_size=described.origin_size,
        origin_mtime=described.origin_mtime,
        fetch=_fetch_mapping(described.fetch_url, described.slices),
        prefilter=prefilter,
    )


def _build(
    temp: Path,
    operators: Iterable[Operator] | Iterable[Fields] | _Prepared,
    skipped: int | Callable[[], int],
    described: Described,
    imported_at: str,
) -> tuple[int, int, bool]:
    connection = sqlite3.connect(temp, isolation_level=None)
    try:
        # The file is renamed into place only when complete: no journal is needed.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -65536")
        connection.execute("BEGIN")
        for statement in _SCHEMA:
            connection.execute(statement)
        try:
            connection.execute(_PREFILTER)
            prefilter = True
        except sqlite3.OperationalError:  # no FTS5 or no trigram tokenizer in this SQLite
            prefilter = False
        rows = _insert_all(connection, operators, prefilter)
        for statement in _LOOKUPS:
            connection.execute(statement)
        count_skipped = skipped() if callable(skipped) else skipped
        meta: dict[str, object] = {
            "origin": described.origin,
            "origin_size": described.origin_size,
            "origin_mtime": described.origin_mtime,
            "fetch_url": described.fetch_url,
            "imported_at": imported_at,
            "rows": rows,
            "skipped": count_skipped,
            "prefilter": "trigram" if prefilter else "none",
        }
        connection.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [(key, _stored(value)) for key, value in meta.items()],
        )
        connection.executemany(
            "INSERT INTO slices (position, country, status, total, records) VALUES (?, ?, ?, ?, ?)",
            [
                (n, _stored(s.country), _stored(s.status), _stored(s.total), _stored(s.records))
                for n, s in enumerate(described.slices)
            ],
        )
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    finally:
        connection.close()
    return rows, count_skipped, prefilter


def _insert_all(
    connection: sqlite3.Connection,
    operators: Iterable[Operator] | Iterable[Fields] | _Prepared,
    prefilter: bool,
) -> int:
    """Insert the operators and their trigrams a batch at a time; return how many.

    (A second thread writing the batches while this one reads was measured: no faster,
    the interpreter's lock being held to bind each row; a worker process reads large
    files instead, see :func:`import_directory`.)
    """
    rows = 0
    values: Iterator[tuple[object, ...]] = (
        operators.rows
        if isinstance(operators, _Prepared)
        else (
            _row(
                number,
                _fields(operator) if isinstance(operator, Operator) else cast(Fields, operator),
            )
            for number, operator in enumerate(operators)
        )
    )
    while batch := list(islice(values, _BATCH)):
        try:
            connection.executemany(_INSERT, batch)
        except UnicodeEncodeError:  # a lone surrogate (JSON "\ud800"): U+FFFD
            connection.executemany(_INSERT, [tuple(map(_repaired, row)) for row in batch])
        if prefilter:  # batch by batch: while a worker reads the next rows
            connection.execute(_INSERT_NAMES, (rows,))
        rows += len(batch)
        if rows % (_BATCH * _COLLECT_EVERY) == 0:
            gc.collect()
    return rows


def _fields(operator: Operator) -> Fields:
    return (
        operator.name,
        operator.traces_number,
        operator.address,
        operator.country,
        operator.activities,
        operator.reference,
        operator.status,
        operator.issuing_body,
        operator.categories,
        operator.issued_on,
        operator.expires_on,
    )


def _row(number: int, fields: Fields) -> tuple[object, ...]:
    """The row of the ``operators`` table: the compared forms of the fields (those of
    ``model.facet_values``; what repeats from row to row is worked out once), then the
    fields packed (:func:`_packed`)."""
    (name, traces, address, country, activities, reference, status, body, categories,
     issued, expires) = fields  # fmt: skip
    stored, activities_key = _activities(activities)
    return (
        number,
        name_key(name),
        _country_key(country),
        id_key(traces),
        id_key(reference),
        activities_key,
        _packed(
            (name, traces, address, country, stored, reference, status, body,
             _list(categories), issued, expires)
        ),
    )  # fmt: skip


def _packed(texts: tuple[str, ...]) -> str:
    """The fields as one text, joined by :data:`_SEPARATOR`, or, when one of them
    holds it, a JSON list (which never holds it: JSON writes it ``\\u001f``)."""
    packed = _SEPARATOR.join(texts)
    if packed.count(_SEPARATOR) == _FIELD_COUNT - 1:
        return packed
    return json.dumps(texts, ensure_ascii=False)


def _unpacked(packed: object) -> list[str]:
    """The fields of :func:`_packed`; a text that is neither form is a damaged index."""
    if not isinstance(packed, str):
        raise _corrupt()
    texts = packed.split(_SEPARATOR)
    if len(texts) == _FIELD_COUNT:
        return texts
    try:
        loaded = json.loads(packed)
    except (ValueError, RecursionError):
        raise _corrupt() from None
    if (
        not isinstance(loaded, list)
        or len(loaded) != _FIELD_COUNT
        or not all(isinstance(value, str) for value in loaded)
    ):
        raise _corrupt()
    return loaded


@lru_cache(maxsize=4096)
def _country_key(country: str) -> str:
    return id_key(country)


@lru_cache(maxsize=4096)
def _activities(values: tuple[str, ...]) -> tuple[str, str]:
    return _list(values), text_key(" ".join(values))


@lru_cache(maxsize=4096)
def _list(values: tuple[str, ...]) -> str:
    # Cached: the activities and categories of a directory repeat on most rows.
    return json.dumps(values, ensure_ascii=False) if values else "[]"


def _repaired(value: object) -> object:
    if isinstance(value, str):
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
    return value


def _stored(value: object) -> object:
    """A metadata value as SQLite keeps it exactly: text that UTF-8 cannot encode (a lone
    surrogate from the environment) as its bytes, an integer past 64 bits as text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogatepass")
        return value
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return f"int:{value}"
    return value


def _loaded_text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogatepass")
    return value if isinstance(value, str) else None


def _loaded_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.startswith("int:"):
        try:
            return int(value[4:])
        except ValueError:
            return None
    return None


def _fetch_mapping(url: str | None, slices: Sequence[SliceInfo]) -> dict[str, object] | None:
    if url is None:
        return None
    return {"url": url, "slices": [s.to_dict() for s in slices]}


# --- reading -----------------------------------------------------------------------------


def _sqlite_reason(error: sqlite3.Error) -> str:
    """SQLite's reason for a failed write in the user's language (its own text is English)."""
    text = str(error).lower()
    for words, key in (
        ("full", "files.no_space"),
        ("readonly", "files.read_only"),
        ("read-only", "files.read_only"),
        ("disk i/o", "files.io_error"),
        ("unable to open", "files.denied"),
    ):
        if words in text:
            return t(key)
    return str(error)


def _corrupt(key: str = "operators.index_corrupt") -> DirectoryError:
    return DirectoryError(t(key), t("operators.index_hint"))


def _unreadable(error: Unreadable) -> DirectoryError:
    if error.reason == "too_big":
        return _corrupt("operators.index_too_big_to_read")
    if error.reason == "not_regular":
        return _corrupt("operators.index_not_regular")
    return DirectoryError(t("operators.index_unreadable", path=error.path, detail=error.detail))


def _check_file(path: Path) -> bool:
    """Check the file before SQLite opens it; False when there is no index."""
    try:
        with open_regular(path, MAX_INDEX_BYTES) as handle:
            head = handle.read(100)
            size = handle.seek(0, 2)
    except Unreadable as error:
        if error.reason == "missing":
            return False
        raise _unreadable(error) from None
    except OSError as error:
        raise DirectoryError(
            t("operators.index_unreadable", path=path, detail=error.strerror or error)
        ) from None
    if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
        if head.startswith(b'{"format": "tracesguide-operators-index"'):
            raise _corrupt("operators.index_old_format")
        raise _corrupt()
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise _corrupt("operators.index_foreign")
    version = int.from_bytes(head[60:64], "big", signed=True)
    if version > SCHEMA_VERSION:
        raise DirectoryError(t("operators.index_newer"), t("operators.index_newer_hint"))
    if version < 1:
        raise _corrupt()
    if version < SCHEMA_VERSION:  # written by an earlier tracesguide: import again
        raise _corrupt("operators.index_old_format")
    # A complete database says its own size (the change counters agree): a file cut
    # short, or grown, is not one we wrote.
    if head[24:28] != head[92:96] or pages * page_size != size:
        raise _corrupt("operators.index_incomplete")
    return True


class SqliteIndex:
    """An open index: the queries a search makes (see :mod:`tracesguide.operators.match`).

    Every SQLite error becomes :class:`DirectoryError` (a damaged index).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        uri = path.absolute().as_uri() + "?mode=ro&immutable=1"
        try:
            self.connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            meta = dict(self._all("SELECT key, value FROM meta"))
            slices = self._all(
                "SELECT country, status, total, records FROM slices ORDER BY position"
            )
        except sqlite3.Error:
            raise _corrupt() from None
        self.info = _info(path, meta, slices)
        self.rows = self.info.rows
        self.prefilter = self.info.prefilter

    def _all(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.connection.execute(sql, params).fetchall()
        except (sqlite3.Error, MemoryError, OverflowError):
            raise _corrupt() from None

    def operators(self, ids: Sequence[int]) -> list[Operator]:
        """The operators with these *ids*, in this order."""
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        found = {
            row[0]: _operator(row)
            for row in self._all(f"SELECT {_COLUMNS} FROM operators WHERE id IN ({marks})", ids)
        }
        if len(found) != len(set(ids)):
            raise _corrupt()
        return [found[i] for i in ids]

    def operator(self, position: int) -> Operator:
        if not 0 <= position < self.rows:
            raise IndexError(position)
        return self.operators([position])[0]

    def __iter__(self) -> Iterator[Operator]:
        last = -1
        while True:
            rows = self._all(
                f"SELECT {_COLUMNS} FROM operators WHERE id > ? ORDER BY id LIMIT ?",
                (last, _BATCH),
            )
            if not rows:
                return
            for row in rows:
                yield _operator(row)
            last = int(rows[-1][0])

    def by_identifier(
        self, wanted: str, where: str, params: Sequence[object]
    ) -> list[tuple[int, bool]]:
        """(id, whether it is the TRACES number) of the operators with this identifier."""
        clause = "(traces_key = ? OR reference_key = ?)" + (f" AND {where}" if where else "")
        rows = self._all(
            f"SELECT id, traces_key = ? FROM operators WHERE {clause} ORDER BY id",
            (wanted, wanted, wanted, *params),
        )
        return [(int(i), bool(is_number)) for i, is_number in rows]

    def first_by_name(self, limit: int, where: str, params: Sequence[object]) -> list[int]:
        clause = f"WHERE {where}" if where else ""
        return [
            int(i)
            for (i,) in self._all(
                f"SELECT id FROM operators {clause} ORDER BY name_key, id LIMIT ?",
                (*params, limit),
            )
        ]

    def keys_of(self, ids: Sequence[int]) -> list[str]:
        found: dict[int, str] = {}
        for start in range(0, len(ids), 900):
            part = ids[start : start + 900]
            marks = ", ".join("?" * len(part))
            for i, key in self._all(
                f"SELECT id, name_key FROM operators WHERE id IN ({marks})", part
            ):
                found[int(i)] = str(key)
        return [found.get(i, "") for i in ids]

    def candidates(
        self, expression: str, where: str, params: Sequence[object]
    ) -> tuple[list[int], list[str]]:
        """The ids and names whose name matches the trigram *expression*, in id order."""
        clause = f" AND {where}" if where else ""
        rows = self._all(
            "SELECT id, name_key FROM operators WHERE id IN "
            f"(SELECT rowid FROM names WHERE names MATCH ?){clause} ORDER BY id",
            (expression, *params),
        )
        return [int(i) for i, _ in rows], [str(k) for _, k in rows]

    def key_chunks(
        self, where: str, params: Sequence[object], size: int = 65536
    ) -> Iterator[tuple[list[int], list[str]]]:
        """Every (id, name) that passes *where*, in id order, *size* at a time."""
        last = -1
        clause = f" AND {where}" if where else ""
        while True:
            rows = self._all(
                f"SELECT id, name_key FROM operators WHERE id > ?{clause} ORDER BY id LIMIT ?",
                (last, *params, size),
            )
            if not rows:
                return
            yield [int(i) for i, _ in rows], [str(k) for _, k in rows]
            last = int(rows[-1][0])


def _operator(row: Sequence[object]) -> Operator:
    values = _unpacked(row[6])
    return Operator(
        name=values[0],
        traces_number=values[1],
        address=values[2],
        country=values[3],
        activities=_loaded_list(values[4]),
        reference=values[5],
        status=values[6],
        issuing_body=values[7],
        categories=_loaded_list(values[8]),
        issued_on=values[9],
        expires_on=values[10],
    )


def _loaded_list(text: str) -> tuple[str, ...]:
    if text == "[]":
        return ()
    try:
        values = json.loads(text)
    except (ValueError, RecursionError):
        values = None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _corrupt()
    return tuple(values)


def _info(
    path: Path, meta: Mapping[object, object], slices: Sequence[Sequence[object]]
) -> IndexInfo:
    rows = _loaded_int(meta.get("rows"))
    if rows is None or rows < 0:
        raise _corrupt()
    size = _loaded_int(meta.get("origin_size"))
    mtime = meta.get("origin_mtime")
    url = _loaded_text(meta.get("fetch_url"))
    loaded: list[SliceInfo] = []
    for country, status, total, records in slices:
        texts = (_loaded_text(country), _loaded_text(status))
        numbers = (_loaded_int(total), _loaded_int(records))
        if texts[0] is None or texts[1] is None or numbers[0] is None or numbers[1] is None:
            raise _corrupt()
        loaded.append(SliceInfo(texts[0], texts[1], numbers[0], numbers[1]))
    return IndexInfo(
        path=path,
        origin=_loaded_text(meta.get("origin")) or "",
        rows=rows,
        skipped=_loaded_int(meta.get("skipped")) or 0,
        imported_at=_loaded_text(meta.get("imported_at")) or "",
        origin_size=size,
        origin_mtime=float(mtime) if isinstance(mtime, int | float) else None,
        fetch=_fetch_mapping(url, loaded),
        prefilter=meta.get("prefilter") == "trigram",
    )


def _legacy(path: Path) -> None:
    """An index of the old text format where the database should be: import again."""
    legacy = path.with_name(LEGACY_INDEX_FILE)
    if path.name == INDEX_FILE and legacy.is_file():
        raise _corrupt("operators.index_old_format")


def open_index(path: Path | None = None) -> SqliteIndex | None:
    """The index, open for reading, or None when nothing was imported."""
    path = path or index_path()
    if not _check_file(path):
        _legacy(path)
        return None
    return SqliteIndex(path)


def read_index_info(path: Path | None = None) -> IndexInfo | None:
    """What the index says of itself, or None when nothing was imported."""
    index = open_index(path)
    if index is None:
        return None
    index.connection.close()
    return index.info


def load_index(path: Path | None = None) -> Directory | None:
    """Open the index for searching, or None when nothing was imported."""
    index = open_index(path)
    if index is None:
        return None
    info = index.info
    return Directory.from_index(
        index,
        DirectorySource("index", index.path, imported_at=info.imported_at, origin=info.origin),
    )
