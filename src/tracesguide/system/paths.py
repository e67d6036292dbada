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


def default_state_path() -> Path:
    from platformdirs import user_state_path

    return user_state_path(APP_NAME, appauthor=False) / "state.toml"


def resolve_state_path(option: Path | None) -> tuple[Path, bool]:
    """Return the state path and whether the user named it explicitly.

    A named file that does not exist is an error for the reading commands;
    a missing file at the default path only means "not started".
    """
    if option is not None:
        return option, True
    env = os.environ.get(STATE_ENV)
    if env:
        if env.endswith(("/", os.sep)):  # names a folder: never read or written as a file
            from tracesguide.i18n import t
            from tracesguide.system.errors import StateError

            raise StateError(
                t("state.folder_not_file", path=env), t("state.folder_not_file_hint", path=env)
            )
        return Path(env), True
    return default_state_path(), False


def data_dir() -> Path:
    """The user data folder (operator index, messages to attach)."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)
