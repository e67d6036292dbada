"""What a download has fetched so far: one private file per page, kept until it completes.

``operators fetch`` saves every page it validated in a private folder of the user data
folder (``operators-fetch.partial/``, mode 0700), each page written atomically. Ctrl-C, a
lost connection or a server error leave the pages already saved; the next ``fetch`` from the
same URL within a week reads them back and asks only for the others (a slice fetched
for other countries or statuses is reused too). The folder is removed once the index
is written.

A page file is one JSON header line (slice, offset, total announced, problems found),
then one line per record: its identifier, a tab, the operator as the index stores it.
The files are ours but live on disk: a page that does not read back is fetched again.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tracesguide.operators.model import Operator, RowProblem
from tracesguide.system.files import Unreadable, read_regular, write_atomic

PARTIAL_DIR = "operators-fetch.partial"
PLAN_FILE = "plan.json"
_PLAN_VERSION = 1
MAX_PAGE_FILE_BYTES = 8 * 2**20
# Pages older than this are fetched again: the directory changes every day.
MAX_AGE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Page:
    """One validated page of a slice: its records (identifier, operator) and problems."""

    slice_key: str
    offset: int
    total: int
    records: list[tuple[str, Operator]]
    problems: list[RowProblem]


class PartialStore:
    """The pages of one download in progress (see the module's docstring)."""

    def __init__(self, folder: Path, plan: dict[str, object]) -> None:
        self.folder = folder
        self.plan = {"version": _PLAN_VERSION, **plan}

    def open(self, restart: bool = False) -> dict[tuple[str, int], Page]:
        """Create the folder, or read back the pages saved from the same URL; pages from
        another URL, or older than a week, are discarded."""
        if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
            self.folder.unlink()  # never written through a link, nor kept as a file
        if restart or self._saved_plan() != self.plan or self._stale():
            self.discard()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        plan_file = self.folder / PLAN_FILE
        if not plan_file.exists():
            write_atomic(plan_file, [json.dumps(self.plan, ensure_ascii=False).encode("utf-8")])
        return {(page.slice_key, page.offset): page for page in self._pages()}

    def _saved_plan(self) -> object:
        try:
            return json.loads(read_regular(self.folder / PLAN_FILE, 1 << 16))
        except (Unreadable, ValueError):
            return None

    def _stale(self) -> bool:
        try:
            age = time.time() - (self.folder / PLAN_FILE).stat().st_mtime
        except OSError:
            return False
        return age > MAX_AGE_SECONDS

    def _pages(self) -> Iterator[Page]:
        for path in sorted(self.folder.glob("page-*.txt")):
            page = _read_page(path)
            if page is None:  # damaged (or a folder, a link): fetched again
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            else:
                yield page

    def save(self, page: Page) -> None:
        head = {
            "slice": page.slice_key,
            "offset": page.offset,
            "total": page.total,
            "problems": [[p.location, p.message] for p in page.problems],
        }
        lines = [json.dumps(head, ensure_ascii=False) + "\n"]
        lines += [f"{ident}\t{_encode(operator)}\n" for ident, operator in page.records]
        path = self.folder / f"page-{page.slice_key}-{page.offset:07d}.txt"
        write_atomic(path, [line.encode("utf-8") for line in lines])

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _read_page(path: Path) -> Page | None:
    try:
        lines = read_regular(path, MAX_PAGE_FILE_BYTES).decode("utf-8").split("\n")
        head = json.loads(lines[0])
        slice_key, offset, total = head["slice"], head["offset"], head["total"]
        problems = [RowProblem(str(where), str(why)) for where, why in head["problems"]]
        if not (isinstance(slice_key, str) and isinstance(offset, int) and isinstance(total, int)):
            return None
        if slice_key.count("-") != 2:  # country-status-order
            return None
        records: list[tuple[str, Operator]] = []
        for line in lines[1:-1]:
            ident, _, encoded = line.partition("\t")
            records.append((ident, _decode(encoded)))
        if lines[-1]:
            return None
    except (Unreadable, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
        return None  # ValueError: _decode found a damaged line
    return Page(slice_key, offset, total, records, problems)


_FIELDS = 11


def _encode(operator: Operator) -> str:
    """An operator as one line of a page file: a JSON array of its fields."""
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
        ]
    )  # ASCII: a lone surrogate (JSON "\ud800") stays an escape, and reads back


def _decode(line: str) -> Operator:
    """The operator of a page line; ValueError when the line is damaged."""
    values = json.loads(line)
    if (
        not isinstance(values, list)
        or len(values) != _FIELDS
        or not all(isinstance(values[i], str) for i in (0, 1, 2, 3, 5, 6, 7, 9, 10))
        or not all(
            isinstance(values[i], list) and all(isinstance(v, str) for v in values[i])
            for i in (4, 8)
        )
    ):
        raise ValueError(line[:40])
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
