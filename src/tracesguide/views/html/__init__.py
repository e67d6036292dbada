"""HTML pages for support staff: the replay of one user, the report on a folder.

Built with Jinja2 and autoescape: every value from a state file is text, never markup.
Before escaping, ``visible`` strips terminal escape sequences and shows invisible or
bidirectional characters as ``⟨U+202E⟩`` instead of letting them reorder the page. A
URL becomes a link only when it starts with ``http://`` or ``https://`` (``segments``);
a ``javascript:`` address stays text. The pages are one file each: the stylesheet is
inlined, there is no script (a Content-Security-Policy meta forbids any) and no
external resource.

Jinja2 is imported here, and this package only by the commands that write HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tracesguide.system.sanitize import inert

if TYPE_CHECKING:
    from jinja2 import Environment

    from tracesguide.content import Content
    from tracesguide.state import State

HERE = Path(__file__).parent
_URL = re.compile(r"https?://[^\s<>\"'`⟨]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)»]"


class Segment(NamedTuple):
    """A piece of text, and the address it links to ("" for plain text)."""

    text: str
    href: str = ""


def visible(value: str, *, single_line: bool = True) -> str:
    """Untrusted text made inert for HTML: no escape sequence, invisible characters shown
    (the terminal's rule, ``system/invisible.py``: both show the same code points)."""
    return inert(value, single_line=single_line)


def segments(value: str) -> list[Segment]:
    """*value* (already ``visible``) cut into text and http(s) links."""
    parts: list[Segment] = []
    position = 0
    for match in _URL.finditer(value):
        url = match.group().rstrip(_URL_TAIL)
        if match.start() > position:
            parts.append(Segment(value[position : match.start()]))
        parts.append(Segment(url, url))
        position = match.start() + len(url)
    if position < len(value):
        parts.append(Segment(value[position:]))
    return parts


def link(url: str) -> str:
    """The href for *url*, or "" when it is not an http(s) address."""
    return url if _URL.fullmatch(url) else ""


@cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["stylesheet"] = (HERE / "style.css").read_text("utf-8")
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


# The hint after a refused target, by option (keys are literal: the catalog test finds them).
TARGET_HINTS = {
    "--html": "html.target_hint",
    "--csv": "html.csv_target_hint",
    "--redact": "redact.hint",
    "--bundle": "bundle.hint",
}


def refuse_target(out: Path, inputs: Sequence[Path], option: str) -> None:
    """Refuse to write *out* if it is a folder, a device, a FIFO or a standard stream's
    link (``/dev/stdout``: never replaced by a file, never written into), one of the
    files read (even through a link, or a path like ``sub/../state.toml``), or any
    tracesguide state file (someone's progress: never replaced by a report). Nothing is
    written then."""
    import os

    from tracesguide.i18n import t
    from tracesguide.system.errors import TracesguideError
    from tracesguide.system.files import is_device_or_stream

    hint = t(TARGET_HINTS[option])
    shown = inert(str(out), single_line=True)
    if is_device_or_stream(out):
        raise TracesguideError(t("html.target_is_device", path=shown), hint)
    try:
        if out.is_dir():
            raise TracesguideError(t("html.target_is_folder", path=shown), hint)
        there = out.exists()
    except OSError:  # a loop, a name too long: the writer says it, naming the path
        return
    if not there:  # nothing there (or a dangling link): no input can be replaced
        return
    for source in inputs:
        try:
            same = out.samefile(source)
        except OSError:
            same = False
        if same:
            raise TracesguideError(t("html.target_is_input", path=shown), hint)
    if os.path.isfile(out) and _is_a_state(out):
        raise TracesguideError(
            t("html.target_is_state", path=shown), t("html.target_is_state_hint")
        )


def _is_a_state(path: Path) -> bool:
    """Whether *path* reads as a tracesguide state file (its own reader says yes)."""
    from tracesguide.state import store as state_module
    from tracesguide.system.errors import TracesguideError

    try:
        state_module.load(path)
    except (TracesguideError, OSError, ValueError):
        return False
    return True


def write_private(out: Path, data: bytes | Iterable[bytes]) -> None:
    """Write *out* through ``files.write_atomic`` (0600; a symlink there is replaced, never
    followed); a folder that does not exist or cannot be written is a clear error. *data*:
    the bytes, or chunks written as they come (the file appears only when all are)."""
    from tracesguide.i18n import t
    from tracesguide.system.errors import TracesguideError
    from tracesguide.system.files import write_atomic

    try:
        write_atomic(out, [data] if isinstance(data, bytes) else data)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise TracesguideError(
            t("html.cannot_write", path=out, reason=reason), t("html.cannot_write_hint")
        ) from None


def write_redacted(content: Content, source: Path, state: State, out: Path) -> None:
    """Write the redacted copy of *state* (read from *source*) to *out*, 0600."""
    from tracesguide.reports.redact import redact
    from tracesguide.state import store as state_module

    refuse_target(out, [source], "--redact")
    write_private(out, state_module.dumps(redact(content, state)))
