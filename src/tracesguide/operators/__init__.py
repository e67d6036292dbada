"""The TRACES NT operator directory: read it, import it, search it.

The library API the wizard calls (no printing; files are read only by the ``load_*``
and ``import_directory`` functions)::

    directory = load_default_directory()          # or load_directory(path)
    matches = search(directory, "cooperative du moulin", country="FR", limit=5)
    for match in matches:
        match.operator.name, match.operator.traces_number, match.score

Operator text comes from files someone else wrote: sanitise it before display
(``tracesguide.system.sanitize.inert``). When the person does not find their company, show
:func:`not_found_rule`.
"""

from __future__ import annotations

from tracesguide.operators.formats import DOCUMENTED_COLUMNS, ParsedDirectory, read_directory_file
from tracesguide.operators.index import (
    ImportResult,
    IndexInfo,
    import_directory,
    index_path,
    read_index_info,
)
from tracesguide.operators.match import MIN_SCORE, search
from tracesguide.operators.model import Directory, DirectorySource, Match, Operator, RowProblem
from tracesguide.operators.normalize import name_key
from tracesguide.operators.sources import (
    DIRECTORY_ENV,
    load_default_directory,
    load_directory,
    load_sample,
)


def not_found_rule() -> str:
    """What to do when the company is not in the directory (the rule of the guide).

    Seed 004: "Really didn't find the operator you belong to? In this case only you
    might consider creating a new one"; the TRACES NT help: "do not create duplicate
    operators"; Certipaq BIO creates the profile with the first certificate.
    """
    from tracesguide.i18n import t

    return t("operators.not_found_rule")


__all__ = [
    "DIRECTORY_ENV",
    "DOCUMENTED_COLUMNS",
    "MIN_SCORE",
    "Directory",
    "DirectorySource",
    "ImportResult",
    "IndexInfo",
    "Match",
    "Operator",
    "ParsedDirectory",
    "RowProblem",
    "import_directory",
    "index_path",
    "load_default_directory",
    "load_directory",
    "load_sample",
    "name_key",
    "not_found_rule",
    "read_directory_file",
    "read_index_info",
    "search",
]
