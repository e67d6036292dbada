"""Writing a file so that a crash never leaves half of it: one implementation for all.

The state, the operator index, the message for the control body and the content cache
are all written this way: a temporary file in the same folder (so the rename stays on
one file system), private mode, flushed to disk, then renamed over the target.
"""

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


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
