"""One chunk of the alignment service's work: read the resources, ask the engine, plan the rows, write them.

Everything about a chunk is read with one query per table (:class:`ChunkRows`), the confirmed alignments of
near-identical resources with one more (:class:`Hints`); the plan (:class:`Plan`) holds the rows to create,
update and delete, written in one transaction with the identity keys, ``updated_at`` of the changed resources
and one :data:`~content_repo.resources.signals.resources_changed` for the live ones. The rules are in
``services.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from content_repo.curriculum.models import CodifierElement, Topic
from content_repo.resources.models import Alignment, Resource, ResourcePart, SourceLayer
from content_repo.resources.signals import resources_changed

from .engine import SuggestionEngine
from .models import RejectedSuggestion, ResourceIdentity
from .reading import identity_keys
from .records import ConfirmedHint, HintKind, ResourceRecord, Suggestion

# Engine suggestions sort after the alignments a source or a methodist gave (``Orderable.sort_order``).
SUGGESTION_SORT_BASE = 1000
# A cleaned title of one word («Повторение», «Введение») is not evidence that two resources are the same.
MIN_TITLE_KEY_WORDS = 2


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


@dataclass
class Existing:
    """A resource's alignments as the chunk read them: the engine's by node code, and the targets of the others."""

    engine: dict[str, tuple[int, float, str, str]] = field(default_factory=dict)  # code → (id, score, why, type)
    other_codes: set[str] = field(default_factory=set)
    max_sort: int = -1


@dataclass
class Plan:
    """The rows one chunk writes."""

    create: list[Alignment] = field(default_factory=list)
    update: list[Alignment] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)
    changed: set[Any] = field(default_factory=set)
    live: set[Any] = field(default_factory=set)


def suggest_chunk(ids: Sequence[Any], engine: SuggestionEngine, dry_run: bool) -> SuggestReport:
    """Suggest for one chunk of resources: read them, ask the engine, plan the rows, write them (unless dry)."""
    rows = ChunkRows(ids)
    report = SuggestReport(resources=len(rows.resources))
    hints = Hints.for_chunk(rows)
    plan = Plan()
    for pk, resource in rows.resources.items():
        record = rows.records[pk]
        existing = rows.alignments.get(pk, Existing())
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
    existing: Existing,
    node_ids: dict[str, tuple[str, int]],
    plan: Plan,
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


def _write(plan: Plan, identities: list[ResourceIdentity]) -> None:
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


class ChunkRows:
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
    def _alignments(keys: list[Any]) -> dict[Any, Existing]:
        found: dict[Any, Existing] = defaultdict(Existing)
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


class Hints:
    """Confirmed alignments of near-identical resources, per resource of a chunk (one indexed query)."""

    def __init__(self) -> None:
        self._hints: dict[Any, dict[str, ConfirmedHint]] = defaultdict(dict)

    @classmethod
    def for_chunk(cls, rows: ChunkRows) -> Hints:
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
