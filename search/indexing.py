"""Keeping the search backends in step with the catalog.

- :class:`DocumentBuilder` turns resources into :class:`~search.documents.SearchDocument` with a handful of
  queries per chunk (no model instances, no per-row queries), so indexing keeps up with a bulk load.
- :func:`sync_resources` writes the current state of some resources into every backend: live ones are
  (re)indexed, the others removed. A backend that fails keeps its work as :class:`~search.models.SearchDirty`
  rows; nothing is lost, :func:`sweep` catches up later.
- :func:`sweep` also finds what bypassed the signals (bulk writes): live resources missing from the
  database index or changed after they were indexed, and entries of resources no longer live.

Every name in ``SEARCH_BACKENDS`` is written to; the ``database`` backend always is, since it answers when
the engine cannot.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import CharField, F, Q, QuerySet
from django.db.models.functions import Cast

from .backends import BaseSearchBackend, SearchBackendError, get_search_backend
from .backends.base import DEFAULT_CHUNK_SIZE, chunked
from .backends.database import DatabaseSearchBackend
from .documents import SearchDocument, build_document
from .models import SearchDirty, SearchEntry

logger = logging.getLogger(__name__)


def index_targets() -> dict[str, BaseSearchBackend]:
    """The backends to write to, by ``SEARCH_BACKENDS`` name; database backends share one table, written once."""
    targets: dict[str, BaseSearchBackend] = {}
    database_seen = False
    names = sorted(settings.SEARCH_BACKENDS, key=lambda name: name != "database")
    for name in names:
        backend = get_search_backend(name)
        if isinstance(backend, DatabaseSearchBackend):
            if database_seen:
                continue
            database_seen = True
        targets[name] = backend
    return targets


class DocumentBuilder:
    """Builds search documents for resources; vocabulary, topic and provider tables are read once.

    Rows of the related tables (subjects, levels, grades, alignments, source layers) are matched to their
    resource by the id as the database spells it in text (``Cast``): a ``UUID`` object is made once per
    resource, for the document id, rather than once per related row.
    """

    def __init__(self) -> None:
        from content_repo.curriculum.models import Level, Subject, Topic
        from content_repo.publishers.models import Organization
        from content_repo.vocabularies.models import Term

        self.subjects = dict(Subject.objects.values_list("id", "code"))
        self.levels = dict(Level.objects.values_list("id", "code"))
        self.terms = dict(Term.objects.values_list("id", "code"))
        self.providers = {pk: (code, name) for pk, code, name in Organization.objects.values_list("id", "code", "name")}
        topics = list(Topic.objects.values_list("id", "code", "title", "parent_id"))
        code_by_id = {pk: code for pk, code, _, _ in topics}
        self.topics = {pk: (code, title) for pk, code, title, _ in topics}
        self.topic_parents = {code: code_by_id.get(parent) for _, code, _, parent in topics}

    def build(self, ids: Sequence[Any]) -> list[SearchDocument]:
        """Documents of the live resources among ``ids`` (others are left out)."""
        from content_repo.resources.models import Resource

        rows = list(_resource_rows(Resource.objects.filter(pk__in=ids, live=True)))
        return self._documents(rows, Q(resource_id__in=[row[1] for row in rows]))

    def build_page(self, after: Any, size: int) -> tuple[list[SearchDocument], Any]:
        """Documents of the next ``size`` live resources by id after ``after`` (``None``: from the start).

        Returns them with the last id read, to pass as ``after`` for the next page (``None`` at the end).
        Rows of related tables are selected by the id range of the page rather than by a list of ids, so
        no ``IN`` list of ``size`` ids is prepared and sent per table; rows of resources in that range that
        are not live are read too and left out.
        """
        from content_repo.resources.models import Resource

        page = Resource.objects.filter(live=True).order_by("pk")
        if after is not None:
            page = page.filter(pk__gt=after)
        rows = list(_resource_rows(page)[:size])
        if not rows:
            return [], None
        last = rows[-1][1]
        within = Q(resource_id__lte=last) if after is None else Q(resource_id__gt=after, resource_id__lte=last)
        return self._documents(rows, within), last

    def _documents(self, rows: list[tuple], related: Q) -> list[SearchDocument]:
        """Documents of :func:`_resource_rows`, with the related rows selected by ``related``."""
        from content_repo.resources.models import Alignment, Resource, SourceLayer

        subjects = self._pairs(Resource.subjects.through.objects.filter(related), "subject_id", self.subjects)
        levels = self._pairs(Resource.levels.through.objects.filter(related), "level_id", self.levels)
        grades = self._pairs(Resource.grades.through.objects.filter(related), "grade_id", None)
        alignments = self._alignments(Alignment.objects.filter(related))
        sources = {
            rid: (source, external_id)
            for rid, source, external_id in SourceLayer.objects.filter(related).values_list(
                _text("resource_id"), "source", "external_id"
            )
        }
        return [self._document(row, subjects, levels, grades, alignments, sources) for row in rows]

    def _document(self, row: tuple, subjects: dict, levels: dict, grades: dict, alignments: dict, sources: dict):
        key, pk, title, description, keywords, type_id, license_id, access_id, language_id, provider_id, url, when = row
        provider_code, provider_name = self.providers.get(provider_id, ("", ""))
        source, external_id = sources.get(key, ("", ""))
        rows = [row for row in alignments.get(key, []) if row[0] is None or row[0] in self.topics]
        aligned = [self.topics[topic_id] for topic_id, _, _ in rows if topic_id is not None]
        confirmed = [self.topics[topic_id][0] for topic_id, status, _ in rows if topic_id and status == "confirmed"]
        return build_document(
            id=str(pk),
            title=title,
            description=description or "",
            keywords=[str(k) for k in keywords or [] if str(k).strip()],
            topic_codes=[code for code, _ in aligned],
            topic_parents=self.topic_parents,
            topic_titles=_searchable_topic_titles(rows, self.topics),
            confirmed_topic_codes=confirmed,
            alignment=sorted({status for _, status, _ in rows}),
            provider_name=provider_name,
            provider=provider_code,
            subjects=subjects.get(key, []),
            levels=levels.get(key, []),
            grades=grades.get(key, []),
            resource_type=self.terms.get(type_id, ""),
            license=self.terms.get(license_id, ""),
            access=self.terms.get(access_id, ""),
            language=self.terms.get(language_id, ""),
            source=source,
            external_id=external_id,
            url=url or f"{settings.CATALOG_BASE_URL}/api/v1/resources/{pk}",
            published_at=when,
        )

    @staticmethod
    def _alignments(rows: Any) -> dict[Any, list[tuple[int | None, str, float | None]]]:
        """Per resource (id as text): its alignments as (topic id, or None for a codifier element; status;
        the engine's score, None unless the suggestion is the engine's)."""
        found: dict[Any, list[tuple[int | None, str, float | None]]] = defaultdict(list)
        for rid, topic_id, status, score in rows.values_list(_text("resource_id"), "topic_id", "status", "score"):
            found[rid].append((topic_id, status, score if status == "suggested" else None))
        return found

    @staticmethod
    def _pairs(rows: Any, column: str, codes: dict | None) -> dict[Any, list[Any]]:
        found: dict[Any, list[Any]] = defaultdict(list)
        for rid, value in rows.values_list(_text("resource_id"), column):
            found[rid].append(codes[value] if codes is not None else value)
        return found


def _searchable_topic_titles(rows: list[tuple[int | None, str, float | None]], topics: dict) -> list[str]:
    """Titles of aligned topics searched as text: confirmed ones, those a source gave, and only the engine's
    best suggestion (the others are often the second-best guess; they still filter and count as facets)."""
    engine = [(score, topic_id) for topic_id, _, score in rows if topic_id is not None and score is not None]
    best = max(engine, key=lambda pair: pair[0])[1] if engine else None
    return [
        topics[topic_id][1]
        for topic_id, _, score in rows
        if topic_id is not None and (score is None or topic_id == best)
    ]


def _resource_rows(resources: QuerySet) -> QuerySet:
    """The rows documents are built from: the id as text (the key of related rows), the id, then the fields."""
    return resources.values_list(
        _text("id"),
        "id",
        "title",
        "description",
        "keywords",
        "resource_type_id",
        "license_id",
        "access_id",
        "language_id",
        "provider_id",
        "url",
        "first_published_at",
    )


def _text(column: str) -> Cast:
    """A UUID column as text, spelled as the database spells it (SQLite: 32 hex digits; PostgreSQL: dashed)."""
    return Cast(column, output_field=CharField())


def published_documents(chunk_size: int = DEFAULT_CHUNK_SIZE, read_ahead: int = 2) -> Iterator[SearchDocument]:
    """Every live resource as a document, in chunks by id (keyset, so memory stays flat).

    With ``read_ahead``, a thread builds up to that many chunks ahead while the caller writes the previous
    ones to a backend: reading the database and waiting on the engine overlap. Inside a transaction the
    thread (with its own connection) would not see uncommitted rows, so there it reads in line.
    """
    if read_ahead < 1 or connections["default"].in_atomic_block:
        for chunk in _document_chunks(chunk_size):
            yield from chunk
        return
    chunks: queue.Queue[list[SearchDocument] | BaseException | None] = queue.Queue(maxsize=read_ahead)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in _document_chunks(chunk_size):
                if stop.is_set():
                    return
                chunks.put(chunk)
            chunks.put(None)
        except BaseException as e:  # noqa: BLE001 - handed over to the consuming thread, which re-raises it
            chunks.put(e)
        finally:
            connections.close_all()

    thread = threading.Thread(target=produce, name="search-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.1)


def _document_chunks(chunk_size: int) -> Iterator[list[SearchDocument]]:
    builder = DocumentBuilder()
    documents, last = builder.build_page(None, chunk_size)
    while documents:
        yield documents
        documents, last = builder.build_page(last, chunk_size)


@dataclass
class SyncReport:
    """What a sync or sweep did: documents written and removed, backends that failed (work kept dirty)."""

    indexed: int = 0
    removed: int = 0
    failed: dict[str, str] = field(default_factory=dict)

    def add(self, other: SyncReport) -> None:
        self.indexed += other.indexed
        self.removed += other.removed
        self.failed.update(other.failed)


def sync_resources(
    ids: Iterable[Any],
    targets: dict[str, BaseSearchBackend] | None = None,
    builder: DocumentBuilder | None = None,
) -> SyncReport:
    """Bring the given resources up to date in every backend; failed backends keep them dirty."""
    keys = sorted({str(pk) for pk in ids})
    report = SyncReport()
    if not keys:
        return report
    targets = index_targets() if targets is None else targets
    documents = (builder or DocumentBuilder()).build(keys)
    gone = sorted(set(keys) - {document.id for document in documents})
    for name, backend in targets.items():
        try:
            backend.index_documents(documents)
            backend.delete_documents(gone)
        except SearchBackendError as e:
            logger.warning("search backend %s failed to index %d resources, kept for the sweep: %s", name, len(keys), e)
            mark_dirty(keys, [name])
            report.failed[name] = str(e)
            continue
        SearchDirty.objects.filter(backend=name, resource_id__in=keys).delete()
    report.indexed, report.removed = len(documents), len(gone)
    return report


def mark_dirty(ids: Iterable[Any], backends: Iterable[str] | None = None) -> int:
    """Queue resources for the sweep in the given backends (all by default); for code that skips signals."""
    names = list(index_targets()) if backends is None else list(backends)
    rows = [SearchDirty(resource_id=str(pk), backend=name) for pk in ids for name in names]
    SearchDirty.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def find_drift() -> set[str]:
    """Resources whose database index entry is missing, older than the resource, or should not exist."""
    from content_repo.resources.models import Resource

    entries = dict(SearchEntry.objects.values_list("doc_id", "indexed_at"))
    drift = set()
    live: set[str] = set()
    for pk, updated_at in Resource.objects.filter(live=True).values_list("pk", "updated_at").iterator(2000):
        key = str(pk)
        live.add(key)
        indexed_at = entries.get(key)
        if indexed_at is None or indexed_at < updated_at:
            drift.add(key)
    drift.update(key for key in entries if key not in live and _is_resource_id(key))
    return drift


def sweep(chunk_size: int = DEFAULT_CHUNK_SIZE) -> SyncReport:
    """Catch up: queue the drift found in the database index, then sync every dirty resource per backend."""
    drift = find_drift()
    if drift:
        mark_dirty(drift)
    report = SyncReport()
    targets = index_targets()
    builder = DocumentBuilder()
    for name, backend in targets.items():
        pending = list(SearchDirty.objects.filter(backend=name).order_by("resource_id").values_list("resource_id"))
        for chunk in chunked([pk for (pk,) in pending], chunk_size):
            SearchDirty.objects.filter(backend=name, resource_id__in=chunk).update(attempts=F("attempts") + 1)
            part = sync_resources(chunk, {name: backend}, builder)
            report.add(part)
            if name in part.failed:
                break
    return report


def _is_resource_id(key: str) -> bool:
    try:
        uuid.UUID(key)
    except ValueError:
        return False
    return True


# Signal plumbing: collect the resources touched in a transaction, index them once after it commits.
#
# The ids wait in a callback registered on the transaction itself (Django keeps a connection, and so its
# on-commit callbacks, per thread): what one thread (a request of `runserver`, a task worker) commits never
# flushes another thread's work, and a rolled-back transaction drops its ids with its callbacks.


class _PendingIndexing:
    """The on-commit callback of one transaction: index the resources it touched, all at once."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.ids: set[str] = set()
        self.done = False  # run already (a test's captured callbacks stay in the list of an open transaction)

    def __call__(self) -> None:
        self.done = True
        keys = sorted(self.ids)
        self.ids.clear()
        if not keys:
            return
        report = sync_resources(keys)
        if not report.failed and SearchDirty.objects.exists():
            # The backends answer again: catch up what they missed while they did not.
            from .tasks import sweep_search_index

            sweep_search_index.enqueue()


def schedule(pk: Any, using: str = "default") -> None:
    """Index a resource after the current transaction commits (at once outside a transaction)."""
    schedule_many([pk], using)


def schedule_many(ids: Iterable[Any], using: str = "default") -> None:
    """Index resources after the current transaction commits (at once outside a transaction)."""
    if not getattr(settings, "SEARCH_AUTO_INDEX", True):
        return
    keys = {str(pk) for pk in ids}
    connection = connections[using]
    if connection.in_atomic_block:
        # `run_on_commit` holds this transaction's callbacks (Django's list of (savepoints, callback, robust)).
        for entry in reversed(connection.run_on_commit):
            callback = entry[1]
            if isinstance(callback, _PendingIndexing) and not callback.done:
                callback.ids.update(keys)
                return
    pending = _PendingIndexing(using)
    pending.ids.update(keys)
    transaction.on_commit(pending, using=using, robust=True)
