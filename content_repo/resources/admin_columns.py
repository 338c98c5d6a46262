"""The columns of the methodists' resource list: what a resource is about, where it came from, its state.

Values are labels (subject titles, «5, 6 класс», topic titles or «без привязки», the source's name), never
codes; the source names come from the Wagtail hook ``resource_source_labels`` (the harvest sources live a
floor above). The queryset is prefetched once for the page (``prefetch_for_list``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from wagtail import hooks
from wagtail.admin.ui.tables import Column

from .models import Alignment, Resource

NO_ALIGNMENT = "без привязки"
SOURCE_LABELS_HOOK = "resource_source_labels"


def source_labels() -> dict[str, str]:
    """Source code → name (``{"resh": "Российская электронная школа"}``) from the ``resource_source_labels`` hook."""
    labels: dict[str, str] = {}
    for fn in hooks.get_hooks(SOURCE_LABELS_HOOK):
        labels.update(fn())
    return labels


def prefetch_for_list(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    """What the columns read, in a few queries per page instead of several per row."""
    alignments = Alignment.objects.select_related("topic", "codifier_element").order_by("-status", "sort_order")
    return queryset.select_related("provider", "resource_type", "license", "source_layer").prefetch_related(
        "subjects", "grades", Prefetch("alignments", queryset=alignments)
    )


def subjects_text(resource: Resource) -> str:
    return ", ".join(subject.title for subject in resource.subjects.all())


def grades_text(resource: Resource) -> str:
    numbers = sorted(grade.number for grade in resource.grades.all())
    if not numbers:
        return ""
    return f"{', '.join(map(str, numbers))}\u00a0класс"  # no break before «класс» in a narrow column


def topics_text(resource: Resource) -> str:
    """Confirmed topics by title; «без привязки» (with the number of suggestions waiting) when there is none."""
    titles: list[str] = []
    suggested = 0
    for alignment in resource.alignments.all():
        target = alignment.topic or alignment.codifier_element
        if target is None:
            continue
        if alignment.status != Alignment.Status.CONFIRMED:
            suggested += 1
        elif target.title not in titles:
            titles.append(target.title)
    if titles:
        return "; ".join(titles)
    return f"{NO_ALIGNMENT} (подсказок: {suggested})" if suggested else NO_ALIGNMENT


def status_text(resource: Resource) -> str:
    """The status, with the reason of a rejection or withdrawal."""
    label = resource.get_status_display()
    if resource.status_reason and resource.status in (Resource.Status.REJECTED, Resource.Status.WITHDRAWN):
        return f"{label}: {resource.status_reason}"
    return label


class SourceColumn(Column):
    """The harvest source (or vendor feed, spreadsheet) by name; «создан в каталоге» when there is none.

    The column is built once per process, the names may change any time (a source renamed or added): they are
    read once per rendered table and kept on the table, which lives for one request."""

    TABLE_CACHE = "_resource_source_labels"

    def labels_for(self, table: Any) -> dict[str, str]:
        labels = getattr(table, self.TABLE_CACHE, None)
        if labels is None:
            labels = source_labels()
            setattr(table, self.TABLE_CACHE, labels)
        return labels

    def get_cell_context_data(self, instance: Resource, parent_context: Any) -> dict[str, Any]:
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = self.source_label(instance, self.labels_for(parent_context["table"]))
        return context

    def get_value(self, instance: Resource) -> str:
        return self.source_label(instance, {})

    @staticmethod
    def source_label(instance: Resource, labels: dict[str, str]) -> str:
        layer = instance.source_layer_or_none
        if layer is None:
            return "создан в каталоге"
        return labels.get(layer.source, layer.source)


def resource_list_columns() -> list[Column | str]:
    return [
        "title",
        Column("subjects", label="Предметы", accessor=subjects_text),
        Column("grades", label="Классы", accessor=grades_text),
        Column("topics", label="Темы программы", accessor=topics_text),
        Column("resource_type", label="Тип", accessor="resource_type.label", sort_key="resource_type__label"),
        SourceColumn("source", label="Источник", sort_key="source_layer__source"),
        Column("status", label="Статус", accessor=status_text, sort_key="status"),
        "updated_at",
    ]
