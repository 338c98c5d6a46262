"""The embedded ``database`` backend: SQLite FTS5 or PostgreSQL full-text search, no server needed.

Text is analysed in Python (``search.text``: folding, stop words, Snowball stems) both when indexing and
when querying, so SQLite (which has no Russian stemmer) and PostgreSQL (configuration ``simple``) agree
with each other and with the engines' analyzers. Storage is ``search.models``: a denormalised
:class:`~search.models.SearchEntry` per document with single-valued filter columns, a
:class:`~search.models.SearchEntryValue` row per value of a multi-valued filter, and a full-text index
added by migration 0002 (an FTS5 table, or a weighted ``tsvector`` column with a GIN index).

Ranking mirrors the engine: weighted fields (title 4, keywords and topic titles 2, description and provider
1; BM25 on SQLite, ``ts_rank`` on PostgreSQL), school synonyms, and a multiplier of 2 for a recognised
grade and for a recognised subject. Facet counts and the number of hits come from the process's copy of
the filter values (``database_facets``); paging is keyset on the same sort values as the engine's
``search_after``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, cast

from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from content_repo.text.analysis import analyze_for_index, analyze_prefix, tokenize

from ..documents import FILTER_FIELDS, HIGHLIGHT_FIELDS, SearchDocument
from ..highlight import FRAGMENT_SIZE, highlight
from ..models import (
    FACET_COLUMNS,
    MISSING_DATE_MS,
    MULTI_VALUED_FACETS,
    SearchEntry,
    SearchEntryValue,
)
from ..query import CursorValue, FacetValue, SearchHit, SearchQuery, SearchResults, encode_cursor
from ..relaxation import QueryPlan, QueryWord, typed_form
from ..vocabulary import facet_label
from .base import (
    DEFAULT_CHUNK_SIZE,
    BackendStatus,
    BaseSearchBackend,
    ProgressCallback,
    RebuildResult,
    SearchBackendError,
    chunked,
)
from .database_facets import FACET_INDEXES, FacetIndex, counts_by_scope, record
from .database_sql import DIALECTS, ENTRY_TABLE, VALUE_TABLE, DatabaseQueryCompiler, Dialect, SqlParams
from .database_vocabulary import VOCABULARIES
from .engine import DEFAULT_FACET_SIZE, FACET_SIZES

SUGGEST_CANDIDATES = 10
ANALYZE_AFTER = 1000


class DatabaseResults:
    """Builds :class:`SearchResults` from the rows the database backend fetched."""

    def __init__(self, query: SearchQuery, backend: str) -> None:
        self.query = query
        self.backend = backend

    def empty(self) -> SearchResults:
        facets: dict[str, list[FacetValue]] = {name: [] for name in self.query.facets}
        return SearchResults(0, (), facets, None, self.query.text, backend=self.backend)

    def build(
        self,
        total: int,
        rows: Sequence[tuple[str, float, Mapping[str, Any], tuple[CursorValue, CursorValue]]],
        counts: Mapping[str, Counter[str]],
        terms: frozenset[str],
    ) -> SearchResults:
        page = rows[: self.query.page_size]
        more = len(rows) > self.query.page_size
        return SearchResults(
            total=total,
            hits=tuple(self.hit(doc_id, score, document, terms) for doc_id, score, document, _ in page),
            facets={name: self.facet(name, counts.get(name, Counter())) for name in self.query.facets},
            next_cursor=encode_cursor(self.query, list(page[-1][3])) if more and page else None,
            query_text=self.query.text,
            backend=self.backend,
        )

    def hit(self, doc_id: str, score: float, document: Mapping[str, Any], terms: frozenset[str]) -> SearchHit:
        marked: dict[str, str] = {}
        if self.query.highlight and terms:
            for name in HIGHLIGHT_FIELDS:
                size = None if name == "title" else FRAGMENT_SIZE
                fragment = highlight(str(document.get(name) or ""), terms, size)
                if fragment is not None:
                    marked[name] = fragment
        return SearchHit(id=doc_id, score=score, document=document, highlight=marked)

    def facet(self, name: str, counts: Counter[str]) -> list[FacetValue]:
        """Values by count, then by value (grades as numbers), as the engines' ``terms`` aggregation."""

        def key(item: tuple[str, int]) -> tuple[int, Any]:
            value, count = item
            return (-count, int(value) if name == "grade" and value.isdigit() else value)

        ordered = sorted(((v, n) for v, n in counts.items() if v), key=key)
        size = FACET_SIZES.get(name, DEFAULT_FACET_SIZE)
        return [FacetValue(value, self.label(name, value), count) for value, count in ordered[:size]]

    def label(self, facet: str, value: str) -> str:
        return facet_label(facet, value)


class DatabaseSearchBackend(BaseSearchBackend):
    """``{"BACKEND": "database"}`` (optional ``DATABASE``: a ``DATABASES`` alias, ``default`` by default)."""

    name: ClassVar[str] = "database"
    query_compiler_class: ClassVar[type[Any]] = DatabaseQueryCompiler
    results_class: ClassVar[type[Any]] = DatabaseResults

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(params)
        self.using = str(self.params.get("DATABASE") or "default")

    @property
    def dialect(self) -> Dialect:
        vendor = connections[self.using].vendor
        if vendor not in DIALECTS:
            raise NotImplementedError(f"This search backend does not support the {vendor} database")
        return DIALECTS[vendor]()

    # Searching

    def execute(self, query: SearchQuery, plan: QueryPlan) -> SearchResults:
        compiler = self.query_compiler_class(query, plan, self.dialect)
        results = self.results_class(query, self.name)
        if compiler.matches_nothing:
            return results.empty()
        try:
            total, counts = self._facet_counts(compiler)
            rows = self._page(compiler) if total else []
        except DatabaseError as e:
            raise SearchBackendError(f"database search failed for {query.text!r}: {e}") from e
        built: SearchResults = results.build(total, rows, counts, compiler.highlight_terms())
        return built

    def _page(self, compiler: DatabaseQueryCompiler) -> list[Any]:
        """The page of hits (one more than the page size, to know whether there is a next page)."""
        hits_sql, params = compiler.hits_sql()
        first_key = compiler.sort_keys()[0][0]
        after_sql, after_params = "1 = 1", cast(SqlParams, [])
        after = compiler.query.decoded_cursor()
        if after is not None:
            after_sql, after_params = compiler.after_sql("h", after)
        # Documents (the wide column) are read for the page only.
        sql = (
            f"WITH hits AS MATERIALIZED ({hits_sql}), "
            f"page AS (SELECT h.* FROM hits h WHERE {after_sql} ORDER BY {compiler.order_by('h')} LIMIT %s) "
            f"SELECT p.doc_id, p.score, p.{first_key}, x.document FROM page p "
            f"JOIN {ENTRY_TABLE} x ON x.id = p.id ORDER BY {compiler.order_by('p')}"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [*params, *after_params, compiler.query.page_size + 1])
            fetched = cursor.fetchall()
        return [
            (doc_id, float(score), _json(document), (_cursor_value(sort_value), doc_id))
            for doc_id, score, sort_value, document in fetched
        ]

    def _facet_counts(self, compiler: DatabaseQueryCompiler) -> tuple[int, dict[str, Counter[str]]]:
        """The number of hits and the counts per facet; a facet whose filter is set is counted without that
        filter (multi-select). Counted in Python over the process's copy of the filter values
        (:mod:`search.backends.database_facets`); the database only lists the ids matching the text."""
        matched = self._ids(compiler.match_ids_sql())
        optional = self._ids(compiler.optional_ids_sql()) if matched is None else None
        with FACET_INDEXES.locked(self.using) as index:
            match: bytes | None = None
            if matched is not None:
                match = index.mask_of_ids(matched)
            else:
                ways_in = [
                    FacetIndex.intersect([index.mask_of_values(c.facet, c.values) for c in conditions], index.size)
                    for conditions in compiler.plan.scope()
                ]
                if optional is not None:
                    ways_in.append(index.mask_of_ids(optional))
                if ways_in:
                    match = FacetIndex.union(ways_in, index.size)
            return counts_by_scope(index, match, compiler.query.filters, self._scopes(compiler))

    def _ids(self, select: tuple[str, Any] | None) -> list[Any] | None:
        if select is None:
            return None
        with connections[self.using].cursor() as cursor:
            cursor.execute(*select)
            return cursor.fetchall()

    @staticmethod
    def _scopes(compiler: DatabaseQueryCompiler) -> dict[str | None, list[str]]:
        """The facets to count, by the filter left out of their scope (``None``: none)."""
        scopes: dict[str | None, list[str]] = {}
        for name in compiler.query.facets:
            scopes.setdefault(name if name in compiler.query.filters else None, []).append(name)
        return scopes

    def spellings(self, words: Sequence[QueryWord]) -> dict[str, tuple[str, ...]]:
        """Misspelt words read as the nearest stems of the index (:mod:`.database_vocabulary`)."""
        try:
            return VOCABULARIES.spellings(self.using, [(word.stems[0], typed_form(word.text)) for word in words])
        except DatabaseError as e:
            raise SearchBackendError(f"reading the index vocabulary failed: {e}") from e

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        typed = analyze_prefix(prefix)
        if limit < 1 or not (typed.terms or typed.prefix):
            return []
        d = self.dialect
        params = d.match_params(d.suggest_expression(typed.terms, typed.prefix))
        sql = (
            f"SELECT x.document FROM ({d.suggest_match()}) m JOIN {ENTRY_TABLE} x ON x.id = m.entry_id "
            f"WHERE x.published = %s ORDER BY m.text_score DESC, length(x.title_sort), x.doc_id LIMIT %s"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [*params, True, limit * SUGGEST_CANDIDATES])
            documents = [_json(row[0]) for row in cursor.fetchall()]
        # Stems over-match («теорема» → «теоремы»); keep what the engines' edge n-grams would find: every
        # typed word starts a word of the title or keywords.
        typed_words = tokenize(prefix)
        titles = [d["title"] for d in documents if _completes(typed_words, d.get("suggest") or [d["title"]])]
        return list(dict.fromkeys(titles))[:limit]

    # Indexing

    def index_documents(self, documents: Iterable[SearchDocument]) -> int:
        written = 0
        for chunk in chunked(documents, DEFAULT_CHUNK_SIZE):
            with transaction.atomic(using=self.using):
                removed = self._delete([document.id for document in chunk])
                added = self._insert(chunk)
                record(self.using, added, removed)
            written += len(chunk)
        if written >= ANALYZE_AFTER:
            self._analyze()
        return written

    def delete_documents(self, ids: Sequence[str]) -> int:
        with transaction.atomic(using=self.using):
            record(self.using, removed=self._delete([str(doc_id) for doc_id in ids]))
        return len(ids)

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        progress: ProgressCallback | None = None,
    ) -> RebuildResult:
        """Replace every entry in one transaction: searches see the old entries until it commits."""
        written = 0
        with transaction.atomic(using=self.using):
            replaced = SearchEntry.objects.using(self.using).count()
            with connections[self.using].cursor() as cursor:
                cursor.execute(f"DELETE FROM {VALUE_TABLE}")
                cursor.execute(f"DELETE FROM {ENTRY_TABLE}")
            for chunk in chunked(documents, chunk_size):
                self._insert(chunk)
                written += len(chunk)
                if progress is not None:
                    progress(written)
            record(self.using, full=True)
            self._analyze()
        return RebuildResult(index=ENTRY_TABLE, documents=written, replaced=(ENTRY_TABLE,) if replaced else ())

    def _analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load (PostgreSQL otherwise plans for empty tables)."""
        with connections[self.using].cursor() as cursor:
            if connections[self.using].vendor == "postgresql":
                cursor.execute(f"ANALYZE {ENTRY_TABLE}, {VALUE_TABLE}")
            else:
                cursor.execute("PRAGMA optimize")

    def _delete(self, ids: list[str]) -> list[int]:
        """Delete the entries of documents ``ids``; returns the entry ids removed."""
        removed: list[int] = []
        with connections[self.using].cursor() as cursor:
            for chunk in chunked(ids, DEFAULT_CHUNK_SIZE):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT id FROM {ENTRY_TABLE} WHERE doc_id IN ({marks})", chunk)
                removed.extend(pk for (pk,) in cursor.fetchall())
                cursor.execute(
                    f"DELETE FROM {VALUE_TABLE} WHERE entry_id IN "
                    f"(SELECT id FROM {ENTRY_TABLE} WHERE doc_id IN ({marks}))",
                    chunk,
                )
                cursor.execute(f"DELETE FROM {ENTRY_TABLE} WHERE doc_id IN ({marks})", chunk)
        return removed

    def _insert(self, documents: list[SearchDocument]) -> list[int]:
        """Insert entries for ``documents``; returns the entry ids of the published ones."""
        now = timezone.now()
        entries = SearchEntry.objects.using(self.using).bulk_create([entry_for(d, now) for d in documents])
        # Unpublished entries get no filter values: filters and facet counts never see them.
        values = [
            SearchEntryValue(entry_id=entry.pk, facet=facet, value=value)
            for entry, document in zip(entries, documents, strict=True)
            if document.published
            for facet, value in multi_values(document)
        ]
        SearchEntryValue.objects.using(self.using).bulk_create(values, batch_size=2000)
        return [entry.pk for entry in entries if entry.published]

    # Operations

    def ping(self) -> bool:
        try:
            with connections[self.using].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return False
        return True

    def status(self) -> BackendStatus:
        try:
            count = SearchEntry.objects.using(self.using).filter(published=True).count()
        except DatabaseError as e:
            return BackendStatus(self.name, reachable=False, index=ENTRY_TABLE, detail=str(e))
        return BackendStatus(self.name, reachable=True, index=ENTRY_TABLE, documents=count)

    def indexed_ids(self) -> dict[str, datetime]:
        """Every indexed document id with the time it was written (for ``search_status`` and the sweep)."""
        return dict(SearchEntry.objects.using(self.using).values_list("doc_id", "indexed_at"))


def entry_for(document: SearchDocument, now: datetime) -> SearchEntry:
    """The row of a document: its JSON, filter columns, sort keys and the stemmed text of each field group."""
    published_ms = MISSING_DATE_MS
    if document.published_at is not None:
        published_ms = int(document.published_at.timestamp() * 1000)
    return SearchEntry(
        doc_id=document.id,
        published=document.published,
        published_ms=published_ms,
        title_sort=document.title_sort[:500],
        **{column: str(getattr(document, FILTER_FIELDS[name]))[:200] for name, column in FACET_COLUMNS.items()},
        indexed_at=now,
        title_terms=analyze_for_index(document.title),
        keyword_terms=analyze_for_index(" \n ".join((*document.keywords, *document.topic_titles))),
        body_terms=analyze_for_index(document.description + " \n " + document.provider_name),
        document=document.to_source(),
    )


def multi_values(document: SearchDocument) -> list[tuple[str, str]]:
    """(facet, value) rows of the multi-valued filters of a document."""
    return [
        (facet, str(value)[:200]) for facet in MULTI_VALUED_FACETS for value in getattr(document, FILTER_FIELDS[facet])
    ]


def _completes(typed_words: Sequence[str], phrases: Iterable[str]) -> bool:
    words = {word for phrase in phrases for word in tokenize(phrase)}
    return all(any(word.startswith(typed) for word in words) for typed in typed_words)


def _json(value: Any) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return parsed


def _cursor_value(value: Any) -> CursorValue:
    if isinstance(value, int | float | str) or value is None:
        return value
    return float(value)
