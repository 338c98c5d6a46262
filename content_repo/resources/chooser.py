"""The resource chooser (collections' items, relations between resources): words with Russian morphology
(``admin_search``), filters by subject, grade and status, and columns that tell same-titled lessons apart."""

from __future__ import annotations

from typing import Any

from django import forms
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet

from content_repo.curriculum.models import Grade, Subject

from .admin_columns import grades_text, status_text, subjects_text
from .admin_search import search_resources
from .models import Resource

FILTER = {"data-chooser-modal-search-filter": True}


class ResourceFilterForm(forms.Form):
    """Words, subject, grade and status of the resources to choose from."""

    q = forms.CharField(
        label="Слова",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "например: дроби, теорема Виета"}),
    )
    subject = forms.ModelChoiceField(
        Subject.objects.order_by("title"),
        label="Предмет",
        required=False,
        to_field_name="code",
        empty_label="все предметы",
        widget=forms.Select(attrs=FILTER),
    )
    grade = forms.ModelChoiceField(
        Grade.objects.order_by("number"),
        label="Класс",
        required=False,
        empty_label="все классы",
        widget=forms.Select(attrs=FILTER),
    )
    status = forms.ChoiceField(
        label="Статус",
        required=False,
        choices=[("", "любой статус"), *Resource.Status.choices],
        widget=forms.Select(attrs=FILTER),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_searching = False
        self.is_filtering_by_collection = False
        self.search_query: str | None = None

    def filter(self, resources: Any) -> Any:
        data = self.cleaned_data
        if data.get("subject"):
            resources = resources.filter(subjects=data["subject"])
        if data.get("grade"):
            resources = resources.filter(grades=data["grade"])
        if data.get("status"):
            resources = resources.filter(status=data["status"])
        text = (data.get("q") or "").strip()
        if text:
            self.is_searching, self.search_query = True, text
            resources = search_resources(resources, text)
        return resources.distinct()


class ResourceChooseMixin:
    filter_form_class = ResourceFilterForm
    per_page = 20

    def get_object_list(self) -> Any:
        return Resource.objects.prefetch_related("subjects", "grades").order_by("-updated_at")

    @property
    def columns(self) -> list[Column]:
        return [
            *super().columns,  # type: ignore[misc]
            Column("subjects", label="Предметы", accessor=subjects_text),
            Column("grades", label="Классы", accessor=grades_text),
            Column("state", label="Статус", accessor=status_text),
        ]


class ResourceChooseView(ResourceChooseMixin, ChooseView):
    page_title = "Выбор ресурса"


class ResourceChooseResultsView(ResourceChooseMixin, ChooseResultsView):
    pass


class ResourceChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ResourceChooseView
    choose_results_view_class = ResourceChooseResultsView
    choose_one_text = "Выбрать ресурс"
    choose_another_text = "Выбрать другой ресурс"
