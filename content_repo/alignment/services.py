"""The alignment service: the engine's suggestions kept on the catalog's resources.

:func:`suggest_for` takes resource ids and, a chunk at a time (one query per table, one write per table),
reads the resources as :class:`~content_repo.alignment.records.ResourceRecord`, asks the engine, and brings the
resources' *engine suggestions* — ``resources.Alignment`` rows with status ``suggested`` and a ``score`` — in
line with its answer. The rules:

- **a methodist's alignments are theirs**: a resource whose ``alignments`` are overlaid (a methodist changed
  them: in the form, by a bulk action, by a decision in the review queue) gets no suggestion written; other
  alignments (confirmed ones, those a source sent) are never touched, and a node they already name is not
  suggested again;
- **rejected nodes** (:class:`~content_repo.alignment.models.RejectedSuggestion`) are never suggested;
- **learning**: confirmed alignments of near-identical resources (same cleaned title, the neighbouring lesson of a
  series; :class:`~content_repo.alignment.models.ResourceIdentity`) are passed to the engine as hints;
- **idempotent**: a suggestion already there with the same score, explanation and relation is left alone; a
  second run over unchanged resources writes nothing and tells nobody;
- **live at once**: suggestions are state of the row, like the moderation status (no revision, no review): a
  live resource whose suggestions changed has its ``updated_at`` moved and
  :data:`~content_repo.resources.signals.resources_changed` is sent, so the change feed and the search index
  follow (``Resource.with_content_json`` keeps them when a revision is published later).

The engine is built from the curriculum rows once per process, on first use, under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from content_repo.curriculum.models import CodifierElement, Subject, Topic
from content_repo.resources.models import Alignment, Resource

from .curriculum import Curriculum, CurriculumNode, NodeKind, SubjectInfo, load_node_terms
from .engine import SuggestionEngine
from .suggesting import SuggestReport, suggest_chunk

__all__ = [
    "SuggestReport",
    "build_engine",
    "get_engine",
    "reset_engine",
    "select_resources",
    "suggest_after_load",
    "suggest_for",
]

CHUNK_SIZE = 500


# The engine, built once per process


class _EngineHolder:
    """The process's engine: built on first use under a lock, immutable afterwards (safe for any thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._engine: SuggestionEngine | None = None

    def get(self) -> SuggestionEngine:
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = build_engine()
                engine = self._engine
        return engine

    def reset(self) -> None:
        with self._lock:
            self._engine = None


_holder = _EngineHolder()


def get_engine() -> SuggestionEngine:
    """The engine over the curriculum in the database (built on the first call of the process)."""
    return _holder.get()


def reset_engine() -> None:
    """Forget the built engine (after ``load_curriculum`` changed the programme in a long-lived process)."""
    _holder.reset()


def build_engine() -> SuggestionEngine:
    """An engine over the curriculum rows (topics and codifier elements) with the node terms of the package."""
    subjects = [
        SubjectInfo(code, title, tuple(grades or ()))
        for code, title, grades in Subject.objects.order_by("code").values_list("code", "title", "grades")
    ]
    nodes = [
        CurriculumNode(
            code=code,
            kind=NodeKind(kind),
            subject=subject,
            title=title,
            grade=grade,
            variant=variant or "",
            parent=parent,
        )
        for code, kind, subject, title, grade, variant, parent in Topic.objects.order_by("id").values_list(
            "code", "kind", "subject__code", "title", "grade_id", "variant", "parent__code"
        )
    ]
    nodes += [
        CurriculumNode(
            code=code,
            kind=NodeKind.CODIFIER_ELEMENT,
            subject=subject or "",
            title=title,
            parent=parent,
            exam=exam,
            codifier=codifier,
            element_kind=kind,
        )
        for code, subject, title, parent, exam, codifier, kind in CodifierElement.objects.order_by(
            "order", "id"
        ).values_list("code", "subject__code", "title", "parent__code", "exam", "codifier", "kind")
    ]
    curriculum = Curriculum.from_nodes(subjects, nodes).with_terms(load_node_terms())
    return SuggestionEngine.from_curriculum(curriculum)


# Suggesting


def suggest_for(
    resource_ids: Iterable[Any],
    *,
    dry_run: bool = False,
    engine: SuggestionEngine | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> SuggestReport:
    """Bring the engine suggestions of the given resources up to date; ``dry_run`` counts without writing.

    ``progress`` is called with the number of resources of each chunk done.
    """
    engine = engine or get_engine()
    report = SuggestReport()
    for chunk in _chunks(list(dict.fromkeys(resource_ids)), chunk_size):
        report.add(suggest_chunk(chunk, engine, dry_run))
        if progress is not None:
            progress(len(chunk))
    return report


def select_resources(
    *, sources: Sequence[str] = (), subjects: Sequence[str] = (), only_missing: bool = False
) -> QuerySet[Resource]:
    """The resources a catalog-wide run goes over (``manage.py suggest_alignments``), by id.

    ``sources`` — codes of the harvest source (or the provider, for resources no harvest brought);
    ``subjects`` — subject codes; ``only_missing`` — resources without any alignment yet.
    """
    resources = Resource.objects.order_by("pk")
    if sources:
        resources = resources.filter(Q(source_layer__source__in=sources) | Q(provider__code__in=sources))
    if subjects:
        resources = resources.filter(
            pk__in=Resource.subjects.through.objects.filter(subject__code__in=subjects).values("resource_id")
        )
    if only_missing:
        resources = resources.exclude(pk__in=Alignment.objects.values("resource_id"))
    return resources


def suggest_after_load(results: Sequence[Any]) -> None:
    """The intake's hook: suggestions for the resources a batch created or changed (one call per batch).

    Enqueued as a task (``tasks.suggest_alignments_for``): run at once by the embedded immediate backend, by the
    worker with a task queue. Off with ``ALIGNMENT_SUGGEST_ON_INTAKE=false``. A failure there leaves the
    resources as loaded (``manage.py suggest_alignments`` catches up); it never undoes the batch.
    """
    if not getattr(settings, "ALIGNMENT_SUGGEST_ON_INTAKE", True):
        return
    ids = [str(result.resource_id) for result in results if result.resource_id and result.outcome in _LOADED]
    if ids:
        from .tasks import suggest_alignments_for

        suggest_alignments_for.enqueue(ids)


_LOADED = frozenset({"created", "updated"})


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def aligned_resources(topic: Topic, limit: int) -> list[Resource]:
    """Published resources aligned to ``topic`` or its topics: confirmed ones first, then suggestions by score."""
    ids = [topic.pk, *Topic.objects.filter(parent=topic).values_list("pk", flat=True)]
    rows = Alignment.objects.filter(topic_id__in=ids, resource__live=True).values_list("resource_id", "status", "score")
    rank: dict[Any, tuple[int, float]] = {}
    for pk, status, score in rows:
        key = (0, 0.0) if status == Alignment.Status.CONFIRMED else (1, -(score if score is not None else 0.0))
        rank[pk] = min(rank.get(pk, key), key)
    chosen = sorted(rank, key=lambda pk: (rank[pk], str(pk)))[:limit]
    by_id = Resource.objects.in_bulk(chosen)
    return [by_id[pk] for pk in chosen if pk in by_id]
