"""The values of the operator directory: operators, search matches, a loaded directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol, overload

from tracesguide.operators.normalize import id_key, name_key, text_key

SourceKind = Literal["file", "env", "index", "sample"]
MatchedOn = Literal["traces_number", "reference", "name", "filters"]


@dataclass(frozen=True)
class Operator:
    """One operator of the directory.

    Every string comes from a file someone else wrote: it is untrusted. Pass it
    through ``tracesguide.system.sanitize.inert(..., single_line=True)`` before display.
    ``country`` is an ISO code when it could be recognised, else the text found.
    """

    name: str
    traces_number: str = ""
    address: str = ""
    country: str = ""
    activities: tuple[str, ...] = ()
    reference: str = ""
    status: str = ""
    issuing_body: str = ""
    categories: tuple[str, ...] = ()
    issued_on: str = ""
    expires_on: str = ""

    def to_dict(self) -> dict[str, str | list[str]]:
        return {
            "name": self.name,
            "traces_number": self.traces_number,
            "address": self.address,
            "country": self.country,
            "activities": list(self.activities),
            "reference": self.reference,
            "status": self.status,
            "issuing_body": self.issuing_body,
            "categories": list(self.categories),
            "issued_on": self.issued_on,
            "expires_on": self.expires_on,
        }


@dataclass(frozen=True)
class Match:
    """A search result: the operator, a score from 0 to 100 and what matched."""

    operator: Operator
    score: float
    matched_on: MatchedOn = "name"
    # A name match found by comparing every name (no index, or too few candidates in
    # the index's prefilter); not part of equality: the same match either way.
    full_scan: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class RowProblem:
    """A row skipped while reading a directory: where (line or index) and why."""

    location: str
    message: str


@dataclass(frozen=True)
class DirectorySource:
    """Where a loaded directory comes from."""

    kind: SourceKind
    path: Path | None = None
    imported_at: str | None = None
    origin: str | None = None

    def describe(self) -> str:
        """One line for the user (paths are untrusted: sanitise before display)."""
        from tracesguide.i18n import t

        if self.kind == "sample":
            return t("operators.source_sample")
        if self.kind == "index":
            origin = self.origin or "?"
            if self.imported_at:
                return t("operators.source_index_at", origin=origin, at=self.imported_at)
            return t("operators.source_index", origin=origin)
        if self.kind == "env":
            return t("operators.source_env", path=self.path)
        return t("operators.source_file", path=self.path)


# Countries and activities repeat across thousands of rows: normalise each once.
_country_key = lru_cache(maxsize=4096)(id_key)
_activities_key = lru_cache(maxsize=4096)(text_key)


def facet_values(operator: Operator) -> tuple[str, str, str, str]:
    """Country, TRACES number, reference and activities in their compared forms."""
    return (
        _country_key(operator.country),
        id_key(operator.traces_number),
        id_key(operator.reference),
        _activities_key(" ".join(operator.activities)),
    )


def facet_line(operator: Operator) -> str:
    """:func:`facet_values` tab-separated: one string per operator, split only by the
    filters that need it."""
    return "\t".join(facet_values(operator))


class Store(Protocol):
    """An index on disk that answers a search's queries itself (``operators.index``)."""

    rows: int

    def operator(self, position: int) -> Operator: ...
    def __iter__(self) -> Iterator[Operator]: ...


@dataclass(frozen=True, eq=False)
class Directory:
    """A directory ready to search.

    ``keys[i]`` is the normalised name of operator ``i`` and ``facets[i]`` its
    :func:`facet_line`; ``fetch(i)`` builds the full :class:`Operator`. A directory
    loaded from the index has a ``store``: the search asks it (SQL) rather than these
    lists, and builds only the operators it returns.
    """

    source: DirectorySource
    keys: Sequence[str]
    facets: Sequence[str]
    fetch: Callable[[int], Operator]
    problems: tuple[RowProblem, ...] = field(default=())
    skipped: int = 0  # rows skipped in all; ``problems`` keeps the first ones
    store: Store | None = None

    def __len__(self) -> int:
        return self.store.rows if self.store is not None else len(self.keys)

    def __iter__(self) -> Iterator[Operator]:
        if self.store is not None:
            return iter(self.store)
        return (self.fetch(i) for i in range(len(self.keys)))

    @classmethod
    def from_index(cls, store: Store, source: DirectorySource) -> Directory:
        def keys() -> list[str]:
            return [name_key(op.name) for op in store]

        def facets() -> list[str]:
            return [facet_line(op) for op in store]

        return cls(
            source=source,
            keys=LazyLines(keys),
            facets=LazyLines(facets),
            fetch=store.operator,
            store=store,
        )

    @classmethod
    def from_operators(
        cls,
        operators: Sequence[Operator],
        source: DirectorySource,
        problems: Sequence[RowProblem] = (),
        skipped: int | None = None,
    ) -> Directory:
        return cls(
            source=source,
            keys=[name_key(op.name) for op in operators],
            facets=LazyLines(lambda: [facet_line(op) for op in operators]),
            fetch=operators.__getitem__,
            problems=tuple(problems),
            skipped=len(problems) if skipped is None else skipped,
        )


class LazyLines(Sequence[str]):
    """Lines computed on first use: a search by name alone never needs the facets."""

    def __init__(self, compute: Callable[[], list[str]]) -> None:
        self._compute = compute
        self._lines: list[str] | None = None

    def _get(self) -> list[str]:
        if self._lines is None:
            self._lines = self._compute()
        return self._lines

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())
