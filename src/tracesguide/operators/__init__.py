"""The TRACES NT operator directory: read it, import it, search it.

The library API the wizard calls (no printing; files are read only by the ``load_*``
and ``import_directory`` functions)::

    directory = load_default_directory()          # or load_directory(path)
    matches = search(directory, "cooperative du moulin", country="FR", limit=5)
    for match in matches:
        match.operator.name, match.operator.traces_number, match.score

Operator text comes from files someone else wrote: sanitise it before display
(``tracesguide.sanitize.inert``). When the person does not find their company, show
:data:`NOT_FOUND_RULE`.
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

# The rule of the guide (seed 004: "Really didn't find the operator you belong to? In this
# case only you might consider creating a new one") and of the TRACES NT help ("do not
# create duplicate operators"; Certipaq BIO creates the profile with the first certificate).
NOT_FOUND_RULE = (
    "Votre entreprise n'est pas dans la liste ? Cherchez encore avec moins de mots, sans "
    "forme juridique, ou avec son numéro TRACES, et vérifiez auprès de Certipaq BIO : "
    "c'est Certipaq BIO qui crée le profil d'opérateur avec votre premier certificat de "
    "conformité. Ne créez un nouvel opérateur dans TRACES NT que s'il n'existe vraiment "
    "pas : jamais de doublon."
)

__all__ = [
    "DIRECTORY_ENV",
    "DOCUMENTED_COLUMNS",
    "MIN_SCORE",
    "NOT_FOUND_RULE",
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
    "read_directory_file",
    "read_index_info",
    "search",
]
