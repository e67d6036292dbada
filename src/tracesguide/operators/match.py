"""Search a directory: exact identifiers first, then forgiving fuzzy matching on names.

No I/O and no printing: a pure function of a loaded :class:`Directory` and a query.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from tracesguide.operators.model import Directory, Match, MatchedOn
from tracesguide.operators.normalize import (
    country_code,
    id_key,
    looks_like_id,
    name_key,
    text_key,
)
from tracesguide.system.errors import DirectoryError

# Below this fuzzy score a name is not offered. WRatio gives ~95 for one typo in a
# ten-letter name and ~90 for a name typed partly; unrelated names stay under ~70.
MIN_SCORE = 75.0
# Fuzzy candidates fetched beyond the limit, so that ties can be re-ranked.
_EXTRA_CANDIDATES = 20


def _facet(line: str) -> list[str]:
    parts = line.split("\t")
    if len(parts) != 4:
        from tracesguide.i18n import t

        raise DirectoryError(t("operators.index_corrupt"), t("operators.index_hint"))
    return parts


def _filter(
    directory: Directory, country: str | None, activity: str | None
) -> Sequence[int] | None:
    """Positions that pass the filters, or None when there is no filter (all of them)."""
    facets = directory.facets
    positions: Sequence[int] | None = None
    if country is not None:
        code = id_key(country_code(country))
        if not code:
            return []
        prefix = code + "\t"
        positions = [i for i, line in enumerate(facets) if line.startswith(prefix)]
    if activity is not None:
        wanted = text_key(activity).split()
        pool = range(len(facets)) if positions is None else positions
        positions = [i for i in pool if all(w in _facet(facets[i])[3] for w in wanted)]
    return positions


def _id_matches(
    directory: Directory, identifier: str, pool: Sequence[int] | None
) -> list[tuple[int, MatchedOn]]:
    """Operators whose TRACES number or certificate reference is *identifier*."""
    wanted = id_key(identifier)
    if not wanted:
        return []
    facets = directory.facets
    found: list[tuple[int, MatchedOn]] = []
    positions = range(len(facets)) if pool is None else pool
    for i in positions:
        line = facets[i]
        if wanted not in line:  # cheap test first: most lines do not contain it at all
            continue
        _, traces_number, reference, _ = _facet(line)
        if traces_number == wanted:
            found.append((i, "traces_number"))
        elif reference == wanted:
            found.append((i, "reference"))
    return found


def search(
    directory: Directory,
    text: str | None = None,
    *,
    country: str | None = None,
    activity: str | None = None,
    traces_number: str | None = None,
    limit: int = 10,
    min_score: float = MIN_SCORE,
) -> list[Match]:
    """Find operators, best first, at most *limit*.

    - *text*: a name, typed as a person would (no accents, small words or legal form,
      a typo), or a TRACES number / certificate reference: an exact identifier match
      has score 100 and then no name matches are added.
    - *country* (code or name), *activity* (words of the activity) and
      *traces_number* (exact TRACES number or certificate reference) restrict the
      results.
    - Without *text*, every operator that passes the restrictions matches (score 100),
      in alphabetical order.
    """
    if limit < 1:
        return []
    pool = _filter(directory, country, activity)
    if traces_number is not None:
        id_hits = _id_matches(directory, traces_number, pool)
        pool = [i for i, _ in id_hits]
        if not text:
            return [Match(directory.fetch(i), 100.0, on) for i, on in id_hits[:limit]]
    if not text:
        positions = range(len(directory)) if pool is None else pool
        keys = directory.keys
        first = heapq.nsmallest(limit, positions, key=keys.__getitem__)
        return [Match(directory.fetch(i), 100.0, "filters") for i in first]

    results: list[Match] = []
    seen: set[int] = set()
    if looks_like_id(text):
        for i, on in _id_matches(directory, text, pool)[:limit]:
            results.append(Match(directory.fetch(i), 100.0, on))
            seen.add(i)
    query = name_key(text)
    # An exact identifier is the answer: names that merely look like it would be noise.
    if query and not results:
        for i, score in _fuzzy(directory, query, pool, limit, seen, min_score):
            results.append(Match(directory.fetch(i), score, "name"))
    return results


def _fuzzy(
    directory: Directory,
    query: str,
    pool: Sequence[int] | None,
    limit: int,
    seen: set[int],
    min_score: float,
) -> list[tuple[int, float]]:
    from rapidfuzz import fuzz, process

    keys = directory.keys
    choices: Sequence[str] = keys if pool is None else [keys[i] for i in pool]
    found = process.extract(
        query,
        choices,
        scorer=fuzz.WRatio,
        processor=None,
        limit=limit + len(seen) + _EXTRA_CANDIDATES,
        score_cutoff=min_score,
    )
    ranked: list[tuple[float, float, int]] = []
    for choice, score, position in found:
        index = position if pool is None else pool[position]
        if index in seen:
            continue
        # Ties (several names containing the query) go to the closest in length and spelling.
        ranked.append((score, fuzz.ratio(query, choice), index))
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [(index, round(score, 1)) for score, _, index in ranked[:limit]]
