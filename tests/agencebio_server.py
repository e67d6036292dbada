"""A local stand-in for the Agence Bio's « API Professionnels BIO », on 127.0.0.1, in a thread.

It answers ``GET /api/gouv/operateurs/?siret=…`` as public code shows the real one does:
``{"items": [...], "nbTotal": N}``, each item with ``numeroBio``, ``raisonSociale``,
``denominationcourante``, ``siret``, ``certificats [{organisme, etatCertification, url}]``,
``activitesBio [{activite}]`` and ``adressesOperateurs``. The companies it knows are
given per SIRET (several items may share a SIREN); a fault can be given per SIRET: a 500,
a slow answer, a body that is not JSON, an oversized body, a compressed bomb. Every
request is recorded (its query and headers) so that a test sees what left the machine.
The companies are invented (valid SIRET check digits, no real company).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from directory_server import QuietServer, bomb, running

PATH = "/api/gouv/operateurs/"

# Invented SIRETs with valid check digits (SIREN and SIRET Luhn).
IMPORTER = "41234567000019"  # found, certified by Ecocert, imports
SECOND_SITE = "41234567000027"  # the same company (SIREN 412345670), another site
THIRD_SITE = "41234567000035"  # same SIREN, not in the directory itself
WITHDRAWN = "59876543600012"  # a certificate withdrawn
NO_IMPORT = "59876543600020"  # certified, no import activity
HOSTILE = "59876543600038"  # fields full of escape sequences and markup
UNKNOWN = "81234567600017"  # not in the directory
FAULTY = "81234567600025"  # faults are queued for this one
OTHER = "81234567600033"


def item(
    siret: str,
    legal: str,
    trade: str = "",
    body: str = "ECOCERT FRANCE",
    state: str = "ENGAGEE",
    activities: tuple[str, ...] = ("Production", "Préparation", "Importation"),
) -> dict[str, object]:
    return {
        "numeroBio": int(siret[-6:]) % 100_000,
        "raisonSociale": legal,
        "denominationcourante": trade,
        "siret": siret,
        "dateEngagement": "2023-03-01",
        "certificats": [
            {"organisme": body, "etatCertification": state, "url": "https://example.org/cert.pdf"}
        ],
        "activitesBio": [{"activite": a} for a in activities],
        "productions": [],
        "adressesOperateurs": [
            {"lieu": "12 rue du Port", "codePostal": "13002", "ville": "Marseille"}
        ],
    }


def companies() -> dict[str, list[dict[str, object]]]:
    """SIRET asked → the items answered (the real API answers by SIRET)."""
    importer = item(IMPORTER, "COOPERATIVE DU MOULIN SARL", "Le Moulin Bio")
    second = item(SECOND_SITE, "COOPERATIVE DU MOULIN SARL", "Le Moulin Bio — entrepôt")
    return {
        IMPORTER: [importer],
        SECOND_SITE: [second, importer],
        THIRD_SITE: [importer, second],  # the asked site itself is not among them
        WITHDRAWN: [item(WITHDRAWN, "BIO IMPORT EST", state="RETIREE")],
        NO_IMPORT: [
            item(NO_IMPORT, "JARDINS DE PROVENCE", activities=("Production", "Distribution"))
        ],
        HOSTILE: [
            item(
                HOSTILE,
                "\x1b[31mEVIL\x1b[0m [bold red]CORP[/bold red]\x1b]8;;http://x.example\x07lien\x1b]8;;\x07",
                "Cam\u200bille\x07\x1b[2J",
                body="[link=http://x.example]ECOCERT[/link]\x1b[5m",
                activities=("Importation\x1b[1m",),
            )
        ],
    }


@dataclass
class AgenceBioServer:
    known: dict[str, list[dict[str, object]]] = field(default_factory=companies)
    faults: dict[str, list[str]] = field(default_factory=dict)  # SIRET → faults, in order
    slow_seconds: float = 3.0
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fault(self, siret: str, *kinds: str) -> None:
        self.faults.setdefault(siret, []).extend(kinds)

    def answer(self, query: dict[str, str]) -> tuple[int, str, bytes, str]:
        with self._lock:
            self.requests.append(query)
            siret = query.get("siret", "")
            queue = self.faults.get(siret)
            fault = queue.pop(0) if queue else ""
        if fault == "500":
            return 500, "application/json", b'{"message": "Internal Server Error"}', fault
        if fault == "notjson":
            return 200, "application/json", b"Service en maintenance", fault
        if fault == "html":
            return 200, "text/html", b"<!DOCTYPE html><html><body>Erreur</body></html>", fault
        if fault == "huge":
            filler = "x" * (3 * 2**20)
            body = json.dumps({"items": [item(siret, filler)], "nbTotal": 1})
            return 200, "application/json", body.encode(), fault
        items = self.known.get(siret, [])
        body = json.dumps({"items": items, "nbTotal": len(items)}, ensure_ascii=False)
        return 200, "application/json; charset=utf-8", body.encode("utf-8"), fault


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != PATH:
            self.send_error(404)
            return
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        query["user-agent"] = self.headers.get("User-Agent", "")
        query["cookie"] = self.headers.get("Cookie", "")
        query["authorization"] = self.headers.get("Authorization", "")
        code, content_type, body, fault = self.server.directory.answer(query)
        if fault == "bomb":  # a few kilobytes that inflate to 1 GiB
            body = bomb()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip, gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)
            return
        if fault == "slow":
            time.sleep(self.server.directory.slow_seconds)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (a timeout test)
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class _Server(QuietServer):
    directory: AgenceBioServer


@contextmanager
def serving(directory: AgenceBioServer | None = None) -> Iterator[AgenceBioServer]:
    directory = directory or AgenceBioServer()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.directory = directory
    with running(server) as port:
        directory.url = f"http://127.0.0.1:{port}{PATH}"
        yield directory
