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

import contextlib
import json
import os
import threading
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
    max_time: float = 6 * 3600.0  # the whole download, every page and pause included

    @property
    def query_url(self) -> str:
        return self.base_url.rstrip("/") + "/for/query"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc or self.base_url

    @property
    def origin(self) -> tuple[str, str, int]:
        return _origin(self.base_url)


def base_url_from_env() -> str:
    """``TRACESGUIDE_DIRECTORY_URL`` when set (tests, mirrors), else the public directory."""
    return check_url(os.environ.get(URL_ENV, "").strip() or DEFAULT_BASE_URL)


def check_url(url: str, env: str = URL_ENV, hint_key: str = "fetch.bad_url_hint") -> str:
    """*url* if it is a usable directory address, else a one-line ``DirectoryError``.

    http or https, a host, a port that is a number, no spaces nor control characters,
    and no user name or password: credentials are refused, never echoed nor stored.
    *env* is the variable named in the errors, *hint_key* the catalog's example."""
    from tracesguide.i18n import t
    from tracesguide.system.errors import shorten

    hint = t(hint_key)
    if any(ord(c) < 0x21 or 0x7F <= ord(c) <= 0x9F for c in url) or len(url) > 2000:
        raise DirectoryError(t("fetch.bad_url_chars", env=env), hint)
    authority = url.split("#")[0].split("?")[0].split("/")[2:3]
    if "@" in "".join(authority):  # user:password@host: never echoed, never stored
        raise DirectoryError(t("fetch.url_credentials", env=env), t("fetch.url_credentials_hint"))
    bad = DirectoryError(t("fetch.bad_url", env=env, url=shorten(url, 200)), hint)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not host or port == 0 or "@" in parts.netloc:
        raise bad
    return url


def _origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of *url*, the port made explicit; ValueError if unreadable."""
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


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
    deadline: float = float("inf")
    sockets: list[object] = field(default_factory=list)  # the connection now open

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
            time.sleep(min(pause, max(0.0, self.deadline - time.monotonic())))
            if time.monotonic() >= self.deadline:
                raise _RunTimeout(t("fetch.run_timeout", seconds=_seconds(self.settings.max_time)))
            self.requests += 1
            page_deadline = min(time.monotonic() + self.settings.timeout, self.deadline)
            watch = _Watch(page_deadline, self.sockets)
            try:
                with watch:
                    return self._get(part, offset, watch)
            except httpx.ConnectError:
                if watch.expired:
                    failure = PageFailed(t("fetch.reason_timeout", seconds=self._timeout_shown()))
                    connection_only = False
                    continue
                failure = PageFailed(t("fetch.offline", host=self.settings.host))
                continue
            except httpx.TimeoutException:
                failure = PageFailed(t("fetch.reason_timeout", seconds=self._timeout_shown()))
            except httpx.HTTPError as error:
                if watch.expired:
                    failure = PageFailed(t("fetch.reason_timeout", seconds=self._timeout_shown()))
                else:
                    failure = PageFailed(t("fetch.reason_truncated", detail=type(error).__name__))
            except PageFailed as failed:
                failure = failed
                if not failed.retry:
                    connection_only = False
                    break
            connection_only = False
        if connection_only:
            raise _Offline(failure.reason)
        if time.monotonic() >= self.deadline:
            raise _RunTimeout(t("fetch.run_timeout", seconds=_seconds(self.settings.max_time)))
        where = t("fetch.page_where", slice=part.label(), page=_page_number(offset), offset=offset)
        raise PageFailed(f"{where} : {failure.reason}")

    def _timeout_shown(self) -> str:
        return _seconds(self.settings.timeout)

    def _get(self, part: Slice, offset: int, watch: _Watch) -> Page:
        from tracesguide.i18n import t

        url = self.settings.query_url
        params: dict[str, str | int] | None = part.params(offset)
        for _ in range(MAX_REDIRECTS + 1):
            extensions = {"trace": watch.trace}
            with self.client.stream("GET", url, params=params, extensions=extensions) as r:
                if r.is_redirect:
                    url, params = self._redirect(url, r.headers.get("location", "")), None
                    continue
                if r.status_code >= 500 or r.status_code == 429:
                    raise PageFailed(t("fetch.reason_http", code=r.status_code))
                if r.status_code >= 400:
                    raise PageFailed(t("fetch.reason_refused", code=r.status_code), retry=False)
                body = _read_bounded(r, watch)
                content_type = r.headers.get("content-type", "")
                total_header = r.headers.get("documentfoundcount", "")
            break
        else:
            raise PageFailed(t("fetch.reason_redirects", hops=MAX_REDIRECTS), retry=False)
        if "html" in content_type or bytes(body[:512]).lstrip()[:1] == b"<":
            raise PageFailed(t("fetch.reason_html"))
        try:
            document = json.loads(bytes(body).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise PageFailed(t("fetch.reason_json")) from None
        if not isinstance(document, list):
            raise PageFailed(t("fetch.reason_not_list"))
        try:
            total = int(total_header.strip()[:20])
        except ValueError:
            total = -1
        if total < 0:
            raise PageFailed(t("fetch.reason_no_total"))
        return _page(part, offset, total, document)

    def _redirect(self, current: str, location: str) -> str:
        """The address a redirect leads to, if it stays on the directory's own origin."""
        from urllib.parse import urljoin

        from tracesguide.i18n import t

        try:
            target = urljoin(current, location.strip())
            same = bool(location.strip()) and _origin(target) == self.settings.origin
        except ValueError:
            same = False
        if not same:
            raise PageFailed(t("fetch.reason_redirect_away"), retry=False)
        return target


MAX_REDIRECTS = 5
# What the client accepts, and so what it decodes: anything else is a damaged answer.
ACCEPTED_ENCODINGS = "gzip, deflate"


class _Watch:
    """The deadline of one page: at the deadline, the connection is shut down, so that a
    server sending one byte at a time (headers or body) cannot hold the page longer."""

    def __init__(self, deadline: float, sockets: list[object]) -> None:
        self.deadline = deadline
        self.expired = False
        self._socket: object = sockets[0] if sockets else None
        self._sockets = sockets
        self._timer: threading.Timer | None = None

    def trace(self, event: str, info: dict[str, object]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            extra = getattr(stream, "get_extra_info", None)
            if extra is not None:
                self._socket = extra("socket")
                self._sockets[:] = [self._socket]  # kept: the next page may reuse it
                if self.expired:
                    self._shut()

    def check(self) -> None:
        if time.monotonic() >= self.deadline:
            self._expire()
            import httpx

            raise httpx.ReadTimeout("page deadline")

    def _expire(self) -> None:
        self.expired = True
        self._shut()

    def _shut(self) -> None:
        import socket

        if isinstance(self._socket, socket.socket):
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self._socket, socket.SHUT_RDWR)

    def __enter__(self) -> _Watch:
        self._timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _read_bounded(
    response: httpx.Response, watch: _Watch, limit: int = MAX_PAGE_BYTES
) -> bytearray:
    """The body, decoded layer by layer (gzip, deflate), never more than *limit* bytes
    at any layer, even for a moment: a small compressed bomb is refused as it inflates."""
    import zlib

    from tracesguide.i18n import t

    too_big = PageFailed(t("fetch.reason_too_big", mib=f"{limit / 2**20:g}"))
    encodings = [
        e.strip().lower()
        for e in response.headers.get("content-encoding", "").split(",")
        if e.strip().lower() not in ("", "identity")
    ]
    layers: list[_Layer] = []
    for encoding in reversed(encodings):  # the last applied is undone first
        if encoding not in ("gzip", "x-gzip", "deflate") or len(layers) >= 3:
            raise PageFailed(t("fetch.reason_encoding", encoding=encoding[:40]))
        layers.append(_Layer(encoding, limit))
    body = bytearray()
    raw = 0
    try:
        for chunk in response.iter_raw():
            watch.check()
            raw += len(chunk)
            if raw > limit:
                raise too_big
            pieces = [chunk]
            for layer in layers:
                pieces = [layer.feed(piece, too_big) for piece in pieces]
            for piece in pieces:
                body += piece
            if len(body) > limit:
                raise too_big
        for index, layer in enumerate(layers):
            rest = layer.finish()
            for later in layers[index + 1 :]:
                rest = later.feed(rest, too_big)
            body += rest
            if len(body) > limit:
                raise too_big
    except zlib.error:
        raise PageFailed(t("fetch.reason_compression")) from None
    watch.check()
    return body


class _Layer:
    """One content-encoding, undone with a bounded output at each call."""

    def __init__(self, encoding: str, limit: int = MAX_PAGE_BYTES) -> None:
        import zlib

        self.encoding = encoding
        self.limit = limit
        self.produced = 0
        wbits = 31 if encoding in ("gzip", "x-gzip") else 15
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes, too_big: PageFailed) -> bytes:
        import zlib

        if not self._started and data and self.encoding == "deflate" and data[0] & 0x0F != 8:
            self._inflater = zlib.decompressobj(-15)  # raw deflate, as some servers send
        self._started = self._started or bool(data)
        out = bytearray()
        while data and not self._inflater.eof:
            room = self.limit - self.produced - len(out) + 1
            out += self._inflater.decompress(data, max(1, room))
            if self.produced + len(out) > self.limit:
                raise too_big
            data = self._inflater.unconsumed_tail
        self.produced += len(out)
        return bytes(out)

    def finish(self) -> bytes:
        import zlib

        if self._started and not self._inflater.eof:
            raise zlib.error("truncated")
        return b""


def _seconds(value: float) -> str:
    return f"{value:g}"


class _Offline(Exception):
    """Every attempt failed to connect."""


class _RunTimeout(Exception):
    """The whole download took longer than ``Settings.max_time``."""


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
    from tracesguide.system.files import ensure_folder, os_failure, write_error
    from tracesguide.system.paths import data_dir

    folder = data_dir()
    ensure_folder(folder)  # a file there, under a file, a dangling link: one line
    lock_path = folder / (PARTIAL_DIR + ".lock")
    if lock_path.is_symlink() or (os.path.lexists(lock_path) and not lock_path.is_file()):
        raise DirectoryError(
            t("state.lock_not_file", path=lock_path), t("state.lock_not_file_hint")
        )
    lock = FileLock(str(lock_path), mode=0o600)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise DirectoryError(t("fetch.busy"), t("fetch.busy_hint")) from None
    except OSError as error:  # EROFS, EACCES… on the lock file
        raise write_error(lock_path, error) from None
    try:
        return _fetch_locked(countries, statuses, settings, progress, restart)
    except OSError as error:  # the partial folder or a page cannot be written
        raise os_failure(error, folder) from None
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
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Accept-Encoding": ACCEPTED_ENCODINGS,
    }
    timeout = httpx.Timeout(settings.timeout)
    # Redirects are followed by hand (_Run._get), only on the directory's own origin;
    client = httpx.Client(
        headers=headers,
        timeout=timeout,
        follow_redirects=False,
        verify=_verify(settings.query_url),
    )
    with client:
        run = _Run(client, settings, store, pages, progress)
        run.deadline = time.monotonic() + settings.max_time
        try:
            counts = [_fetch_slice(run, c, s) for c in countries for s in statuses]
        except KeyboardInterrupt:
            raise Interrupted(
                t("fetch.interrupted", records=_number(_kept(run.pages.values()))),
                t("fetch.resume_hint"),
            ) from None
        except _Offline as offline:
            raise DirectoryError(str(offline), _kept_hint(run.pages.values(), "")) from None
        except _RunTimeout as late:
            hint = t("fetch.retry_hint")
            raise DirectoryError(str(late), _kept_hint(run.pages.values(), hint)) from None
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
    certificate store: loading it is a third of a small download's time. Redirects stay
    on the URL's origin, so it is never used; were it used, it trusts no certificate."""
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


def probe(base_url: str, timeout: float = 10.0) -> int:
    """Whether the directory answers: the HTTP status of one small query (one record), the
    whole exchange bounded by *timeout* (headers only: the body is not read). A network
    failure is a ``DirectoryError`` saying why, in one line; redirects are not followed."""
    import httpx

    from tracesguide.i18n import t

    settings = Settings(base_url=check_url(base_url), timeout=timeout)
    client = httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        verify=_verify(settings.query_url),
    )
    params = Slice("FR", "ISSUED").params(0) | {"max": 1}
    try:
        with client, _Watch(time.monotonic() + timeout, []) as watch:
            extensions = {"trace": watch.trace}
            with client.stream(
                "GET", settings.query_url, params=params, extensions=extensions
            ) as r:
                return r.status_code
    except httpx.TimeoutException:
        raise DirectoryError(t("doctor.url_timeout", seconds=_seconds(timeout))) from None
    except (httpx.HTTPError, OSError, ValueError) as error:
        detail = type(error).__name__
        raise DirectoryError(t("doctor.url_unreachable", detail=detail)) from None
