"""Reading an input safely, and the one way the tool writes a file.

Every file the tool writes (the state, its backups, the message a step prepares beside
the state file, the operator index, the ``--html`` report) goes through
``write_atomic``: a temporary file in the same folder (so the rename stays on one file
system), private mode, flushed to disk, then renamed over the target. Every input is
read through ``open_regular``/``read_regular``.
"""

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from tracesguide.system import interrupts
from tracesguide.system.errors import WriteError

# Our temp files: ".<target>.<pid>.<random>.tmp", so that one left by a killed process
# (its pid no longer running) is recognised and removed by the next write in that folder.
_TEMP = r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.tmp$"


def write_atomic(target: Path, chunks: Iterable[bytes], mode: int = 0o600) -> None:
    """Replace *target* with *chunks* atomically, or raise ``WriteError`` (one line).

    The folder must exist. An existing symlink at *target* is replaced by the file,
    never written through; a FIFO, a device or a folder there is refused. On any OS
    error the previous file is left as it was and no temp file remains.
    """
    import tempfile  # not at import: the reading commands only read

    if is_device_or_stream(target):  # /dev/stdout's link is never replaced by a file
        raise write_error(target, OSError(errno.ENODEV, os.strerror(errno.ENODEV)))
    _refuse_special(target)
    _remove_stale_temps(target.parent)
    held = interrupts.hold()  # a Ctrl-C inside mkstemp would leave its file unnamed
    try:
        fd, temp = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp"
        )
    except BaseException as error:
        interrupts.release(held)
        if isinstance(error, OSError | ValueError):
            raise write_error(target, error) from None
        raise
    try:
        interrupts.release(held)  # a Ctrl-C held back is raised here, the file named
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(chunks)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException as error:
        Path(temp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise write_error(target, error) from None
        raise
    _fsync_folder(target.parent)


@contextlib.contextmanager
def replacing(target: Path, mode: int = 0o600) -> Iterator[Path]:
    """A private temporary file beside *target* for a writer that needs a path (SQLite):
    when the block ends without error it is flushed to disk and renamed over *target*;
    otherwise it is removed and *target* is left as it was.

    The temporary file is named as ``write_atomic``'s are, so one left by a killed process
    is removed by the next write in that folder. The folder must exist.
    """
    import tempfile

    _refuse_special(target)
    _remove_stale_temps(target.parent)
    held = interrupts.hold()  # a Ctrl-C inside mkstemp would leave its file unnamed
    try:
        fd, temp = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp"
        )
    except BaseException as error:
        interrupts.release(held)
        if isinstance(error, OSError | ValueError):
            raise write_error(target, error) from None
        raise
    try:
        interrupts.release(held)  # a Ctrl-C held back is raised here, the file named
        os.fchmod(fd, mode)
        os.close(fd)
        yield Path(temp)
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException as error:
        Path(temp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise write_error(target, error) from None
        raise
    _fsync_folder(target.parent)


def probe_writable(target: Path) -> None:
    """Raise the ``WriteError`` that creating *target* meets (none if it can be created)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    except (OSError, ValueError) as error:
        raise write_error(target, error) from None
    os.close(fd)
    os.unlink(target)


def is_device_or_stream(target: Path) -> bool:
    """Whether *target* is, or leads through links to, a device, a FIFO, a socket or a
    standard stream (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/1``, ``/proc/self/fd/2``…):
    an output option refuses those, rather than replace the link with a file or write
    into a terminal, a pipe or a device."""
    seen = 0
    current = str(target)
    while seen < 40:
        absolute = os.path.abspath(current)
        if absolute == "/dev" or absolute.startswith(("/dev/", "/proc/")):
            return True
        try:
            info = os.lstat(absolute)
        except (OSError, ValueError):
            return False  # nothing there (or unreadable): the writer's own error says it
        if stat.S_ISLNK(info.st_mode):
            try:
                link = os.readlink(absolute)
            except OSError:
                return False
            current = os.path.join(os.path.dirname(absolute), link)
            seen += 1
            continue
        return not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode))
    return False  # a loop: the writer says it


def _refuse_special(target: Path) -> None:
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except (OSError, ValueError) as error:
        raise write_error(target, error) from None
    if stat.S_ISDIR(info.st_mode):
        raise write_error(target, OSError(errno.EISDIR, os.strerror(errno.EISDIR)))
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise WriteError(*_messages(target, "not_regular"))


def _remove_stale_temps(folder: Path) -> None:
    """Remove the temp files of writers that died (their pid is gone) in *folder*."""
    try:
        with os.scandir(folder) as entries:
            stale = [
                e.name
                for e in entries
                if e.name.endswith(".tmp") and e.name[0] == "." and _dead_writer(e.name)
            ]
    except OSError:
        return  # the write itself will say what is wrong with the folder
    for name in stale:
        with contextlib.suppress(OSError):
            os.unlink(folder / name)


def _dead_writer(name: str) -> bool:
    match = re.match(_TEMP, name)  # re caches the compiled pattern
    if match is None:
        return False
    pid = int(match.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False  # alive but not ours to signal, or not a pid
    return False


_ERRNO_CODES = {
    errno.ENOSPC: "no_space",
    errno.EDQUOT: "no_space",
    errno.EROFS: "read_only",
    errno.EACCES: "denied",
    errno.EPERM: "denied",
    errno.ELOOP: "loop",
    errno.EISDIR: "is_folder",
    errno.ENOENT: "no_folder",
    errno.ENOTDIR: "no_folder",
    errno.ENAMETOOLONG: "name_too_long",
    errno.EFBIG: "too_big",
    errno.ENODEV: "not_regular",
}


def os_failure(error: OSError, where: Path) -> WriteError:
    """Any OS error no writer caught, as one line naming the path it met (else *where*)."""
    named = error.filename if isinstance(error.filename, str | bytes) else None
    return write_error(Path(os.fsdecode(named)) if named else where, error)


def write_error(target: Path, error: BaseException) -> WriteError:
    number = error.errno if isinstance(error, OSError) else None
    code = _ERRNO_CODES.get(number, "other") if number is not None else "other"
    return WriteError(*_messages(target, code, _strerror(error)))


def _messages(target: Path, code: str, detail: str = "") -> tuple[str, str]:
    from tracesguide.i18n import t

    why = {
        "no_space": t("files.no_space"),
        "read_only": t("files.read_only"),
        "denied": t("files.denied"),
        "loop": t("files.loop"),
        "is_folder": t("files.is_folder"),
        "no_folder": t("files.no_folder"),
        "not_regular": t("files.not_regular"),
        "name_too_long": t("files.name_too_long"),
        "too_big": t("files.too_big"),
        "other": detail,
    }[code]
    hint = {
        "no_space": t("files.no_space_hint"),
        "read_only": t("files.read_only_hint"),
        "denied": t("files.denied_hint"),
        "loop": t("files.loop_hint"),
        "is_folder": t("files.is_folder_hint"),
        "no_folder": t("files.no_folder_hint"),
        "not_regular": t("files.not_regular_hint"),
        "name_too_long": t("files.name_too_long_hint"),
        "too_big": t("files.too_big_hint"),
        "other": t("files.other_hint"),
    }[code]
    return t("files.cannot_write", path=target, why=why), t("files.unchanged_hint", what=hint)


def ensure_folder(folder: Path) -> None:
    """Create *folder* as 0700 if it does not exist (an existing one is kept as is)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, ValueError) as error:
        if isinstance(error, FileExistsError):  # a file where the folder should be
            error = OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        raise write_error(folder, error) from None


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
        raise Unreadable(path, "os_error", read_reason(error)) from None
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
            # Ask for the size seen plus one byte, not for max_bytes (that buffer would
            # be allocated for every file); a file that grew since is read on, in chunks.
            want = os.fstat(handle.fileno()).st_size + 1
            data = handle.read(want)
            while len(data) == want and len(data) <= max_bytes:
                want = min(65536, max_bytes + 1 - len(data))
                more = handle.read(want)
                data += more
                if len(more) < want:
                    break
        except OSError as error:
            raise Unreadable(path, "os_error", read_reason(error)) from None
    if len(data) > max_bytes:
        raise Unreadable(path, "too_big", str(len(data)))
    return data


# Why a file cannot be read, in the user's language (the OS's own text is English).
_READ_REASONS = {
    errno.EACCES: "files.denied",
    errno.EPERM: "files.denied",
    errno.ELOOP: "files.loop",
    errno.ENAMETOOLONG: "files.name_too_long",
    errno.ENOTDIR: "files.not_a_folder_in_path",
    errno.EIO: "files.io_error",
}


def read_reason(error: BaseException) -> str:
    """Why reading failed, one phrase in the catalog's words (else the OS's own text)."""
    from tracesguide.i18n import t

    if isinstance(error, ValueError):  # a NUL in the name
        return t("files.bad_name")
    number = error.errno if isinstance(error, OSError) else None
    key = _READ_REASONS.get(number) if number is not None else None
    return t(key) if key else _strerror(error)


def _strerror(error: BaseException) -> str:
    """The OS's reason in the user's language for the errors we know, else its own text."""
    from tracesguide.i18n import t

    number = error.errno if isinstance(error, OSError) else None
    known = {
        errno.ENOSPC: "files.no_space",
        errno.EROFS: "files.read_only",
        errno.EACCES: "files.denied",
        errno.EPERM: "files.denied",
        errno.ELOOP: "files.loop",
        errno.EISDIR: "files.is_folder",
        errno.ENOENT: "files.no_folder",
        errno.ENOTDIR: "files.no_folder",
        errno.ENAMETOOLONG: "files.name_too_long",
        errno.EFBIG: "files.too_big",
    }
    if number in known:
        return t(known[number])
    return (error.strerror if isinstance(error, OSError) else None) or type(error).__name__
