"""The state file on disk: read it safely, write it atomically under a lock, back it up.

Reading checks everything before trusting anything: a file that is not a regular
file, too large, empty, not UTF-8, not TOML, of the wrong shape or from a newer
schema is a ``StateError`` (exit 2) and is left byte-for-byte as it was. Writing goes
through ``files.write_atomic`` (temp file in the same folder, fsync, rename, 0600).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from glob import escape as glob_escape
from pathlib import Path

from tracesguide.state.model import FORBIDDEN_ANSWERS, MAX_BYTES, State, utc_now
from tracesguide.state.schema import from_document, unusable
from tracesguide.system import files, toml
from tracesguide.system.errors import StateError, WriteError, shorten
from tracesguide.system.files import ensure_folder

__all__ = [
    "MAX_BYTES",
    "State",
    "backup",
    "decode",
    "dumps",
    "dumps_within_limit",
    "ensure_folder",
    "load",
    "locked",
    "parse_bytes",
    "parse_text",
    "read_bytes",
    "save",
]

# --- reading -----------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    """Read a state file's bytes, refusing anything but a regular file of sane size."""
    try:
        return files.read_regular(path, MAX_BYTES)
    except files.Unreadable as error:
        from tracesguide.i18n import t

        if error.reason == "missing" and path.is_symlink():  # a link to nothing
            raise unusable(path, t("state.dangling_link"), t("state.dangling_link_hint")) from None
        if error.reason == "missing":
            from tracesguide.system.hints import command

            hint = t("state.new_file_hint", command=command("setup", path))
            raise StateError(t("state.missing", path=path), hint) from None
        if error.reason == "not_regular":
            raise unusable(path, t("state.not_regular")) from None
        if error.reason == "too_big":
            raise unusable(path, t("state.too_big", size=error.detail, limit=MAX_BYTES)) from None
        raise unusable(path, error.detail or t("state.unreadable")) from None


def decode(data: bytes, path: Path) -> str:
    """A state file's text; an empty or non-UTF-8 file is unusable."""
    from tracesguide.i18n import t

    if not data.strip():
        raise unusable(path, t("state.empty"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise unusable(path, t("state.not_utf8", offset=error.start)) from None


def parse_text(text: str, path: Path) -> State:
    """Parse (``tracesguide.system.toml``, the one TOML dialect), migrate and validate."""
    try:
        document = toml.loads(text)
    except toml.TOMLDecodeError as error:
        from tracesguide.i18n import t
        from tracesguide.i18n.wording import toml_error

        why = shorten(toml_error(error).rstrip("."), 200)
        raise unusable(path, t("state.bad_toml", why=why)) from None
    except (ValueError, OverflowError, RecursionError, MemoryError, UnicodeError) as error:
        # Every other way the parser can fail on a hostile file: an integer of more than
        # 4 300 digits (ValueError), nesting too deep, a date out of range, no memory.
        from tracesguide.i18n import t
        from tracesguide.i18n.wording import parser_failure

        raise unusable(path, t("state.unparsable", why=parser_failure(error))) from None
    return from_document(document, path)


def parse_bytes(data: bytes, path: Path) -> State:
    """Decode, parse, migrate and validate a state file's bytes."""
    return parse_text(decode(data, path), path)


def load(path: Path) -> State:
    return parse_bytes(read_bytes(path), path)


# --- writing -----------------------------------------------------------------


def dumps(state: State) -> bytes:
    import tomli_w

    for key in state.answers:
        if key in FORBIDDEN_ANSWERS:
            raise ValueError(f"{key!r} must never be written to the state file")
    return tomli_w.dumps(state.to_toml_dict()).encode("utf-8")


def dumps_within_limit(state: State) -> bytes:
    """``dumps``, the oldest events dropped first if the file would pass the read limit.

    What the tool writes, it reads back: when the file would pass the read limit, the
    oldest quarter of the event log is dropped, again until it fits (replay then starts
    later). Answers and step statuses are never dropped; they are bounded by the content.
    """
    data = dumps(state)
    while len(data) > MAX_BYTES and state.events:
        del state.events[: max(1, len(state.events) // 4)]
        data = dumps(state)
    return data


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def locked(path: Path, timeout: float = 10.0) -> Iterator[None]:
    """Hold the state file's lock: two processes never interleave their writes.

    ``setup`` holds it for its whole run, ``reset`` while it reads, backs up and
    deletes; a folder, a symlink or anything but a regular file where the lock file
    goes is refused (the lock library would otherwise truncate a link's target).
    """
    from filelock import FileLock, Timeout

    from tracesguide.i18n import t

    ensure_folder(path.parent)
    lock_path = _lock_path(path)
    if lock_path.is_symlink() or (lock_path.exists() and not lock_path.is_file()):
        raise StateError(t("state.lock_not_file", path=lock_path), t("state.lock_not_file_hint"))
    # One lock object per path in this process (is_singleton): `setup` holds it for its
    # whole run and each save inside takes it again, reentrantly.
    lock = FileLock(str(lock_path), mode=0o600, is_singleton=True)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        if not lock_path.exists():  # nobody holds it: the lock file cannot be created
            files.probe_writable(lock_path)
        raise StateError(t("state.locked", path=path), t("state.locked_hint")) from None
    except OSError as error:
        raise files.write_error(lock_path, error) from None
    try:
        yield
    finally:
        lock.release()


def save(state: State, path: Path) -> None:
    """Write *state* atomically (``files.write_atomic``), mode 0600, under the lock."""
    data = dumps_within_limit(state)
    with locked(path):
        files.write_atomic(path, [data])


def message_path(state_path: Path, file: str, reminder_on: date | None = None) -> Path:
    """Where a step's message is saved: beside the state file, named after it, so that two
    users' messages in one folder never overwrite each other. A reminder is a new file
    named with its day (``…-message.2026-12-02.txt``): the first message stays as sent."""
    name = f"{state_path.stem}-{file}"
    if reminder_on is not None:
        base = Path(name)
        name = f"{base.stem}.{reminder_on.isoformat()}{base.suffix}"
    return state_path.parent / name


def message_files(state_path: Path, file: str) -> list[Path]:
    """The messages saved for *file*: the first one, then the reminders by day."""
    first = message_path(state_path, file)
    base = Path(first.name)
    reminders = sorted(state_path.parent.glob(f"{glob_escape(base.stem)}.????-??-??{base.suffix}"))
    return [p for p in (first, *reminders) if p.is_file()]


def write_message(target: Path, text: str) -> None:
    """Write a prepared message (to the control body, the organisation) beside the state
    file: its folder made if needed, atomically (``files.write_atomic``), mode 0600."""
    ensure_folder(target.parent)
    files.write_atomic(target, [text.encode("utf-8")])


def backup(path: Path, data: bytes, moment: datetime | None = None) -> Path:
    """Keep *data* (the state being reset) as a timestamped copy beside *path*.

    Call it under ``locked(path)``: the name is free when chosen, and stays so. Two
    backups in the same second get distinct names (``-2``, ``-3``...).
    """
    stamp = (moment or utc_now()).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        target = path.with_name(f"{path.stem}.{stamp}{suffix}.bak{path.suffix}")
        if not (target.exists() or target.is_symlink()):
            files.write_atomic(target, [data])
            return target
    raise WriteError(str(path))  # pragma: no cover - a thousand resets in one second


def lock_holder(path: Path) -> tuple[str, int | None, str | None]:
    """Who holds *path*'s lock, without taking it for long nor creating the lock file.

    (``free`` | ``held`` | ``not_file`` | ``unknown``, the holder's process id when the
    system says it (Linux's ``/proc/locks``), its command line). ``free`` also when no
    lock file exists yet.
    """
    import os
    import stat

    lock_path = _lock_path(path)
    try:
        info = os.lstat(lock_path)
    except FileNotFoundError:
        return ("free", None, None)
    except (OSError, ValueError):
        return ("unknown", None, None)
    if not stat.S_ISREG(info.st_mode):
        return ("not_file", None, None)
    try:
        import fcntl
    except ImportError:  # Windows: the lock is a different mechanism
        return ("unknown", None, None)
    try:
        fd = os.open(lock_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ("unknown", None, None)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _flock_pid(info.st_ino)
            return ("held", pid, _command_line(pid))
        except OSError:
            return ("unknown", None, None)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return ("free", None, None)
    finally:
        os.close(fd)


def _flock_pid(inode: int) -> int | None:
    """The process holding a flock on the file of *inode*, from ``/proc/locks``."""
    try:
        lines = Path("/proc/locks").read_text("ascii", "replace").splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (a blocked waiter has "->")
        if len(fields) >= 6 and fields[1] == "FLOCK" and "->" not in fields:
            where = fields[5].split(":")
            if len(where) == 3 and where[2].isdigit() and int(where[2]) == inode:
                return int(fields[4]) if fields[4].isdigit() else None
    return None


def _command_line(pid: int | None) -> str | None:
    if pid is None:
        return None
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()[:400]
    except OSError:
        return None
    return " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part) or None
