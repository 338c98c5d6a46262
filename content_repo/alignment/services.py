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

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from content_repo.curriculum.models import CodifierElement, Subject, Topic
from content_repo.resources.models import Alignment, Resource, ResourcePart, SourceLayer
from content_repo.resources.signals import resources_changed

from .curriculum import Curriculum, CurriculumNode, NodeKind, SubjectInfo, load_node_terms
from .engine import SuggestionEngine
from .models import RejectedSuggestion, ResourceIdentity
from .reading import identity_keys
from .records import ConfirmedHint, HintKind, ResourceRecord, Suggestion

__all__ = [
    "SuggestReport",
    "build_engine",
    "get_engine",
    "reset_engine",
    "select_resources",
    "suggest_after_load",
    "suggest_for",
]

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
# Engine suggestions sort after the alignments a source or a methodist gave (``Orderable.sort_order``).
SUGGESTION_SORT_BASE = 1000
# A cleaned title of one word («Повторение», «Введение») is not evidence that two resources are the same.
MIN_TITLE_KEY_WORDS = 2


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


# What a run did


@dataclass
class SuggestReport:
    """Counts of a run: resources read, with suggestions, abstained on, skipped (overlaid), rows written."""

    resources: int = 0
    with_suggestions: int = 0
    abstained: int = 0
    overlaid: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    changed_resources: list[Any] = field(default_factory=list)

    def add(self, other: SuggestReport) -> None:
        for name in ("resources", "with_suggestions", "abstained", "overlaid", "created", "updated", "deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.changed_resources += other.changed_resources

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        return (
            f"ресурсов: {self.resources}; с подсказками: {self.with_suggestions}; без подсказки (ничего не подходит): "
            f"{self.abstained}; привязки у методиста, пропущено: {self.overlaid}; подсказок создано: {self.created}, "
            f"обновлено: {self.updated}, удалено: {self.deleted}; изменено ресурсов: {len(self.changed_resources)}"
        )


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
        report.add(_suggest_chunk(chunk, engine, dry_run))
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


def suggest_after_load(results: Sequence[Any]) -> SuggestReport | None:
    """The intake's hook: suggestions for the resources a batch created or changed (one call per batch).

    Off with ``ALIGNMENT_SUGGEST_ON_INTAKE = False``. The batch is committed already; a database error here is
    logged and leaves the resources as loaded (``manage.py suggest_alignments`` catches up).
    """
    if not getattr(settings, "ALIGNMENT_SUGGEST_ON_INTAKE", True):
        return None
    ids = [result.resource_id for result in results if result.resource_id and result.outcome in _LOADED]
    if not ids:
        return None
    try:
        with transaction.atomic():
            return suggest_for(ids)
    except DatabaseError:
        logger.exception("suggesting alignments for %d loaded resources failed", len(ids))
        return None


_LOADED = frozenset({"created", "updated"})


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Existing:
    """A resource's alignments as the chunk read them: the engine's by node code, and the targets of the others."""

    engine: dict[str, tuple[int, float, str, str]] = field(default_factory=dict)  # code → (id, score, why, type)
    other_codes: set[str] = field(default_factory=set)
    max_sort: int = -1


@dataclass
class _Plan:
    """The rows one chunk writes."""

    create: list[Alignment] = field(default_factory=list)
    update: list[Alignment] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)
    changed: set[Any] = field(default_factory=set)
    live: set[Any] = field(default_factory=set)


def _suggest_chunk(ids: Sequence[Any], engine: SuggestionEngine, dry_run: bool) -> SuggestReport:
    rows = _ChunkRows(ids)
    report = SuggestReport(resources=len(rows.resources))
    hints = _Hints.for_chunk(rows)
    plan = _Plan()
    for pk, resource in rows.resources.items():
        record = rows.records[pk]
        existing = rows.alignments.get(pk, _Existing())
        if "alignments" in (resource["overlaid_fields"] or []):
            report.overlaid += 1
            continue
        suggestions = engine.suggest(
            record,
            confirmed_hints=hints.of(pk),
            rejected=rows.rejected.get(pk, ()),
            limit=engine.settings.limit + len(existing.other_codes),
        )
        suggestions = [s for s in suggestions if s.code not in existing.other_codes][: engine.settings.limit]
        report.with_suggestions += bool(suggestions)
        report.abstained += not suggestions
        _plan_resource(pk, resource["live"], suggestions, existing, rows.node_ids, plan)
    report.created, report.updated, report.deleted = len(plan.create), len(plan.update), len(plan.delete)
    report.changed_resources = sorted(plan.changed, key=str)
    if not dry_run:
        _write(plan, rows.identities_to_write())
    return report


def _plan_resource(
    pk: Any,
    live: bool,
    suggestions: list[Suggestion],
    existing: _Existing,
    node_ids: dict[str, tuple[str, int]],
    plan: _Plan,
) -> None:
    """What to create, update and delete so that the resource's engine rows are ``suggestions``."""
    wanted = {s.code: s for s in suggestions if s.code in node_ids}
    changed = False
    for code, (row_id, score, explanation, kind) in existing.engine.items():
        suggestion = wanted.get(code)
        if suggestion is None:
            plan.delete.append(row_id)
            changed = True
        elif (score, explanation, kind) != (suggestion.score, suggestion.explanation, str(suggestion.alignment_type)):
            plan.update.append(
                Alignment(
                    pk=row_id,
                    score=suggestion.score,
                    explanation=suggestion.explanation,
                    alignment_type=str(suggestion.alignment_type),
                )
            )
            changed = True
    for rank, (code, suggestion) in enumerate(wanted.items()):
        if code in existing.engine:
            continue
        plan.create.append(_new_row(pk, suggestion, node_ids[code], SUGGESTION_SORT_BASE + existing.max_sort + rank))
        changed = True
    if changed:
        plan.changed.add(pk)
        if live:
            plan.live.add(pk)


def _new_row(pk: Any, suggestion: Suggestion, target: tuple[str, int], sort_order: int) -> Alignment:
    kind, target_id = target
    row = Alignment(
        resource_id=pk,
        status=Alignment.Status.SUGGESTED,
        alignment_type=str(suggestion.alignment_type),
        score=suggestion.score,
        explanation=suggestion.explanation,
        sort_order=sort_order,
    )
    if kind == "topic":
        row.topic_id = target_id
    else:
        row.codifier_element_id = target_id
    return row


def _write(plan: _Plan, identities: list[ResourceIdentity]) -> None:
    with transaction.atomic():
        if identities:
            ResourceIdentity.objects.bulk_create(
                identities,
                update_conflicts=True,
                unique_fields=["resource"],
                update_fields=["title_key", "series_key", "lesson_number", "subjects", "grades"],
            )
        if plan.delete:
            Alignment.objects.filter(pk__in=plan.delete).delete()
        if plan.update:
            Alignment.objects.bulk_update(plan.update, ["score", "explanation", "alignment_type"])
        if plan.create:
            Alignment.objects.bulk_create(plan.create)
        if plan.changed:
            # The public document of each changed resource is different now: consumers syncing by
            # `modified_since` and the search sweep's drift check go by `updated_at`.
            Resource.objects.filter(pk__in=list(plan.changed)).update(updated_at=timezone.now())
        if plan.live:
            resources_changed.send(sender=Resource, resource_ids=sorted(plan.live, key=str))


class _ChunkRows:
    """Everything the engine and the plan need about a chunk of resources, one query per table."""

    def __init__(self, ids: Sequence[Any]) -> None:
        self.resources: dict[Any, dict[str, Any]] = {
            row["id"]: row
            for row in Resource.objects.filter(pk__in=ids).values(
                "id",
                "title",
                "description",
                "keywords",
                "resource_type__code",
                "overlaid_fields",
                "live",
                "provider__code",
            )
        }
        keys = list(self.resources)
        self.subjects = _grouped(Resource.subjects.through.objects.filter(resource_id__in=keys), "subject__code")
        self.grades = _grouped(Resource.grades.through.objects.filter(resource_id__in=keys), "grade_id")
        self.uses = _grouped(Resource.educational_use.through.objects.filter(resource_id__in=keys), "term__code")
        self.parts = _grouped(ResourcePart.objects.filter(resource_id__in=keys).exclude(title=""), "title")
        self.sources = dict(SourceLayer.objects.filter(resource_id__in=keys).values_list("resource_id", "source"))
        self.rejected = _grouped(RejectedSuggestion.objects.filter(resource_id__in=keys), "code")
        self.alignments = self._alignments(keys)
        self.records = {pk: self._record(pk, row) for pk, row in self.resources.items()}
        self.identities = {pk: identity_keys(record) for pk, record in self.records.items()}
        self._stored_identities = {
            row[0]: row[1:]
            for row in ResourceIdentity.objects.filter(resource_id__in=keys).values_list(
                "resource_id", "title_key", "series_key", "lesson_number", "subjects", "grades"
            )
        }
        self._node_ids: dict[str, tuple[str, int]] | None = None

    @staticmethod
    def _alignments(keys: list[Any]) -> dict[Any, _Existing]:
        found: dict[Any, _Existing] = defaultdict(_Existing)
        rows = Alignment.objects.filter(resource_id__in=keys).values_list(
            "id",
            "resource_id",
            "topic__code",
            "codifier_element__code",
            "status",
            "score",
            "explanation",
            "alignment_type",
            "sort_order",
        )
        for row_id, pk, topic, element, status, score, explanation, kind, sort_order in rows:
            code = topic or element
            existing = found[pk]
            if status == Alignment.Status.SUGGESTED and score is not None:
                existing.engine[code] = (row_id, score, explanation, kind)
            else:
                existing.other_codes.add(code)
                existing.max_sort = max(existing.max_sort, sort_order or 0)
        return found

    def _record(self, pk: Any, row: dict[str, Any]) -> ResourceRecord:
        keywords = row["keywords"] if isinstance(row["keywords"], list) else []
        return ResourceRecord(
            title=row["title"] or "",
            description=row["description"] or "",
            keywords=tuple(str(keyword) for keyword in keywords),
            resource_type=row["resource_type__code"] or "",
            subject_codes=tuple(sorted(self.subjects.get(pk, ()))),
            grades=tuple(sorted(self.grades.get(pk, ()))),
            part_titles=tuple(self.parts.get(pk, ())),
            educational_use=tuple(self.uses.get(pk, ())),
            source=self.sources.get(pk) or row["provider__code"] or "",
        )

    @property
    def node_ids(self) -> dict[str, tuple[str, int]]:
        """Node code → (``topic`` or ``codifier``, row id), read on first use."""
        if self._node_ids is None:
            found = {code: ("topic", pk) for code, pk in Topic.objects.values_list("code", "id")}
            found.update((code, ("codifier", pk)) for code, pk in CodifierElement.objects.values_list("code", "id"))
            self._node_ids = found
        return self._node_ids

    def identities_to_write(self) -> list[ResourceIdentity]:
        """The identity rows that are new or differ from the stored ones."""
        rows = []
        for pk, keys in self.identities.items():
            record = self.records[pk]
            values = (
                keys.title[:500],
                keys.series[:300],
                keys.lesson_number,
                ",".join(record.subject_codes)[:300],
                ",".join(str(grade) for grade in record.grades)[:60],
            )
            if self._stored_identities.get(pk) != values:
                title, series, number, subjects, grades = values
                rows.append(
                    ResourceIdentity(
                        resource_id=pk,
                        title_key=title,
                        series_key=series,
                        lesson_number=number,
                        subjects=subjects,
                        grades=grades,
                    )
                )
        return rows


def _grouped(queryset: Any, column: str) -> dict[Any, list[Any]]:
    found: dict[Any, list[Any]] = defaultdict(list)
    for pk, value in queryset.values_list("resource_id", column):
        if value is not None:
            found[pk].append(value)
    return found


class _Hints:
    """Confirmed alignments of near-identical resources, per resource of a chunk (one indexed query)."""

    def __init__(self) -> None:
        self._hints: dict[Any, dict[str, ConfirmedHint]] = defaultdict(dict)

    @classmethod
    def for_chunk(cls, rows: _ChunkRows) -> _Hints:
        hints = cls()
        by_title: dict[str, list[Any]] = defaultdict(list)
        by_lesson: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for pk, keys in rows.identities.items():
            if len(keys.title.split()) >= MIN_TITLE_KEY_WORDS:
                by_title[keys.title].append(pk)
            if keys.series and keys.lesson_number is not None:
                by_lesson[(keys.series, keys.lesson_number)].append(pk)
        if not by_title and not by_lesson:
            return hints
        condition = Q(resource__alignment_identity__title_key__in=list(by_title))
        if by_lesson:
            condition |= Q(resource__alignment_identity__series_key__in=sorted({series for series, _ in by_lesson}))
        confirmed = Alignment.objects.filter(condition, status=Alignment.Status.CONFIRMED).values_list(
            "resource_id",
            "topic__code",
            "codifier_element__code",
            "resource__title",
            "resource__alignment_identity__title_key",
            "resource__alignment_identity__series_key",
            "resource__alignment_identity__lesson_number",
            "resource__alignment_identity__subjects",
            "resource__alignment_identity__grades",
        )
        for other, topic, element, title, title_key, series_key, number, subjects, grades in confirmed:
            code = topic or element
            for pk in by_title.get(title_key, ()):
                if pk != other and _compatible(rows.records[pk], subjects, grades):
                    hints._add(pk, ConfirmedHint(code, HintKind.SAME_TITLE, title))
            if series_key and number is not None:
                for neighbour in (number - 1, number + 1):
                    for pk in by_lesson.get((series_key, neighbour), ()):
                        if pk != other:
                            hints._add(pk, ConfirmedHint(code, HintKind.SERIES_NEIGHBOUR, title))
        return hints

    def _add(self, pk: Any, hint: ConfirmedHint) -> None:
        # One hint per node: the same title outweighs a series neighbour.
        current = self._hints[pk].get(hint.code)
        if current is None or (current.kind is HintKind.SERIES_NEIGHBOUR and hint.kind is HintKind.SAME_TITLE):
            self._hints[pk][hint.code] = hint

    def of(self, pk: Any) -> list[ConfirmedHint]:
        return list(self._hints.get(pk, {}).values())


def _compatible(record: ResourceRecord, subjects: str, grades: str) -> bool:
    """Same title is evidence only within the same subjects and grades (when both sides name them)."""
    other_subjects = set(filter(None, subjects.split(",")))
    other_grades = {int(grade) for grade in grades.split(",") if grade}
    if record.subject_codes and other_subjects and not other_subjects & set(record.subject_codes):
        return False
    return not (record.grades and other_grades and not other_grades & set(record.grades))


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
