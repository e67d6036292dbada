"""Search a directory: exact identifiers first, then forgiving fuzzy matching on names.

No printing: a function of a loaded :class:`Directory` and a query. A directory in
memory (a file, the sample) is searched in memory; the index is asked in SQL
(:class:`~tracesguide.operators.index.SqliteIndex`): filters and identifiers through its
SQL indexes, and names through a candidate prefilter, its trigram table. A candidate
is a name that holds every word of the query but one (each word of six letters or more
needs only one of its halves, so that one typo per word still matches); rapidfuzz then
scores the candidates only. When fewer than *limit* of them score enough, every name is
compared (``Match.full_scan``), as a directory in memory always is.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from itertools import combinations

from tracesguide.operators.index import SqliteIndex
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
# Words of a query the prefilter looks for (the longest ones).
_PREFILTER_WORDS = 8


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
    if isinstance(directory.store, SqliteIndex):
        return _search_index(
            directory.store, text, country, activity, traces_number, limit, min_score
        )
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
        keys = directory.keys
        choices: Sequence[str] = keys if pool is None else [keys[i] for i in pool]
        found = _extract(query, choices, pool, limit, min_score)
        for i, score in _ranked(query, found, limit):
            results.append(Match(directory.fetch(i), score, "name", full_scan=True))
    return results


_Found = list[tuple[str, float, int]]


def _extract(
    query: str, choices: Sequence[str], ids: Sequence[int] | None, limit: int, min_score: float
) -> _Found:
    """The best (name, score, id) of *choices* (ids: their positions, or *ids*)."""
    from rapidfuzz import fuzz, process

    found = process.extract(
        query,
        choices,
        scorer=fuzz.WRatio,
        processor=None,
        limit=limit + _EXTRA_CANDIDATES,
        score_cutoff=min_score,
    )
    if ids is None:
        return [(choice, score, position) for choice, score, position in found]
    return [(choice, score, ids[position]) for choice, score, position in found]


def _ranked(query: str, found: _Found, limit: int) -> list[tuple[int, float]]:
    """Ties (several names containing the query) go to the closest in length and spelling."""
    from rapidfuzz import fuzz

    ranked = [(score, fuzz.ratio(query, choice), i) for choice, score, i in found]
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [(i, round(score, 1)) for score, _, i in ranked[:limit]]


# --- the index, in SQL ---------------------------------------------------------------------


def _sql_filters(country: str | None, activity: str | None) -> tuple[str, list[object]] | None:
    """The SQL condition of the filters and its parameters; None when nothing can pass."""
    clauses: list[str] = []
    params: list[object] = []
    if country is not None:
        code = id_key(country_code(country))
        if not code:
            return None
        clauses.append("country_key = ?")
        params.append(code)
    if activity is not None:
        for word in text_key(activity).split():
            clauses.append("instr(activities_key, ?) > 0")
            params.append(word)
    return " AND ".join(clauses), params


def _search_index(
    store: SqliteIndex,
    text: str | None,
    country: str | None,
    activity: str | None,
    traces_number: str | None,
    limit: int,
    min_score: float,
) -> list[Match]:
    filters = _sql_filters(country, activity)
    if filters is None:
        return []
    where, params = filters

    def matches(
        hits: Iterable[tuple[int, float, MatchedOn]], full_scan: bool = False
    ) -> list[Match]:
        chosen = list(hits)
        found = store.operators([i for i, _, _ in chosen])
        return [
            Match(op, score, on, full_scan=full_scan)
            for op, (_, score, on) in zip(found, chosen, strict=True)
        ]

    pool: list[int] | None = None
    if traces_number is not None:
        id_hits = _index_ids(store, traces_number, where, params)
        pool = [i for i, _ in id_hits]
        if not text:
            return matches((i, 100.0, on) for i, on in id_hits[:limit])
    if not text:
        if pool is None:
            first = store.first_by_name(limit, where, params)
        else:
            keys = dict(zip(pool, store.keys_of(pool), strict=True))
            first = heapq.nsmallest(limit, pool, key=lambda i: (keys[i], i))
        return matches((i, 100.0, "filters") for i in first)
    if looks_like_id(text):
        hits = _index_ids(store, text, where, params)
        if pool is not None:
            allowed = set(pool)
            hits = [hit for hit in hits if hit[0] in allowed]
        if hits:
            return matches((i, 100.0, on) for i, on in hits[:limit])
    query = name_key(text)
    if not query:
        return []
    if pool is not None:
        found = _extract(query, store.keys_of(pool), pool, limit, min_score)
        return matches(((i, s, "name") for i, s in _ranked(query, found, limit)), True)
    expression = prefilter_expression(query) if store.prefilter else None
    if expression is not None:
        ids, names = store.candidates(expression, where, params)
        found = _extract(query, names, ids, limit, min_score)
        if len(found) >= limit:
            return matches((i, s, "name") for i, s in _ranked(query, found, limit))
    found = []
    for ids, names in store.key_chunks(where, params):
        found += _extract(query, names, ids, limit, min_score)
        found.sort(key=lambda item: (-item[1], item[2]))
        del found[limit + _EXTRA_CANDIDATES :]
    return matches(((i, s, "name") for i, s in _ranked(query, found, limit)), True)


def _index_ids(
    store: SqliteIndex, identifier: str, where: str, params: list[object]
) -> list[tuple[int, MatchedOn]]:
    wanted = id_key(identifier)
    if not wanted:
        return []
    return [
        (i, "traces_number" if is_number else "reference")
        for i, is_number in store.by_identifier(wanted, where, params)
    ]


def _trigrams(text: str) -> str:
    """Names holding every trigram of *text* (the table keeps no positions, so this is
    a little wider than holding *text*: rapidfuzz sorts them out)."""
    grams = dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2))
    return "(" + " AND ".join(f'"{gram}"' for gram in grams) + ")"


def prefilter_expression(query: str) -> str | None:
    """The FTS5 trigram query of the candidates of *query* (see the module's docstring),
    or None when no word has three letters (a trigram needs three)."""
    words = sorted({w for w in query.split() if len(w) >= 3}, key=len, reverse=True)
    terms: list[str] = []
    for word in words[:_PREFILTER_WORDS]:
        if len(word) >= 6:
            half = len(word) // 2
            terms.append(f"({_trigrams(word[:half])} OR {_trigrams(word[half:])})")
        else:
            terms.append(_trigrams(word))
    if not terms:
        return None
    if len(terms) < 3:
        return " AND ".join(terms)
    return " OR ".join(
        "(" + " AND ".join(group) + ")" for group in combinations(terms, len(terms) - 1)
    )
