"""The user's control body: read from a certificate, recognised in a small table.

The table (``data/control-bodies.toml``) lists the French organic control bodies a cited
source names, with their code (FR-BIO-NN) and web site when a source gives them, never an
e-mail address. A certificate names its body as TRACES NT writes it (« Certipaq BIO
(FR-BIO-01) ») or as the Agence Bio does (« CERTIPAQ BIO »): :func:`from_certificate`
turns either into a :class:`ControlBody`, the table's entry when it is one, else the
certificate's own words (inert, bounded). The seeds' body, Certipaq BIO, is the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tracesguide.operators.normalize import name_key
from tracesguide.system.sanitize import inert

_CODE = re.compile(r"\b([A-Z]{2}-BIO-\d{2,3})\b")
_NAME_AND_CODE = re.compile(r"^(.*?)\s*\(([A-Z]{2}-BIO-\d{2,3})\)\s*$")


@dataclass(frozen=True)
class ControlBody:
    name: str
    code: str = ""
    site: str = ""
    source: str = ""  # the content's source id the table cites; "" for a certificate's words

    @property
    def label(self) -> str:
        """How the guide names it: « Certipaq BIO » or « Ecocert (FR-BIO-01) »."""
        return (
            f"{self.name} ({self.code})" if self.code and self.code not in self.name else self.name
        )


@cache
def table() -> tuple[tuple[ControlBody, tuple[str, ...]], ...]:
    """The table's bodies, each with the name keys it is recognised by."""
    from tracesguide.system.toml import loads

    text = resources.files("tracesguide.operators").joinpath("data/control-bodies.toml")
    document = loads(text.read_text(encoding="utf-8"))
    out: list[tuple[ControlBody, tuple[str, ...]]] = []
    for entry in document.get("bodies", []):
        body = ControlBody(
            name=str(entry["name"]),
            code=str(entry.get("code", "")),
            site=str(entry.get("site", "")),
            source=str(entry.get("source", "")),
        )
        keys = {name_key(body.name), *(name_key(str(a)) for a in entry.get("aliases", []))}
        out.append((body, tuple(sorted(k for k in keys if k))))
    return tuple(out)


@cache
def default() -> ControlBody:
    """The body named when nothing says otherwise (the seeds' procedure: Certipaq BIO)."""
    from tracesguide.system.toml import loads

    text = resources.files("tracesguide.operators").joinpath("data/control-bodies.toml")
    entries = loads(text.read_text(encoding="utf-8")).get("bodies", [])
    wanted = next((e for e in entries if e.get("default")), entries[0])
    return next(body for body, _ in table() if body.name == wanted["name"])


def from_certificate(text: str) -> ControlBody | None:
    """The control body a certificate names (None when it names none)."""
    cleaned = " ".join(inert(text, single_line=True).split())[:200]
    if not cleaned:
        return None
    pair = _NAME_AND_CODE.match(cleaned)
    name, code = (pair.group(1).strip(), pair.group(2)) if pair else (cleaned, "")
    if not code:
        found = _CODE.search(cleaned)
        code = found.group(1) if found else ""
    key = name_key(name)
    for body, keys in table():
        if (key and key in keys) or (code and body.code == code):
            return ControlBody(body.name, body.code or code, body.site, body.source)
    return ControlBody(name or code, code)


def same(first: str, second: str) -> bool:
    """Whether two names of a control body (a certificate's, the user's) are one body."""
    a, b = from_certificate(first), from_certificate(second)
    if a is None or b is None:
        return True  # nothing to compare with
    if a.code and b.code:
        return a.code == b.code
    return name_key(a.name) == name_key(b.name)
