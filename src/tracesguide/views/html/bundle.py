"""``replay FILE --bundle OUT.zip``: what to attach to a ticket, in one file.

The archive holds the redacted state (``reports.redact``), its HTML page, a paste-ready
summary for the ticket (the answer rows of the replay, the terminal's and the page's
words) and a manifest (what each file is, its size and SHA-256). Everything in it comes
from the redacted copy: the original's path, which may name the person, is not in it.
The archive is built in memory and written once through ``write_private`` (0600,
atomic); the summary is returned so that the command shows it before writing.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from tracesguide.i18n import t
from tracesguide.system.sanitize import inert

if TYPE_CHECKING:
    from tracesguide.content import Content
    from tracesguide.state import State

MANIFEST = "manifest.json"


class Bundle(NamedTuple):
    summary: str  # the paste-ready text (also in the archive)
    data: bytes  # the zip archive


def summary_text(content: Content, state_name: str, redacted: State, now: datetime) -> str:
    """The ticket's summary, plain text: a title, the answer rows, the attachments."""
    from tracesguide.reports.replay import replay
    from tracesguide.views.replay_text import answer_rows

    model = replay(content, Path(state_name), redacted, now)

    def plain(value: str) -> str:
        return inert(value, single_line=True)

    lines = [t("bundle.summary_title"), ""]
    for label, value in answer_rows(content, model.summary, plain):
        lines.append(t("bundle.row", label=label, value=value))
    lines += ["", t("bundle.attached", state=state_name, page=t("bundle.page_name"))]
    return "\n".join(lines) + "\n"


def build(content: Content, state: State, now: datetime | None = None) -> Bundle:
    """The archive of the redacted copy of *state* (see the module's docstring)."""
    from tracesguide import __version__
    from tracesguide.reports.redact import redact
    from tracesguide.state import store as state_module
    from tracesguide.views.html.replay_page import page

    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    redacted = redact(content, state)
    state_name, page_name = t("bundle.state_name"), t("bundle.page_name")
    summary = summary_text(content, state_name, redacted, moment)
    files = {
        state_name: (state_module.dumps(redacted), t("bundle.state_what")),
        page_name: (
            page(content, Path(state_name), redacted, now=moment).encode("utf-8"),
            t("bundle.page_what"),
        ),
        t("bundle.summary_name"): (summary.encode("utf-8"), t("bundle.summary_what")),
    }
    manifest = {
        "tool": "tracesguide",
        "tool_version": __version__,
        "created": moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "redacted": True,
        "files": [
            {
                "name": name,
                "what": what,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            for name, (data, what) in files.items()
        ],
    }
    buffer = io.BytesIO()
    stamp = moment.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = {
            MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
            **{name: data for name, (data, _) in files.items()},
        }
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, data)
    return Bundle(summary, buffer.getvalue())


def write_bundle(
    content: Content, source: Path, state: State, out: Path, show: Callable[[str], None]
) -> None:
    """Write the bundle of *state* (read from *source*) to *out*, its summary given to
    *show* first; the target's rules are ``--html``'s (``refuse_target``)."""
    from tracesguide.views.html import refuse_target, write_private

    refuse_target(out, [source], "--bundle")
    bundle = build(content, state)
    show(bundle.summary)
    write_private(out, bundle.data)
