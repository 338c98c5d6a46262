"""The filters a methodist uses every day in the resources listing."""

from __future__ import annotations

import django_filters
from wagtail.admin.filters import WagtailFilterSet

from content_repo.curriculum.chooser import topic_chooser_widget
from content_repo.curriculum.models import Grade, Subject, Topic
from content_repo.publishers.models import Organization
from content_repo.vocabularies.models import Term

from .models import Alignment, Resource, SourceLayer


def _sources(request=None):
    codes = SourceLayer.objects.order_by().values_list("source", flat=True).distinct()
    return [(code, code) for code in sorted(codes)]


class ResourceFilterSet(WagtailFilterSet):
    subject = django_filters.ModelMultipleChoiceFilter(
        field_name="subjects__code",
        queryset=Subject.objects.all(),
        label="Предмет",
        distinct=True,
        to_field_name="code",
    )
    grade = django_filters.ModelMultipleChoiceFilter(
        field_name="grades", queryset=Grade.objects.all(), label="Класс", distinct=True
    )
    topic = django_filters.ModelChoiceFilter(
        queryset=Topic.objects.select_related("subject"),
        method="filter_topic",
        label="Тема программы (раздел — с темами)",
        widget=topic_chooser_widget(),
    )
    alignment = django_filters.ChoiceFilter(
        method="filter_alignment",
        label="Привязка к программе",
        choices=[
            ("confirmed", "подтверждена методистом"),
            ("suggested", "только предложена (ждёт решения)"),
            ("none", "нет ни одной"),
        ],
    )
    resource_type = django_filters.ModelMultipleChoiceFilter(
        field_name="resource_type__code",
        queryset=Term.objects.filter(vocabulary="resource_type"),
        label="Тип",
        to_field_name="code",
    )
    license = django_filters.ModelMultipleChoiceFilter(
        field_name="license__code",
        queryset=Term.objects.filter(vocabulary="license"),
        label="Лицензия",
        to_field_name="code",
    )
    provider = django_filters.ModelMultipleChoiceFilter(
        field_name="provider__code", queryset=Organization.objects.all(), label="Поставщик", to_field_name="code"
    )
    status = django_filters.MultipleChoiceFilter(choices=Resource.Status.choices, label="Статус")
    source = django_filters.MultipleChoiceFilter(field_name="source_layer__source", choices=_sources, label="Источник")
    no_alignment = django_filters.BooleanFilter(
        method="filter_no_alignment",
        label="Без привязки к программе",
        widget=django_filters.widgets.BooleanWidget(),
    )
    no_license = django_filters.BooleanFilter(
        field_name="license",
        lookup_expr="isnull",
        label="Без лицензии",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = Resource
        fields: list[str] = []

    def filter_topic(self, queryset, name, value):
        if value is None:
            return queryset
        ids = [value.pk, *Topic.objects.filter(parent=value).values_list("pk", flat=True)]
        return queryset.filter(pk__in=Alignment.objects.filter(topic_id__in=ids).values("resource_id"))

    def filter_alignment(self, queryset, name, value):
        confirmed = Alignment.objects.filter(status=Alignment.Status.CONFIRMED).values("resource_id")
        if value == "confirmed":
            return queryset.filter(pk__in=confirmed)
        if value == "suggested":
            return queryset.filter(pk__in=Alignment.objects.values("resource_id")).exclude(pk__in=confirmed)
        if value == "none":
            return queryset.exclude(pk__in=Alignment.objects.values("resource_id"))
        return queryset

    def filter_no_alignment(self, queryset, name, value):
        if value:
            return queryset.filter(alignments__isnull=True)
        if value is False:
            return queryset.filter(alignments__isnull=False).distinct()
        return queryset
