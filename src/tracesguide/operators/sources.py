"""Load a directory: a named file, TRACESGUIDE_DIRECTORY, the imported index, the sample.

Each loader returns a ``Directory`` that names its source. Files are read and parsed by
``operators.formats`` (CSV, JSON) and ``operators.index`` (the imported index), both
through ``tracesguide.system.files.open_regular``; only the packaged sample is read here.
"""

from __future__ import annotations

import os
from pathlib import Path

from tracesguide.i18n import t
from tracesguide.operators.formats import (
    ProgressCallback,
    parse_directory_bytes,
    read_directory_file,
)
from tracesguide.operators.index import load_index
from tracesguide.operators.model import Directory, DirectorySource, SourceKind
from tracesguide.system.errors import DirectoryError

DIRECTORY_ENV = "TRACESGUIDE_DIRECTORY"
SAMPLE_RESOURCE = "operators/data/operators-sample.csv"


def load_directory(
    path: Path, progress: ProgressCallback | None = None, *, kind: SourceKind = "file"
) -> Directory:
    """Read a CSV or JSON directory file directly (no index)."""
    parsed = read_directory_file(path, progress)
    return Directory.from_operators(
        parsed.operators, DirectorySource(kind, path), parsed.problems, parsed.skipped
    )


def load_sample() -> Directory:
    """The four operators of the Certipaq BIO guide, shipped with the package."""
    from importlib.resources import files

    data = files("tracesguide").joinpath(SAMPLE_RESOURCE).read_bytes()
    parsed = parse_directory_bytes(data, SAMPLE_RESOURCE)
    return Directory.from_operators(
        parsed.operators, DirectorySource("sample"), parsed.problems, parsed.skipped
    )


def load_default_directory() -> Directory:
    """The directory a search uses when none is named.

    In order: the file named by ``TRACESGUIDE_DIRECTORY``, the index written by
    ``tracesguide operators import``, the sample shipped with the package.
    """
    env = os.environ.get(DIRECTORY_ENV)
    if env:
        path = Path(env)
        if not path.exists():  # a folder or a FIFO gets the reader's own error
            raise DirectoryError(
                t("operators.env_missing", variable=DIRECTORY_ENV, path=path),
                t("operators.env_missing_hint", variable=DIRECTORY_ENV),
            )
        return load_directory(path, kind="env")
    return load_index() or load_sample()
