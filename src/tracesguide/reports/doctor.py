"""``tracesguide doctor``: what on this machine stands in the guide's way, and what to do.

Each check looks at one thing for real (the terminal, the locale, the keyring backend,
the state file, its folder and lock, the operator index, the data folder, the directory's
address, Chromium) and gives a :class:`Check`: a verdict, what was found and what to do.
No drawing here (``views.doctor`` draws, ``cli`` runs the command); the sentences come
from the catalog.

Verdicts: ``ok``; ``info`` (worth knowing, nothing to do); ``warning`` (the guide works,
less well); ``problem`` (something to fix: the command exits 1). Documented in
docs/support.md.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from tracesguide.i18n import t
from tracesguide.system.errors import TracesguideError

Verdict = Literal["ok", "info", "warning", "problem"]
VERDICTS: tuple[Verdict, ...] = ("ok", "info", "warning", "problem")
# An index older than this is stale: certificates are issued, renewed and withdrawn
# every week, and the guide checks the importer's certificate against it.
STALE_DAYS = 30
# Narrower than this, the guide's panels and tables wrap badly.
MIN_COLUMNS = 60
CHROMIUM_ENV = "TRACESGUIDE_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
EXIT_ALL_GOOD = 0
EXIT_SOMETHING_TO_FIX = 1


@dataclass(frozen=True)
class Check:
    """One thing looked at: its id, the verdict, what was found, what to do (if anything)."""

    id: str
    verdict: Verdict
    found: str
    todo: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "verdict": self.verdict, "found": self.found, "todo": self.todo}


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def problems(self) -> int:
        return sum(check.verdict == "problem" for check in self.checks)

    @property
    def warnings(self) -> int:
        return sum(check.verdict == "warning" for check in self.checks)

    def exit_code(self) -> int:
        return EXIT_SOMETHING_TO_FIX if self.problems else EXIT_ALL_GOOD

    def as_json(self) -> dict[str, Any]:
        return {
            "checks": [check.as_json() for check in self.checks],
            "problems": self.problems,
            "warnings": self.warnings,
        }


def run(
    state_option: Path | None,
    *,
    online: bool = False,
    now: datetime | None = None,
    stdout: TextIO | None = None,
) -> Report:
    """Every check, in the order a person reads them; none raises."""
    moment = now or datetime.now(UTC)
    stream = stdout or sys.stdout
    checks: list[tuple[str, Callable[[], list[Check]]]] = [
        ("terminal", lambda: [terminal(stream)]),
        ("encoding", lambda: [encoding(stream)]),
        ("locale", lambda: [locale_check()]),
        ("keyring", lambda: [keyring_check()]),
        ("state_file", lambda: state_checks(state_option)),
        ("index", lambda: [index_check(moment)]),
        ("data_folder", lambda: [data_folder_check()]),
        ("directory_url", lambda: [url_check(online)]),
        ("chromium", lambda: [chromium_check()]),
    ]
    found: list[Check] = []
    for name, check in checks:
        try:
            found.extend(check())
        except (OSError, ValueError, RuntimeError) as error:  # a path the OS refuses
            found.append(Check(name, "problem", _os_text(Path("?"), error), t("doctor.path_todo")))
    return Report(tuple(found))


# --- the terminal ----------------------------------------------------------------------


def terminal(stream: TextIO) -> Check:
    try:
        fd = stream.fileno()
        is_terminal = os.isatty(fd)
    except (AttributeError, OSError, ValueError):
        fd, is_terminal = -1, False
    if not is_terminal:
        return Check("terminal", "info", t("doctor.terminal_none"))
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        return Check("terminal", "info", t("doctor.terminal_none"))
    found = t("doctor.terminal_size", columns=size.columns, lines=size.lines)
    if size.columns < MIN_COLUMNS:
        return Check(
            "terminal", "warning", found, t("doctor.terminal_narrow_todo", columns=MIN_COLUMNS)
        )
    return Check("terminal", "ok", found)


def encoding(stream: TextIO) -> Check:
    import codecs

    name = getattr(stream, "encoding", None) or "?"
    try:
        utf = codecs.lookup(name).name.startswith("utf")
    except LookupError:
        utf = False
    found = t("doctor.encoding_found", encoding=name)
    if utf:
        return Check("encoding", "ok", found)
    return Check("encoding", "warning", found, t("doctor.encoding_todo"))


def locale_check() -> Check:
    import locale

    from tracesguide.i18n import LOCALE_VARIABLES, from_environment

    named = next(((var, os.environ[var]) for var in LOCALE_VARIABLES if os.environ.get(var)), None)
    preferred = locale.getpreferredencoding(False)
    language = from_environment()
    if named is None:
        found = t("doctor.locale_unset", language=language, encoding=preferred)
    else:
        found = t(
            "doctor.locale_found",
            variable=named[0],
            value=_short(named[1]),
            language=language,
            encoding=preferred,
        )
    if "utf" not in preferred.lower().replace("-", ""):
        return Check("locale", "warning", found, t("doctor.locale_todo"))
    return Check("locale", "ok", found)


# --- the keyring -------------------------------------------------------------------------


def keyring_check() -> Check:
    from tracesguide.system.secrets import described_backends

    backends = described_backends()
    trusted = [name for name, kind in backends if kind == "trusted"]
    if trusted:
        return Check("keyring", "ok", t("doctor.keyring_trusted", backend=trusted[0]))
    kinds = {kind for _, kind in backends}
    names = ", ".join(name for name, _ in backends if name) or "?"
    if "file" in kinds:
        return Check(
            "keyring",
            "problem",
            t("doctor.keyring_file", backend=names),
            t("doctor.keyring_file_todo"),
        )
    if "error" in kinds:
        return Check("keyring", "warning", t("doctor.keyring_error"), t("doctor.keyring_todo"))
    if kinds <= {"none"}:
        return Check(
            "keyring", "warning", t("doctor.keyring_none", backend=names), t("doctor.keyring_todo")
        )
    return Check(
        "keyring", "warning", t("doctor.keyring_unknown", backend=names), t("doctor.keyring_todo")
    )


# --- the state file, its folder and its lock ------------------------------------------


def state_checks(option: Path | None) -> list[Check]:
    from tracesguide.system.paths import resolve_state_path

    try:
        path, _ = resolve_state_path(option)
    except TracesguideError as error:
        return [Check("state_file", "problem", error.message, error.hint)]
    return [state_file(path), state_folder(path.parent), state_lock(path)]


def state_file(path: Path) -> Check:
    from tracesguide.state import store

    shown = _path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Check("state_file", "info", t("doctor.state_none", path=shown))
    except (OSError, ValueError) as error:
        return Check("state_file", "problem", _os_text(path, error), t("doctor.path_todo"))
    try:
        store.load(path)
    except TracesguideError as error:
        return Check("state_file", "problem", error.message, error.hint)
    mode = (os.stat(path) if stat.S_ISLNK(info.st_mode) else info).st_mode
    if mode & 0o077:
        return Check(
            "state_file",
            "problem",
            t("doctor.state_shared", path=shown, mode=f"{stat.S_IMODE(mode):04o}"),
            t("doctor.state_shared_todo", path=shown),
        )
    return Check("state_file", "ok", t("doctor.state_ok", path=shown))


def state_folder(folder: Path) -> Check:
    verdict = _folder(folder)
    if verdict is not None:
        return Check("state_folder", "problem", verdict[0], verdict[1])
    shown = _path(folder)
    if not folder.exists():
        return Check("state_folder", "ok", t("doctor.folder_will_be_made", path=shown))
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        return Check(
            "state_folder",
            "warning",
            t("doctor.folder_shared", path=shown, mode=f"{mode:04o}"),
            t("doctor.folder_shared_todo", path=shown),
        )
    return Check("state_folder", "ok", t("doctor.folder_ok", path=shown))


def state_lock(path: Path) -> Check:
    from tracesguide.state.store import lock_holder

    status, pid, command = lock_holder(path)
    lock = _path(path.with_name(path.name + ".lock"))
    if status == "free":
        return Check("state_lock", "ok", t("doctor.lock_free"))
    if status == "not_file":
        return Check(
            "state_lock",
            "problem",
            t("doctor.lock_not_file", path=lock),
            t("doctor.lock_not_file_todo"),
        )
    if status == "held":
        who = t("doctor.lock_who_unknown")
        if pid is not None:
            who = t("doctor.lock_who", pid=pid, command=_short(command or "?"))
        return Check(
            "state_lock", "warning", t("doctor.lock_held", who=who), t("doctor.lock_held_todo")
        )
    return Check("state_lock", "info", t("doctor.lock_unknown"))


# --- the operator index and the data folder ------------------------------------------


def index_check(now: datetime) -> Check:
    from tracesguide.operators import DIRECTORY_ENV, read_index_info
    from tracesguide.system.errors import DirectoryError

    if os.environ.get(DIRECTORY_ENV):
        return Check(
            "index",
            "info",
            t("doctor.index_env", variable=DIRECTORY_ENV, path=_short(os.environ[DIRECTORY_ENV])),
        )
    try:
        info = read_index_info()
    except DirectoryError as error:
        return Check("index", "problem", error.message, error.hint)
    if info is None:
        return Check("index", "warning", t("doctor.index_sample"), t("doctor.index_fetch_todo"))
    try:
        imported = datetime.fromisoformat(info.imported_at)
        if imported.tzinfo is None:
            imported = imported.replace(tzinfo=UTC)
        days = (now - imported).days
    except (ValueError, TypeError):
        days = None
    source = t("doctor.index_from_fetch") if info.fetch is not None else t("doctor.index_from_file")
    todo = t("doctor.index_fetch_todo") if info.fetch is not None else t("doctor.index_import_todo")
    if days is None:
        return Check("index", "warning", t("doctor.index_no_date", rows=info.rows), todo)
    found = t("doctor.index_found", rows=info.rows, days=max(days, 0), source=source)
    if days > STALE_DAYS:
        return Check(
            "index", "problem", t("doctor.index_stale", found=found, limit=STALE_DAYS), todo
        )
    return Check("index", "ok", found)


def data_folder_check() -> Check:
    from tracesguide.system.paths import data_dir

    folder = data_dir()
    verdict = _folder(folder)
    if verdict is not None:
        return Check("data_folder", "problem", verdict[0], verdict[1])
    shown = _path(folder)
    if not folder.exists():
        return Check("data_folder", "ok", t("doctor.folder_will_be_made", path=shown))
    return Check("data_folder", "ok", t("doctor.folder_ok", path=shown))


# --- the directory's address, Chromium --------------------------------------------------


def url_check(online: bool) -> Check:
    from tracesguide.operators.fetch import base_url_from_env, probe

    try:
        url = base_url_from_env()
    except TracesguideError as error:
        return Check("directory_url", "problem", error.message, error.hint)
    from urllib.parse import urlsplit

    host = _short(urlsplit(url).netloc)
    if not online:
        return Check("directory_url", "ok", t("doctor.url_well_formed", host=host))
    try:
        code = probe(url)
    except TracesguideError as error:
        return Check(
            "directory_url",
            "problem",
            t("doctor.url_failed", host=host, why=error.message),
            t("doctor.url_todo"),
        )
    if code >= 400:
        return Check(
            "directory_url",
            "problem",
            t("doctor.url_refused", host=host, code=code),
            t("doctor.url_todo"),
        )
    return Check("directory_url", "ok", t("doctor.url_reachable", host=host, code=code))


def chromium_check() -> Check:
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        if os.access(named, os.X_OK) and Path(named).is_file():
            return Check("chromium", "ok", t("doctor.chromium_found", path=_short(named)))
        return Check(
            "chromium",
            "problem",
            t("doctor.chromium_bad", variable=CHROMIUM_ENV, path=_short(named)),
            t("doctor.chromium_bad_todo", variable=CHROMIUM_ENV),
        )
    found = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    if found:
        return Check("chromium", "ok", t("doctor.chromium_found", path=_short(found)))
    return Check("chromium", "info", t("doctor.chromium_none"), t("doctor.chromium_todo"))


# --- shared ------------------------------------------------------------------------------


def _folder(folder: Path) -> tuple[str, str] | None:
    """What stops tracesguide from writing in *folder* (made if missing), or None.

    Tried for real: the first folder of the path that exists must be a folder in which a
    file can be created (a probe file, removed at once); permission bits alone say
    nothing to root nor to a read-only file system."""
    from tracesguide.system.files import probe_writable, write_error

    existing = folder
    try:
        while not os.path.lexists(existing) and existing.parent != existing:
            existing = existing.parent
        if existing.is_symlink() and not existing.exists():
            return t("doctor.folder_dangling", path=_path(existing)), t("doctor.path_todo")
        if not existing.is_dir():
            import errno

            error = write_error(folder, OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)))
            return error.message, error.hint or ""
        _names_fit(existing, folder)
        probe_writable(existing / f".tracesguide-doctor.{os.getpid()}.tmp")
    except TracesguideError as error:
        return error.message, error.hint or ""
    except (OSError, ValueError, RuntimeError) as error:
        return _os_text(folder, error), t("doctor.path_todo")
    return None


def _names_fit(existing: Path, folder: Path) -> None:
    """ENAMETOOLONG for a folder still to be made whose name the file system refuses."""
    import errno

    from tracesguide.system.files import write_error

    try:
        longest = os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        longest = 255
    missing = folder.parts[len(existing.parts) :]
    if (
        any(len(os.fsencode(name)) > longest for name in missing)
        or len(os.fsencode(str(folder))) >= 4096
    ):
        raise write_error(folder, OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG)))


def _os_text(path: Path, error: BaseException) -> str:
    from tracesguide.system.files import write_error

    return write_error(path, error).message


def _path(path: Path) -> str:
    return _short(str(path), 200)


def _short(text: str, limit: int = 120) -> str:
    from tracesguide.system.errors import shorten

    return shorten(text, limit)
