"""Typo tolerance of the ``database`` backend: misspelt query terms read as the nearest terms of the index.

The engines have ``fuzziness``; SQLite FTS5 and PostgreSQL full-text search do not. Here each process keeps
the vocabulary of the index (the stems of every entry: an ``fts5vocab`` table on SQLite, ``ts_stat`` on
PostgreSQL), checked against the index token before use as the facet copy is (``database_facets``), and a
stem that is not in it is matched by edit distance (rapidfuzz's Levenshtein, the engines' ``AUTO`` limits:
one edit up to 5 letters, two beyond) — «биссиктрис» → «биссектрис», «паралелограм» → «параллелограмм».
Only the strict pass of a query that found nothing asks (:meth:`BaseSearchBackend.answer`), so the common
path never loads it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from django.db import connections
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..relaxation import max_edits
from .database_facets import current_token

ALTERNATIVES = 3
_SQLITE_VOCABULARY = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fts_vocab USING fts5vocab(main, search_fts, row)"
_QUERIES = {
    "sqlite": "SELECT term FROM temp.search_fts_vocab",
    "postgresql": "SELECT word FROM ts_stat('SELECT search_vector FROM search_searchentry WHERE published')",
}


class Vocabularies:
    """The index vocabulary of each database alias, reloaded when the index token has moved."""

    def __init__(self) -> None:
        self._loaded: dict[str, tuple[str | None, tuple[str, ...], frozenset[str]]] = {}
        self._lock = threading.Lock()

    def terms(self, using: str) -> tuple[tuple[str, ...], frozenset[str]]:
        """Every stem of the index (as a list for matching and as a set for lookups)."""
        with self._lock:
            token = current_token(using)
            loaded = self._loaded.get(using)
            if loaded is None or loaded[0] != token:
                terms = _load(using)
                loaded = (token, terms, frozenset(terms))
                self._loaded[using] = loaded
            return loaded[1], loaded[2]

    def spellings(self, using: str, words: Sequence[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
        """For each (stem, typed word) whose stem the index does not have, the nearest stems it has (fewest
        edits from the stem or from the word as typed, at most 3). Snowball may cut a misspelt word short
        («паралелограм» → «паралелогр»), so the word as typed is compared as well."""
        candidates = [(stem, typed) for stem, typed in dict.fromkeys(words) if max_edits(stem) or max_edits(typed)]
        if not candidates:
            return {}
        listed, known = self.terms(using)
        found: dict[str, tuple[str, ...]] = {}
        for stem, typed in candidates:
            if stem in known:
                continue
            matches: dict[str, int] = {}
            for form in {stem, typed}:
                allowed = max_edits(form)
                if not allowed:
                    continue
                for match, distance, _ in process.extract(
                    form, listed, scorer=Levenshtein.distance, score_cutoff=allowed, limit=ALTERNATIVES * 4
                ):
                    matches[match] = min(distance, matches.get(match, distance))
            if matches:
                fewest = min(matches.values())
                found[stem] = tuple(sorted(term for term, distance in matches.items() if distance == fewest))[
                    :ALTERNATIVES
                ]
        return found


def _load(using: str) -> tuple[str, ...]:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _create_sqlite_vocabulary(cursor)
        cursor.execute(_QUERIES[connection.vendor])
        return tuple(sorted(str(row[0]) for row in cursor.fetchall() if not str(row[0]).isdigit()))


def _create_sqlite_vocabulary(cursor: Any) -> None:
    """The FTS5 vocabulary view, in the connection's own temporary schema.

    A read-only deployment (``DATABASE_READ_ONLY``) opens the file with ``mode=ro`` and sets ``query_only``,
    which refuses even a temporary table; the view lives in ``temp`` (memory), not in the file, so
    ``query_only`` is lifted for this one statement — ``mode=ro`` still keeps the file unwritten.
    """
    cursor.execute("PRAGMA query_only")
    query_only = bool(cursor.fetchone()[0])
    if query_only:
        cursor.execute("PRAGMA query_only = OFF")
    try:
        cursor.execute(_SQLITE_VOCABULARY)
    finally:
        if query_only:
            cursor.execute("PRAGMA query_only = ON")


VOCABULARIES = Vocabularies()
