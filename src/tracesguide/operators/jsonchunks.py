"""The records of a large JSON array decoded many at a time (msgspec), the standard
parser taking over at the first doubt.

:func:`tracesguide.operators.formats._array_items` reads a JSON array one item at a
time with the standard parser (``raw_decode``): the reference, whose accepted and
refused documents, values and error places are those of ``json.loads``. This module is
only its speed: it cuts the file's bytes into segments of about :data:`SEGMENT` bytes
that end after an item, decodes each segment whole with ``msgspec`` (three times the
standard parser's speed), and yields the same items. It hands the rest of the file to
the standard reader (:class:`Handover`) as soon as a segment is refused or cannot be
trusted, so that everything ``msgspec`` does not accept exactly as ``json`` does is
read by ``json`` itself:

- the segment is decoded as ``[`` + bytes + ``]`` into a list of objects whose values
  are nested at most :data:`DEPTH` levels: a non-object item, NaN or Infinity, a number
  out of the float range, a lone surrogate (``"\\ud800"``), a deep nesting, malformed
  JSON, all make ``msgspec`` refuse the segment, and the standard reader then reads it;
- the cut is checked by that same decoding: a segment that does not end exactly after an
  item of the array (a cut inside a string or a nested object) is refused too; the cut
  only has to be likely, found by a search for the next item's first key;
- only UTF-8 files (what the survey recognised, byte order mark included) take this
  path; the values ``msgspec`` accepts are those of ``json`` (tests/test_operators_json_
  chunks.py compares the two readers on such files: integers past 64 bits, duplicate
  keys, escapes, floats);
- line and column of a later error: the standard reader is told at which byte of the
  file it takes over, and counts the lines and characters before it only to place an
  error (:func:`place`).

Memory holds a segment's bytes and its decoded records, a few tens of MiB.
"""

from __future__ import annotations

import codecs
import gc
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, BinaryIO

# Bytes decoded at once: about 20 000 records of the public directory.
SEGMENT = 8 << 20
# How deep the values of a record may nest on this path (deeper: the standard reader).
DEPTH = 8
# Cuts tried in a segment before the standard reader takes over.
_TRIES = 3
_WHITE = b" \t\n\r"
_SEPARATOR = re.compile(rb"[ \t\n\r]*,[ \t\n\r]*")
_OPENING = re.compile(rb"[ \t\n\r]*\[[ \t\n\r]*")
_FIRST_KEY = re.compile(rb'\{[ \t\n\r]*("(?:[^"\\\x00-\x1f]|\\.)*")[ \t\n\r]*:')
_BEFORE_ITEM = re.compile(rb"\}[ \t\n\r]*,[ \t\n\r]*\{[ \t\n\r]*\Z")
_LAST_ITEM = re.compile(rb"\}[ \t\n\r]*\][ \t\n\r]*\Z")
# UTF-8 continuation bytes: a text's characters are its other bytes.
_CONTINUATION = bytes(range(0x80, 0xC0))


@dataclass(frozen=True)
class Handover:
    """Where the standard reader takes over: *pending* bytes read and not decoded, then
    the rest of the file. With *items* = 0 nothing was decoded: *pending* is the file's
    start (with its byte order mark); otherwise it starts right after the last item
    yielded, at byte *offset* of the file (:func:`place` says its line and column)."""

    pending: bytes
    items: int
    offset: int
    read_bytes: int


def place(handle: BinaryIO, offset: int) -> tuple[int, int]:
    """The line breaks before byte *offset* of the file, and the characters between the
    last one and it (the byte order mark is none): counted again from the file, only
    when an error is to be placed (the fast reader counts nothing)."""
    back = handle.tell()
    handle.seek(0)
    lines = column = done = 0
    try:
        while done < offset:
            chunk = handle.read(min(1 << 20, offset - done))
            if not chunk:
                break
            if done == 0 and chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8) :]
                done += len(codecs.BOM_UTF8)
            done += len(chunk)
            newline = chunk.rfind(b"\n")
            if newline < 0:
                column += _characters(chunk)
            else:
                lines += chunk.count(b"\n")
                column = _characters(chunk[newline + 1 :])
    finally:
        handle.seek(back)
    return lines, column


def _decoder() -> Callable[[bytes], list[dict[str, Any]]] | None:
    try:
        import msgspec
    except ImportError:  # the standard reader alone
        return None
    value: Any = str | int | float | bool | None
    for _ in range(DEPTH):
        value = str | int | float | bool | None | list[value] | dict[str, value]
    return msgspec.json.Decoder(list[dict[str, value]]).decode


def _characters(data: bytes) -> int:
    return len(data.translate(None, _CONTINUATION))


class _Reader:
    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.buffer = b""
        self.start = 0  # the first byte not yet consumed
        self.done = False
        self.read_bytes = 0
        self.consumed_bytes = 0  # before the buffer

    def fill(self, wanted: int) -> None:
        """Read on until *wanted* bytes follow ``start`` (or the file ends)."""
        if len(self.buffer) - self.start >= wanted or self.done:
            return
        parts = [self.buffer[self.start :]]
        self.consumed_bytes += self.start
        self.start = 0
        held = len(parts[0])
        while held < wanted:
            chunk = self.handle.read(max(wanted - held, 1 << 20))
            if not chunk:
                self.done = True
                break
            self.read_bytes += len(chunk)
            parts.append(chunk)
            held += len(chunk)
        self.buffer = b"".join(parts)

    def cuts(self, begin: int) -> list[int]:
        """Where a segment from the item at *begin* likely ends (right after a ``}``),
        the likeliest first: before the array's end when the rest of the file is held,
        else before a later item that opens with this item's first key (the records of
        a directory share their keys' order)."""
        buffer = self.buffer
        limit = min(len(buffer), begin + SEGMENT)
        found: list[int] = []
        if self.done and limit == len(buffer):
            end = buffer.rfind(b"}", begin)
            if end > begin and _LAST_ITEM.match(buffer, end):
                found.append(end + 1)
        key = _FIRST_KEY.match(buffer, begin)
        position = limit
        while key is not None and len(found) < _TRIES:
            position = buffer.rfind(key.group(1), begin + 1, position)
            if position < 0:
                break
            before = _BEFORE_ITEM.search(buffer, max(begin, position - 64), position)
            if before is not None:
                found.append(before.start() + 1)
        return found[:_TRIES]


def fast_items(
    handle: BinaryIO, progress: Callable[[int], None] | None = None
) -> Generator[object, None, Handover]:
    """Yield the items of the JSON array in *handle* (UTF-8) while they can be decoded
    here; return where the standard reader takes over (the array's end included).

    *progress* is called with the bytes read after each segment.
    """
    decode = _decoder()
    reader = _Reader(handle)
    reader.fill(SEGMENT + 64)
    bom = len(codecs.BOM_UTF8) if reader.buffer.startswith(codecs.BOM_UTF8) else 0
    items = 0
    while decode is not None:
        reader.fill(SEGMENT + 64)
        buffer = reader.buffer
        # the next item: after "[" for the first, after "," for the others
        gap = _OPENING.match(buffer, bom) if items == 0 else _SEPARATOR.match(buffer, reader.start)
        if gap is None or buffer[gap.end() : gap.end() + 1] != b"{":
            break
        begin = gap.end()
        decoded: list[dict[str, Any]] | None = None
        for end in reader.cuts(begin):
            enabled = gc.isenabled()
            gc.disable()  # a segment's records all live until it is read: no cycle to find
            try:
                decoded = decode(b"[" + buffer[begin:end] + b"]")
            except Exception:  # msgspec.DecodeError, ValidationError, RecursionError...
                continue
            finally:
                if enabled:
                    gc.enable()
            break
        if decoded is None:
            break
        reader.start = end
        items += len(decoded)
        decoded.reverse()
        while decoded:
            yield decoded.pop()
        if progress is not None:
            progress(reader.read_bytes)
    return Handover(
        reader.buffer[reader.start :],
        items,
        reader.consumed_bytes + reader.start,
        reader.read_bytes,
    )
