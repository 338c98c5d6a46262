"""A bulk export of the catalog: one JSON object a line, streamed (bounded memory)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch

from content_repo.curriculum.models import Subject
from content_repo.resources.models import Resource, ResourcePart

__all__ = ["resource_lines", "resource_record"]


def resource_record(resource: Resource) -> dict[str, Any]:
    """The exported fields of one resource (``source``/``external_id`` are empty for hand-made ones)."""
    layer = resource.source_layer_or_none
    return {
        "source": layer.source if layer else None,
        "external_id": layer.external_id if layer else None,
        "url": resource.url,
        "title": resource.title,
        "subjects": [{"code": subject.code, "title": subject.title} for subject in resource.subjects.all()],
        "grades": sorted(grade.number for grade in resource.grades.all()),
        "lesson_number": resource.lesson_number,
        "parts": [{"kind": part.kind, "title": part.title, "url": part.url} for part in resource.parts.all()],
        "status": resource.status,
        "provider": resource.provider.code if resource.provider else None,
    }


def resource_lines(source: str | None = None, chunk_size: int = 500) -> Iterator[str]:
    """JSON Lines of the catalog (or of one source), ordered by source and external id."""
    queryset = (
        Resource.objects.select_related("source_layer", "provider")
        .prefetch_related(
            Prefetch("subjects", queryset=Subject.objects.order_by("code")),
            "grades",
            Prefetch("parts", queryset=ResourcePart.objects.order_by("sort_order")),
        )
        .order_by("source_layer__source", "source_layer__external_id", "pk")
    )
    if source:
        queryset = queryset.filter(source_layer__source=source)
    for resource in queryset.iterator(chunk_size=chunk_size):
        yield json.dumps(resource_record(resource), ensure_ascii=False)
