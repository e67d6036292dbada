"""Download the public TRACES NT directory of organic operator certificates into the index.

The directory's page (no sign-in) loads its records as JSON from
``{base}/for/query?max=100&offset=N&states=ISSUED&countryCode=FR&sort=-issuedOn`` and
gives the total of the query in the ``documentfoundcount`` header. Observed, not
documented by the Commission: one query answers HTTP 500 past about 10 000 records, so
queries are sliced by country and status, and a slice over the limit is read from both
ends (newest first, then oldest first), which reaches up to twice the limit.

Polite: one request at a time, a pause between requests, retries with a growing pause
on timeouts, connection errors, 5xx and damaged answers, an identifying User-Agent.
Every page is validated record by record as ``operators import`` validates JSON, saved
(:mod:`tracesguide.operators.partial`), and the index is replaced only once every slice
is complete. httpx is imported here only, when a download starts.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from tracesguide import __version__
from tracesguide.operators.formats import validate_record
from tracesguide.operators.index import Described, IndexInfo, SliceInfo, index_path, write_index
from tracesguide.operators.model import Operator, RowProblem
from tracesguide.operators.partial import PARTIAL_DIR, Page, PartialStore
from tracesguide.system.errors import DirectoryError, Interrupted

if TYPE_CHECKING:
    import ssl

    import httpx

DEFAULT_BASE_URL = "https://webgate.ec.europa.eu/tracesnt/directory/publication/organic-operator"
URL_ENV = "TRACESGUIDE_DIRECTORY_URL"
PAGE_SIZE = 100
QUERY_LIMIT = 10_000
MAX_PAGE_BYTES = 16 * 2**20
USER_AGENT = f"tracesguide/{__version__} (TRACES NT access guide for organic importers; httpx)"
# The fields of a record, as the directory sends them, and the JSON types each may have.
RECORD_SHAPE: dict[str, tuple[type, ...]] = {
    "id": (int, str),
    "reference": (str,),
    "operatorIdentifier": (str, type(None)),
    "status": (dict, str),
    "issuingBody": (dict, str, type(None)),
    "operator": (dict,),
    "activities": (list, type(None)),
    "categoriesOfProduct": (list, type(None)),
    "issuedOn": (str, type(None)),
    "expiresOn": (str, type(None)),
}

FetchProgress = Callable[[str, int, int], None]
"""Called with (slice label, records done, records announced so far)."""


@dataclass(frozen=True)
class Settings:
    """Where and how politely to download."""

    base_url: str = DEFAULT_BASE_URL
    delay: float = 0.3
    timeout: float = 30.0
    retries: int = 3

    @property
    def query_url(self) -> str:
        return self.base_url.rstrip("/") + "/for/query"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url


def base_url_from_env() -> str:
    """``TRACESGUIDE_DIRECTORY_URL`` when set (tests, mirrors), else the public directory."""
    from tracesguide.i18n import t

    url = os.environ.get(URL_ENV, "").strip() or DEFAULT_BASE_URL
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise DirectoryError(t("fetch.bad_url", env=URL_ENV, url=url), t("fetch.bad_url_hint"))
    return url


@dataclass(frozen=True)
class Slice:
    """One query: a country, a status, and the order the pages come in."""

    country: str
    status: str
    order: Literal["desc", "asc"] = "desc"

    @property
    def key(self) -> str:
        return f"{self.country}-{self.status}-{self.order}"

    def label(self) -> str:
        from tracesguide.i18n import t

        text = f"{self.country} {self.status}"
        return text + t("fetch.oldest_first") if self.order == "asc" else text

    def params(self, offset: int) -> dict[str, str | int]:
        return {
            "max": PAGE_SIZE,
            "offset": offset,
            "states": self.status,
            "countryCode": self.country,
            "sort": "-issuedOn" if self.order == "desc" else "issuedOn",
        }


@dataclass
class SliceCount:
    """A country × status: records announced, reached and kept (after duplicates)."""

    country: str
    status: str
    total: int = 0
    records: int = 0

    @property
    def unreachable(self) -> int:
        return max(0, self.total - 2 * QUERY_LIMIT)


@dataclass(frozen=True)
class FetchResult:
    info: IndexInfo
    slices: list[SliceCount]
    problems: list[RowProblem]
    resumed_records: int = 0


class PageFailed(Exception):
    """An answer that is not a page of records (retried, then reported)."""

    def __init__(self, reason: str, retry: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass
class _Run:
    """One download: the HTTP client, the pages saved, what to show."""

    client: httpx.Client
    settings: Settings
    store: PartialStore
    pages: dict[tuple[str, int], Page]
    progress: FetchProgress | None
    announced: int = 0
    done: int = 0
    requests: int = 0
    counts: list[SliceCount] = field(default_factory=list)

    def page(self, part: Slice, offset: int) -> Page:
        saved = self.pages.get((part.key, offset))
        if saved is None:
            saved = self._download(part, offset)
            self.store.save(saved)
            self.pages[(part.key, offset)] = saved
        return saved

    def _download(self, part: Slice, offset: int) -> Page:
        import httpx

        from tracesguide.i18n import t

        failure = PageFailed("")
        connection_only = True
        for attempt in range(self.settings.retries + 1):
            pause = self.settings.delay if self.requests else 0.0
            if attempt:
                pause = max(pause, self.settings.delay * 4 * 2 ** (attempt - 1))
            time.sleep(pause)
            self.requests += 1
            try:
                return self._get(part, offset)
            except httpx.ConnectError:
                failure = PageFailed(t("fetch.offline", host=self.settings.host))
                continue
            except httpx.TimeoutException:
                failure = PageFailed(t("fetch.reason_timeout", seconds=self.settings.timeout))
            except httpx.TransportError as error:
                failure = PageFailed(t("fetch.reason_truncated", detail=type(error).__name__))
            except PageFailed as failed:
                failure = failed
                if not failed.retry:
                    connection_only = False
                    break
            connection_only = False
        if connection_only:
            raise _Offline(failure.reason)
        where = t("fetch.page_where", slice=part.label(), page=_page_number(offset), offset=offset)
        raise PageFailed(f"{where} : {failure.reason}")

    def _get(self, part: Slice, offset: int) -> Page:
        from tracesguide.i18n import t

        with self.client.stream("GET", self.settings.query_url, params=part.params(offset)) as r:
            if r.status_code >= 500 or r.status_code == 429:
                raise PageFailed(t("fetch.reason_http", code=r.status_code))
            if r.status_code >= 400:
                raise PageFailed(t("fetch.reason_refused", code=r.status_code), retry=False)
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > MAX_PAGE_BYTES:
                    raise PageFailed(t("fetch.reason_too_big", mib=MAX_PAGE_BYTES // 2**20))
            content_type = r.headers.get("content-type", "")
            total_header = r.headers.get("documentfoundcount", "")
        if "html" in content_type or bytes(body[:512]).lstrip()[:1] == b"<":
            raise PageFailed(t("fetch.reason_html"))
        try:
            document = json.loads(bytes(body).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise PageFailed(t("fetch.reason_json")) from None
        if not isinstance(document, list):
            raise PageFailed(t("fetch.reason_not_list"))
        try:
            total = int(total_header.strip())
        except ValueError:
            total = -1
        if total < 0:
            raise PageFailed(t("fetch.reason_no_total"))
        return _page(part, offset, total, document)


class _Offline(Exception):
    """Every attempt failed to connect."""


def _page_number(offset: int) -> int:
    return offset // PAGE_SIZE + 1


def _page(part: Slice, offset: int, total: int, document: list[object]) -> Page:
    """Validate a page's records; a bad record is skipped and reported with its place."""
    from tracesguide.i18n import t

    records: list[tuple[str, Operator]] = []
    problems: list[RowProblem] = []
    label, page = part.label(), _page_number(offset)
    for number, record in enumerate(document, start=1):
        where = t("fetch.record_where", slice=label, page=page, record=number)
        shape = _shape_problem(record)
        if shape:
            problems.append(RowProblem(where, shape))
            continue
        assert isinstance(record, dict)
        checked = validate_record(record, where)
        if isinstance(checked, RowProblem):
            problems.append(checked)
        else:
            records.append((str(record["id"]).strip()[:200], checked))
    return Page(part.key, offset, total, records, problems)


def _shape_problem(record: object) -> str:
    from tracesguide.i18n import t

    if not isinstance(record, dict):
        return t("fetch.not_an_object")
    for name, types in RECORD_SHAPE.items():
        if name not in record:
            return t("fetch.field_missing", field=name)
        if not isinstance(record[name], types) or isinstance(record[name], bool):
            return t("fetch.field_changed", field=name)
    return ""


def _fetch_slice(run: _Run, country: str, status: str) -> SliceCount:
    count = SliceCount(country, status)
    newest = Slice(country, status, "desc")
    first = run.page(newest, 0)
    count.total = first.total
    run.announced += first.total
    plan = [(newest, offset) for offset in range(0, min(first.total, QUERY_LIMIT), PAGE_SIZE)]
    if first.total > QUERY_LIMIT:
        # The rest from the other end, with one page of overlap (duplicates are dropped).
        oldest = Slice(country, status, "asc")
        reach = min(first.total - QUERY_LIMIT + PAGE_SIZE, QUERY_LIMIT)
        plan += [(oldest, offset) for offset in range(0, reach, PAGE_SIZE)]
    for part, offset in plan:
        page = run.page(part, offset)
        run.done += len(page.records) + len(page.problems)
        if run.progress is not None:
            run.progress(part.label(), run.done, run.announced)
        if not page.records and not page.problems:
            break  # fewer records than announced: the slice ends here
    return count


def fetch_directory(
    countries: Sequence[str],
    statuses: Sequence[str],
    settings: Settings,
    *,
    progress: FetchProgress | None = None,
    restart: bool = False,
) -> FetchResult:
    """Download every slice, then replace the index (see the module's docstring).

    One download at a time per data folder: a second one is refused, never mixed in."""
    from filelock import FileLock, Timeout

    from tracesguide.i18n import t
    from tracesguide.system.paths import data_dir

    folder = data_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = FileLock(str(folder / (PARTIAL_DIR + ".lock")), mode=0o600)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise DirectoryError(t("fetch.busy"), t("fetch.busy_hint")) from None
    try:
        return _fetch_locked(countries, statuses, settings, progress, restart)
    finally:
        lock.release()


def _fetch_locked(
    countries: Sequence[str],
    statuses: Sequence[str],
    settings: Settings,
    progress: FetchProgress | None,
    restart: bool,
) -> FetchResult:
    import httpx

    from tracesguide.i18n import t
    from tracesguide.system.paths import data_dir

    store = PartialStore(data_dir() / PARTIAL_DIR, {"url": settings.query_url})
    pages = store.open(restart)
    wanted = {(c, s) for c in countries for s in statuses}
    resumed = _kept(page for page in pages.values() if _slice_of(page) in wanted)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    timeout = httpx.Timeout(settings.timeout)
    with httpx.Client(
        headers=headers, timeout=timeout, follow_redirects=True, verify=_verify(settings.query_url)
    ) as client:
        run = _Run(client, settings, store, pages, progress)
        try:
            counts = [_fetch_slice(run, c, s) for c in countries for s in statuses]
        except KeyboardInterrupt:
            raise Interrupted(
                t("fetch.interrupted", records=_number(_kept(run.pages.values()))),
                t("fetch.resume_hint"),
            ) from None
        except _Offline as offline:
            raise DirectoryError(str(offline), _kept_hint(run.pages.values(), "")) from None
        except PageFailed as failed:
            hint = t("fetch.retry_hint")
            raise DirectoryError(failed.reason, _kept_hint(run.pages.values(), hint)) from None
    operators, problems = _collect(run.pages.values(), counts)
    if not operators:
        raise DirectoryError(
            t("fetch.nothing_usable", url=settings.query_url), t("fetch.format_hint")
        )
    described = Described(
        settings.base_url,
        fetch_url=settings.query_url,
        slices=[SliceInfo(c.country, c.status, c.total, c.records) for c in counts],
    )
    info = write_index(operators, len(problems), described, index_path())
    store.discard()
    return FetchResult(info, counts, problems, resumed)


def _verify(url: str) -> ssl.SSLContext | bool:
    """For a plain ``http://`` URL (a mirror, the tests), a TLS context without the
    certificate store: loading it is a third of a small download's time. It trusts no
    certificate, so a redirect to ``https://`` fails its verification, never passes it."""
    if urlsplit(url).scheme != "http":
        return True  # httpx's default: the certificate store
    import ssl

    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _slice_of(page: Page) -> tuple[str, str]:
    country, status, _ = page.slice_key.rsplit("-", 2)
    return country, status


def _kept(pages: Iterable[Page]) -> int:
    return sum(len(page.records) for page in pages)


def _kept_hint(pages: Iterable[Page], otherwise: str) -> str | None:
    from tracesguide.i18n import t

    kept = _kept(pages)
    return t("fetch.kept_hint", records=_number(kept)) if kept else otherwise or None


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _collect(
    pages: Iterable[Page], counts: list[SliceCount]
) -> tuple[list[Operator], list[RowProblem]]:
    """Every operator once (a record seen in two slices or twice in one is kept once)."""
    by_slice = {(c.country, c.status): c for c in counts}
    seen: set[str] = set()
    operators: list[Operator] = []
    problems: list[RowProblem] = []
    for page in sorted(pages, key=lambda p: (p.slice_key, p.offset)):
        count = by_slice.get(_slice_of(page))
        if count is None:
            continue
        problems.extend(page.problems)
        for ident, operator in page.records:
            if ident in seen:
                continue
            seen.add(ident)
            operators.append(operator)
            count.records += 1
    return operators, problems
