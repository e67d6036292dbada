"""Where tracesguide keeps its files, resolved in one place.

Order for the state file: ``--state PATH`` > ``TRACESGUIDE_STATE`` > the platform's user
state folder (``tracesguide/state.toml``). Tests point every folder at a temporary one
through the environment, so they never touch a real home.
"""

import os
from pathlib import Path

APP_NAME = "tracesguide"
STATE_ENV = "TRACESGUIDE_STATE"
DATA_ENV = "TRACESGUIDE_DATA_DIR"
DEFAULT_STATE_NAME = "state.toml"  # in the platform's user state folder, under APP_NAME


def default_state_path() -> Path:
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False) / DEFAULT_STATE_NAME


def resolve_state_path(option: Path | None) -> tuple[Path, bool]:
    """Return the state path and whether the user named it explicitly.

    A named file that does not exist is an error for the reading commands;
    a missing file at the default path only means "not started".
    """
    if option is not None:
        return _name_fits(option), True
    env = os.environ.get(STATE_ENV)
    if env:
        if env.endswith(("/", os.sep)):  # names a folder: never read or written as a file
            from tracesguide.i18n import t
            from tracesguide.system.errors import StateError

            raise StateError(
                t("state.folder_not_file", path=env), t("state.folder_not_file_hint", path=env)
            )
        return _name_fits(Path(env)), True
    return default_state_path(), False


def _name_fits(path: Path) -> Path:
    """*path*, unless the file system cannot hold such a name (a part longer than 255
    bytes, the whole past 4 095): one line naming it (cut), before any command uses it."""
    try:
        longest = os.pathconf(path.anchor or ".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        longest = 255
    raw = os.fsencode(str(path))
    if len(raw) < 4096 and all(len(os.fsencode(part)) <= longest for part in path.parts):
        return path
    from tracesguide.i18n import t
    from tracesguide.system.errors import StateError, shorten

    raise StateError(
        t("state.name_too_long", path=shorten(str(path), 120)), t("files.name_too_long_hint")
    )


def data_dir() -> Path:
    """The user data folder (operator index, messages to attach)."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)
