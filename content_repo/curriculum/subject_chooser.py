"""The subject chooser: words with Russian morphology over titles and codes, and «только с программой»."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet

from content_repo.text.analysis import analyze

from .models import Subject


class SubjectFilterForm(forms.Form):
    q = forms.CharField(label="Слова", required=False, widget=forms.TextInput(attrs={"placeholder": "например: матем"}))
    with_topics = forms.BooleanField(
        label="Только с темами программы",
        required=False,
        widget=forms.CheckboxInput(attrs={"data-chooser-modal-search-filter": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_searching = False
        self.is_filtering_by_collection = False
        self.search_query: str | None = None

    def filter(self, subjects: Any) -> Any:
        if self.cleaned_data.get("with_topics"):
            subjects = subjects.filter(has_topics=True)
        text = (self.cleaned_data.get("q") or "").strip()
        if text:
            self.is_searching, self.search_query = True, text
            for stem in analyze(text) or [text.lower()]:
                subjects = subjects.filter(
                    Q(title__icontains=stem) | Q(title__contains=stem.capitalize()) | Q(code__icontains=stem)
                )
        return subjects


class SubjectChooseMixin:
    filter_form_class = SubjectFilterForm
    per_page = 50

    def get_object_list(self) -> Any:
        return Subject.objects.order_by("-has_topics", "title")

    @property
    def columns(self) -> list[Column]:
        return [
            *super().columns,  # type: ignore[misc]
            Column("has_topics", label="Темы программы", accessor=lambda s: "есть" if s.has_topics else "нет"),
        ]


class SubjectChooseView(SubjectChooseMixin, ChooseView):
    page_title = "Выбор предмета"


class SubjectChooseResultsView(SubjectChooseMixin, ChooseResultsView):
    pass


class SubjectChooserViewSet(SnippetChooserViewSet):
    choose_view_class = SubjectChooseView
    choose_results_view_class = SubjectChooseResultsView
    choose_one_text = "Выбрать предмет"
    choose_another_text = "Выбрать другой предмет"
