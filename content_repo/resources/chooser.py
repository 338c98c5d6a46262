"""The resource chooser (collections' items, relations between resources): words with Russian morphology
(``admin_search``), filters by subject, grade and status, and columns that tell same-titled lessons apart.

A vendor's staff choose among their organisations' resources in any status and the published resources of
others (those the portal shows anyway): never another organisation's drafts, rejections or their reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet

from content_repo.curriculum.models import Grade, Subject
from content_repo.publishers.models import organizations_of

from .admin_columns import grades_text, status_text, subjects_text
from .admin_home import visible_resources
from .admin_search import search_resources
from .models import Resource
from .permissions import is_restricted_to_own_organization

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


def choosable_resources(user: Any) -> QuerySet[Resource]:
    """What ``user`` may choose: everything for a methodist; for a vendor its organisations' resources in any
    status and the published ones of others."""
    if not is_restricted_to_own_organization(user):
        return Resource.objects.all()
    return Resource.objects.filter(Q(pk__in=visible_resources(user).values("pk")) | Q(status=Resource.Status.PUBLISHED))


def status_text_for(user: Any) -> Callable[[Resource], str]:
    """The status column's accessor: a vendor reads the reason of a rejection or withdrawal of its own
    resources only, another organisation's resource shows its bare status."""
    if not is_restricted_to_own_organization(user):
        return status_text
    own = set(organizations_of(user).values_list("pk", flat=True))

    def text(resource: Resource) -> str:
        return status_text(resource) if resource.provider_id in own else resource.get_status_display()

    return text


class ResourceChooseMixin:
    filter_form_class = ResourceFilterForm
    per_page = 20
    request: Any

    def get_object_list(self) -> Any:
        resources = choosable_resources(self.request.user)
        return resources.prefetch_related("subjects", "grades").order_by("-updated_at")

    @property
    def columns(self) -> list[Column]:
        return [
            *super().columns,  # type: ignore[misc]
            Column("subjects", label="Предметы", accessor=subjects_text),
            Column("grades", label="Классы", accessor=grades_text),
            Column("state", label="Статус", accessor=status_text_for(self.request.user)),
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
