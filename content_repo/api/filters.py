"""Filters of the read API, as DRF filter backends declaring the parameters they take."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.filters import BaseFilterBackend

from content_repo.curriculum.models import Topic

from .errors import InvalidQueryParameter
from .params import int_list, str_list


def topic_codes_with_descendants(codes: list[str]) -> list[str]:
    """A section stands for itself and all its topics."""
    found = set(Topic.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = sorted(set(codes) - found)
    if missing:
        raise InvalidQueryParameter("topic", f"неизвестный код темы: {missing[0]}")
    children = Topic.objects.filter(parent__code__in=codes).values_list("code", flat=True)
    return sorted(found | set(children))


def parse_since(raw: str, name: str = "modified_since"):
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw)
        if day is None:
            raise InvalidQueryParameter(name, f"ожидается дата или дата-время ISO 8601, получено {raw!r}")
        value = timezone.datetime(day.year, day.month, day.day)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class DeclaredFilterBackend(BaseFilterBackend):
    """A filter backend that declares its query parameters: the views accept exactly these (anything else is
    a 400) and the OpenAPI schema documents them."""

    parameters: dict[str, str] = {}

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": "string"},
            }
            for name, description in self.parameters.items()
        ]


class ResourceFilterBackend(DeclaredFilterBackend):
    """subject, grade, level, topic, type, license, access, provider, source, language, modified_since."""

    parameters = {
        "subject": "коды предметов (algebra, russian…)",
        "grade": "классы 1–11",
        "level": "уровни: NOO, OOO, SOO",
        "topic": "коды тем или разделов программы (раздел включает свои темы)",
        "type": "коды типов ресурса",
        "license": "коды лицензий",
        "access": "коды условий доступа",
        "provider": "коды организаций-поставщиков",
        "source": "коды источников сбора",
        "language": "коды языков (BCP 47)",
        "modified_since": "изменённые не раньше этой даты (ISO 8601)",
    }

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        conditions = Q()
        if codes := str_list(request, "subject"):
            conditions &= Q(subjects__code__in=codes)
        if grades := int_list(request, "grade", minimum=1, maximum=11):
            conditions &= Q(grades__number__in=grades)
        if levels := str_list(request, "level"):
            conditions &= Q(levels__code__in=levels)
        if topics := str_list(request, "topic"):
            conditions &= Q(alignments__topic__code__in=topic_codes_with_descendants(topics))
        for param, field in [
            ("type", "resource_type__code"),
            ("license", "license__code"),
            ("access", "access__code"),
            ("provider", "provider__code"),
            ("source", "source_layer__source"),
            ("language", "language__code"),
        ]:
            if values := str_list(request, param):
                conditions &= Q(**{f"{field}__in": values})
        if raw := request.query_params.get("modified_since"):
            conditions &= Q(updated_at__gte=parse_since(raw))
        if not conditions:
            return queryset
        return queryset.filter(pk__in=queryset.model.objects.filter(conditions).values("pk"))


class ModifiedSinceFilterBackend(DeclaredFilterBackend):
    """`modified_since` on lists of objects that keep `updated_at` (organisations, collections)."""

    parameters = {"modified_since": "изменённые не раньше этой даты (ISO 8601)"}

    def filter_queryset(self, request, queryset, view):
        if raw := request.query_params.get("modified_since"):
            queryset = queryset.filter(updated_at__gte=parse_since(raw))
        return queryset


class TopicFilterBackend(DeclaredFilterBackend):
    parameters = {
        "subject": "код предмета",
        "grade": "класс 1–11",
        "parent": "код раздела (темы раздела)",
        "variant": "вариант программы: базовый / углублённый",
        "kind": "section, topic, content_section",
    }

    def filter_queryset(self, request, queryset, view):
        if codes := str_list(request, "subject"):
            queryset = queryset.filter(subject__code__in=codes)
        if grades := int_list(request, "grade", minimum=1, maximum=11):
            queryset = queryset.filter(grade_id__in=grades)
        if parents := str_list(request, "parent"):
            queryset = queryset.filter(parent__code__in=parents)
        if variants := str_list(request, "variant"):
            queryset = queryset.filter(variant__in=variants)
        if kinds := str_list(request, "kind"):
            queryset = queryset.filter(kind__in=kinds)
        return queryset
