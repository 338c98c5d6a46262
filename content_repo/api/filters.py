"""Filters of the read API, as DRF filter backends declaring the parameters they take."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.filters import BaseFilterBackend

from content_repo.curriculum.models import Topic
from content_repo.resources.models import Alignment

from .params import Choice, Codes, DateTime, Integers, QueryParameter, parse_since

__all__ = ["parse_since", "topic_codes_with_descendants"]  # parse_since: publishing views import it from here

ALIGNMENT = Choice(
    "какие привязки к программе учитывать: `any` — подтверждённые методистом и предложенные (по умолчанию), "
    "`confirmed` — только подтверждённые; с `topic` — подтверждённые к этим темам, без — ресурсы хотя бы с одной "
    "подтверждённой привязкой",
    choices=("any", "confirmed"),
    default="any",
)


def aligned(topic_codes: list[str] | None, alignment: str) -> Q:
    """Resources aligned to any of ``topic_codes`` (any topic if ``None``), confirmed only if asked.

    One ``Q`` on the same ``alignments`` join, so «confirmed» and «to this topic» hold for the same row.
    """
    condition = Q()
    if topic_codes is not None:
        condition &= Q(alignments__topic__code__in=topic_codes)
    if alignment == "confirmed":
        condition &= Q(alignments__status=Alignment.Status.CONFIRMED)
    return condition


def topic_codes_with_descendants(codes: list[str]) -> list[str]:
    """A section stands for itself and all its topics; an unknown code, like an unknown subject, matches nothing."""
    found = set(Topic.objects.filter(code__in=codes).values_list("code", flat=True))
    children = Topic.objects.filter(parent__code__in=codes).values_list("code", flat=True)
    return sorted(found | set(children))


MODIFIED_SINCE = DateTime("изменённые не раньше этой даты (ISO 8601: 2026-02-01 или 2026-02-01T10:00:00+03:00)")
GRADES = Integers("классы 1–11", minimum=1, maximum=11)


class DeclaredFilterBackend(BaseFilterBackend):
    """A filter backend that declares its query parameters once: the views accept exactly these (anything
    else is a 400), read them with the declared reader and the OpenAPI schema documents them with bounds."""

    parameters: dict[str, QueryParameter] = {}

    def value(self, request, name: str) -> Any:
        return self.parameters[name].read(request, name)

    def get_schema_operation_parameters(self, view):
        return [parameter.openapi(name) for name, parameter in self.parameters.items()]


class ResourceFilterBackend(DeclaredFilterBackend):
    """subject, grade, level, topic, type, license, access, provider, source, language, modified_since."""

    parameters = {
        "subject": Codes("коды предметов (algebra, russian…)"),
        "grade": GRADES,
        "level": Codes("уровни: NOO, OOO, SOO"),
        "topic": Codes("коды тем или разделов программы (раздел включает свои темы)"),
        "type": Codes("коды типов ресурса"),
        "license": Codes("коды лицензий"),
        "access": Codes("коды условий доступа"),
        "provider": Codes("коды организаций-поставщиков"),
        "source": Codes("коды источников сбора"),
        "language": Codes("коды языков (BCP 47)"),
        "alignment": ALIGNMENT,
        "modified_since": MODIFIED_SINCE,
    }
    fields = {
        "subject": "subjects__code",
        "grade": "grades__number",
        "level": "levels__code",
        "type": "resource_type__code",
        "license": "license__code",
        "access": "access__code",
        "provider": "provider__code",
        "source": "source_layer__source",
        "language": "language__code",
    }

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        conditions = Q()
        for name, field in self.fields.items():
            if values := self.value(request, name):
                conditions &= Q(**{f"{field}__in": values})
        topics = self.value(request, "topic")
        alignment = self.value(request, "alignment")
        if topics or alignment == "confirmed":
            conditions &= aligned(topic_codes_with_descendants(topics) if topics else None, alignment)
        if since := self.value(request, "modified_since"):
            conditions &= Q(updated_at__gte=since)
        if not conditions:
            return queryset
        return queryset.filter(pk__in=queryset.model.objects.filter(conditions).values("pk"))


class ModifiedSinceFilterBackend(DeclaredFilterBackend):
    """`modified_since` on lists of objects that keep `updated_at` (organisations, collections)."""

    parameters = {"modified_since": MODIFIED_SINCE}

    def filter_queryset(self, request, queryset, view):
        if since := self.value(request, "modified_since"):
            queryset = queryset.filter(updated_at__gte=since)
        return queryset


class TopicFilterBackend(DeclaredFilterBackend):
    parameters = {
        "subject": Codes("коды предметов"),
        "grade": GRADES,
        "parent": Codes("коды разделов (их темы)"),
        "variant": Codes("варианты программы: базовый / углублённый"),
        "kind": Codes("виды узлов: section, topic, content_section"),
    }
    fields = {
        "subject": "subject__code",
        "grade": "grade_id",
        "parent": "parent__code",
        "variant": "variant",
        "kind": "kind",
    }

    def filter_queryset(self, request, queryset, view):
        for name, field in self.fields.items():
            if values := self.value(request, name):
                queryset = queryset.filter(**{f"{field}__in": values})
        return queryset
