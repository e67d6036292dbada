"""Reading an input safely and writing a file so that a crash never leaves half of it.

The state, the operator index and the message a step prepares (beside the state file)
are all written this way: a temporary file in the same folder (so the rename stays on
one file system), private mode, flushed to disk, then renamed over the target.
"""

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO


def write_atomic(target: Path, chunks: Iterable[bytes], mode: int = 0o600) -> None:
    """Replace *target* with *chunks* atomically; the folder must exist."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(chunks)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Unreadable(Exception):
    """An input file that cannot be read safely; the caller turns it into its own error.

    ``reason`` is one of ``missing``, ``not_regular``, ``too_big``, ``os_error``;
    ``detail`` is the OS's own text for ``os_error`` and the size for ``too_big``.
    """

    def __init__(self, path: Path, reason: str, detail: str = "") -> None:
        super().__init__(f"{path}: {reason} {detail}".strip())
        self.path = path
        self.reason = reason
        self.detail = detail


def open_regular(path: Path, max_bytes: int) -> BinaryIO:
    """Open *path* for reading: a regular file only, never larger than *max_bytes*.

    The one safe way in for every file the tool reads (state, answers, operator files,
    index): a FIFO, a device or a folder is refused without blocking (``O_NONBLOCK``,
    then ``fstat`` on what was really opened), and the size is checked before a byte
    is read. Stream from the handle, or use ``read_regular`` for the whole content.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise Unreadable(path, "missing") from None
    except IsADirectoryError:
        raise Unreadable(path, "not_regular") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the name
        raise Unreadable(path, "os_error", _strerror(error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(path, "not_regular")
        if info.st_size > max_bytes:
            raise Unreadable(path, "too_big", str(info.st_size))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The whole content of *path* (see ``open_regular``); a file that grew past
    *max_bytes* while being read is refused too."""
    with open_regular(path, max_bytes) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise Unreadable(path, "os_error", _strerror(error)) from None
    if len(data) > max_bytes:
        raise Unreadable(path, "too_big", str(len(data)))
    return data


def _strerror(error: BaseException) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or type(error).__name__
