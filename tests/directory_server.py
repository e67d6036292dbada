"""A local stand-in for the public TRACES NT directory, on 127.0.0.1, in a thread.

It answers ``GET /tracesnt/directory/publication/organic-operator/for/query`` as the real
directory does (observed): a JSON list of certificate records in the real shape, the
total of the query in the ``documentfoundcount`` header, ``max``/``offset`` paging,
``states``/``countryCode`` filters, ``sort=-issuedOn`` (newest first) or ``issuedOn``,
and HTTP 500 past 10 000 records of one query. Faults can be queued per page (500, a
slow answer, a truncated body, an HTML error page, a body that is not JSON, no total
header), or a hostile
answer (one byte every half second in the headers or the body, a gzip header on a plain
body, a double-gzip bomb of 1 GiB, a redirect loop or a redirect to another port),
and records can lose a field. Used by the tests and ``benchmarks/bench_fetch.py``.
"""

from __future__ import annotations

import functools
import gzip
import json
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PATH = "/tracesnt/directory/publication/organic-operator"
LIMIT = 10_000

SliceKey = tuple[str, str]  # (country, status)
PageKey = tuple[str, str, str, int]  # (country, status, sort, offset)


def record(
    country: str, status: str, position: int, total: int, names: Sequence[str] = ()
) -> dict[str, object]:
    """The record at *position* (0 = newest) of a slice, in the real shape."""
    number = total - position  # stable whatever the order asked for
    name = f"Opérateur {country} {status} n°{number}"
    if names:
        name = names[(zlib.crc32(country.encode()) + number) % len(names)]
    year = 2023 + number % 3
    importer = number % 2 == 0
    activities = [{"id": "PRODUCTION", "translation": "Production"}]
    if importer:
        activities.append({"id": "IMPORT", "translation": "Import"})
    return {
        "id": zlib.crc32(f"{country}-{status}".encode()) % 10_000 * 1_000_000 + number,
        "reference": f"{country}-BIO-01.040-{number:07d}.{year}.001",
        "operatorIdentifier": f"{country}-ORG-OP-{status[:2]}{number}",
        "status": {"id": status, "translation": status.title()},
        "issuingBody": {"code": f"{country}-BIO-01", "name": "Certipaq BIO"},
        "operator": {
            "name": name,
            "address": {
                "street": {"value": f"{number} rue du Moulin"},
                "cityReference": {"postalCode": "26200", "name": "Montélimar"},
            },
        },
        "activities": activities,
        "categoriesOfProduct": [{"id": "A", "translation": "Unprocessed plant products"}],
        "issuedOn": f"{year}-03-{1 + number % 28:02d}",
        "expiresOn": f"{year + 1}-12-31",
    }


@dataclass
class DirectoryServer:
    """Slices (country, status) → record count; faults and broken records to inject."""

    slices: dict[SliceKey, int]
    faults: dict[PageKey, list[str]] = field(default_factory=dict)
    # (country, status, position) → the field to remove from that record
    broken: dict[tuple[str, str, int], str] = field(default_factory=dict)
    slow_seconds: float = 2.0
    names: Sequence[str] = ()  # operator names to use instead of "Opérateur FR ISSUED n°1"
    requests: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""
    other_port: int = 9  # where "redirect-port" sends the client
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fault(self, country: str, status: str, offset: int, *kinds: str, asc: bool = False) -> None:
        sort = "issuedOn" if asc else "-issuedOn"
        self.faults.setdefault((country, status, sort, offset), []).extend(kinds)

    def offsets(self, country: str = "FR", status: str = "ISSUED") -> list[int]:
        return [
            int(r["offset"])
            for r in self.requests
            if r.get("countryCode") == country and r.get("states") == status
        ]

    def answer(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes, str]:
        """(HTTP status, headers, body, fault applied) for one request."""
        with self._lock:
            self.requests.append(query)
            country, status = query.get("countryCode", ""), query.get("states", "")
            sort, offset = query.get("sort", "-issuedOn"), int(query.get("offset", "0"))
            queue = self.faults.get((country, status, sort, offset))
            fault = queue.pop(0) if queue else ""
        size, total = int(query.get("max", "10")), self.slices.get((country, status), 0)
        if fault == "500" or offset >= LIMIT:
            return 500, {"Content-Type": "application/json"}, b'{"error": "server"}', fault
        if fault == "html":
            page = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>"
            return 200, {"Content-Type": "text/html"}, page, fault
        if fault == "notjson":
            return 200, {"Content-Type": "application/json"}, b"Maintenance", fault
        records = []
        for index in range(offset, min(offset + size, total)):
            position = index if sort.startswith("-") else total - 1 - index
            item = record(country, status, position, total, self.names)
            item.pop(self.broken.get((country, status, position), ""), None)
            records.append(item)
        headers = {"Content-Type": "application/json;charset=UTF-8"}
        if fault != "noheader":
            headers["documentfoundcount"] = str(total)
        return 200, headers, json.dumps(records).encode("utf-8"), fault


@functools.cache
def bomb() -> bytes:
    """1 GiB of spaces, gzipped twice: a few kilobytes (made once, a few seconds)."""
    layer = zlib.compressobj(9, zlib.DEFLATED, 31)
    once = b"".join(layer.compress(b" " * 2**20) for _ in range(1024)) + layer.flush()
    return gzip.compress(once, 9)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == PATH + "/loop":  # a redirect to itself, for ever
            self._redirect(PATH + "/loop")
            return
        if url.path != PATH + "/for/query":
            self.send_error(404)
            return
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        query["user-agent"] = self.headers.get("User-Agent", "")
        query["accept-encoding"] = self.headers.get("Accept-Encoding", "")
        code, headers, body, fault = self.server.directory.answer(query)
        if self._hostile(fault, body):
            return
        if fault == "slow":
            time.sleep(self.server.directory.slow_seconds)
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _drip(self, data: bytes) -> None:
        """One byte every half second, until the client gives up."""
        for byte in data:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.5)

    def _hostile(self, fault: str, body: bytes) -> bool:
        """The faults of a hostile server (see DirectoryServer.fault); False: none."""
        if fault == "drip-headers":
            self._drip(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 400 + b"\r\n\r\n")
        elif fault == "drip-body":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("documentfoundcount", "250")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._drip(body)
        elif fault in ("fake-gzip", "bomb"):
            if fault == "bomb":
                body = bomb()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip, gzip" if fault == "bomb" else "gzip")
            self.send_header("documentfoundcount", "250")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif fault == "redirect-loop":
            self._redirect(PATH + "/loop")
        elif fault == "redirect-port":
            self._redirect(f"http://127.0.0.1:{self.server.directory.other_port}/elsewhere")
        else:
            return False
        return True

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class QuietServer(ThreadingHTTPServer):
    """A threading server whose clients may give up (timeout tests): no trace printed."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout test) is expected


class _Server(QuietServer):
    directory: DirectoryServer


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[int]:
    """*server* (bound to 127.0.0.1) served from a thread until the block ends: its port."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(directory: DirectoryServer) -> Iterator[DirectoryServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.directory = directory
    with running(server) as port:
        directory.base_url = f"http://127.0.0.1:{port}{PATH}"
        yield directory
