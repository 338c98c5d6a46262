"""The topic chooser of the admin: words with Russian morphology, filters, the plan as a tree.

It replaces the snippet chooser of ``Topic`` everywhere a topic is picked (the alignments of a resource, the
«Темы программы» bulk action, the resource filters, the review queue's «Заменить», collections). The modal
shows the matching nodes grouped by subject, grade and variant, each section followed by its topics, with the
number, kind and hours; a section above a matching topic is shown for context.

Defaults: the widget passes the resource's subjects and grades (``subject=algebra,geometry&grade=8``, from
the page's ``#topic-chooser-subject`` / ``#topic-chooser-grade``, see ``TopicChooserContextPanel``); they
appear as the first choice of each filter («предметы ресурса»), and the methodist can widen them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.contrib.admin.utils import quote
from django.urls import reverse
from wagtail.admin.paginator import WagtailPaginator
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.widgets import AdminSnippetChooser

from .models import Subject, Topic
from .topic_search import topic_index

MAX_ROWS = 400
GRADES = range(1, 12)
FILTER = {"data-chooser-modal-search-filter": True}


def _codes(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class TopicFilterForm(forms.Form):
    """Words, subject(s), grade(s) and variant; several codes arrive comma-separated from the widget."""

    q = forms.CharField(
        label="Слова",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "например: дроби, теорема Виета, present perfect"}),
    )
    subject = forms.ChoiceField(label="Предмет", required=False, widget=forms.Select(attrs=FILTER))
    grade = forms.ChoiceField(label="Класс", required=False, widget=forms.Select(attrs=FILTER))
    variant = forms.ChoiceField(
        label="Вариант",
        required=False,
        choices=[("", "все варианты"), ("базовый", "базовый"), ("углублённый", "углублённый")],
        widget=forms.Select(attrs=FILTER),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_searching = False
        self.is_filtering_by_collection = False
        self.search_query: str | None = None
        titles = dict(Subject.objects.filter(has_topics=True).order_by("title").values_list("code", "title"))
        subjects = [("", "все предметы"), *titles.items()]
        grades = [("", "все классы"), *((str(g), f"{g} класс") for g in GRADES)]
        given_subject = self.data.get("subject", "") if self.is_bound else ""
        given_grade = self.data.get("grade", "") if self.is_bound else ""
        if len(_codes(given_subject)) > 1:
            names = ", ".join(titles.get(code, code) for code in _codes(given_subject))
            subjects.insert(1, (given_subject, f"предметы ресурса: {names}"))
        if len(_codes(given_grade)) > 1:
            subjects_grades = ", ".join(_codes(given_grade))
            grades.insert(1, (given_grade, f"классы ресурса: {subjects_grades}"))
        cast(forms.ChoiceField, self.fields["subject"]).choices = subjects
        cast(forms.ChoiceField, self.fields["grade"]).choices = grades

    def clean_grade(self) -> str:
        value = self.cleaned_data.get("grade") or ""
        if any(not part.isdigit() for part in _codes(value)):
            raise forms.ValidationError("Класс — число от 1 до 11")
        return value

    def filter(self, topics: Any) -> Any:
        data = self.cleaned_data
        if subjects := _codes(data.get("subject", "")):
            topics = topics.filter(subject__code__in=subjects)
        if grades := _codes(data.get("grade", "")):
            topics = topics.filter(grade_id__in=[int(grade) for grade in grades])
        if data.get("variant"):
            topics = topics.filter(variant__in=[data["variant"], ""])
        return topics


@dataclass
class TreeRow:
    """A node in the tree: ``matched`` is false for a section shown only as the context of its topics."""

    topic: Topic
    depth: int
    matched: bool
    url: str


@dataclass
class TreeGroup:
    title: str
    rows: list[TreeRow] = field(default_factory=list)


class TopicChooseMixin:
    """The listing part of the chooser: filtered, searched, laid out as section → topic."""

    filter_form_class = TopicFilterForm
    results_template_name = "curriculum/topic_chooser/results.html"

    def get_filter_form(self) -> TopicFilterForm:
        return TopicFilterForm(self.request.GET)  # type: ignore[attr-defined]

    def get_results_page(self, request: Any) -> Any:
        form: TopicFilterForm = self.filter_form  # type: ignore[attr-defined]
        topics = Topic.objects.select_related("subject", "parent")
        scores: dict[int, float] | None = None
        if form.is_valid():
            topics = form.filter(topics)
            text = form.cleaned_data.get("q") or ""
            if text.strip():
                form.is_searching, form.search_query = True, text
                scores = topic_index().search(text, topics.values_list("id", flat=True))
                topics = topics.filter(id__in=list(scores))
        self.rows, self.total = self._tree(list(topics.order_by("subject__title", "grade", "variant", "order")), scores)
        self.paginator = WagtailPaginator(self.rows, per_page=MAX_ROWS)
        return self.paginator.page(1)

    def _tree(self, topics: list[Topic], scores: dict[int, float] | None) -> tuple[list[TreeGroup], int]:
        """Groups (subject, grade, variant) of sections each followed by its topics; best-scoring group first."""
        matched = {topic.pk for topic in topics}
        shown = list(topics[:MAX_ROWS])
        by_id = {topic.pk: topic for topic in shown}
        for topic in shown:
            if topic.parent_id and topic.parent_id not in by_id and topic.parent is not None:
                by_id[topic.parent_id] = topic.parent
        children: dict[int | None, list[Topic]] = {}
        for topic in by_id.values():
            parent = topic.parent_id if topic.parent_id in by_id else None
            children.setdefault(parent, []).append(topic)
        groups: dict[tuple, TreeGroup] = {}
        best: dict[tuple, float] = {}

        def walk(parent: int | None, depth: int) -> None:
            for topic in sorted(children.get(parent, []), key=lambda t: (t.order, t.pk)):
                key = (topic.subject.title, topic.grade_id, topic.variant)
                group = groups.setdefault(key, TreeGroup(_group_title(topic)))
                group.rows.append(TreeRow(topic, depth, topic.pk in matched, self._chosen_url(topic)))
                best[key] = max(best.get(key, 0.0), (scores or {}).get(topic.pk, 0.0))
                walk(topic.pk, depth + 1)

        walk(None, 0)
        ordered = sorted(groups, key=lambda key: (-best[key], key))
        return [groups[key] for key in ordered], len(matched)

    def _chosen_url(self, topic: Topic) -> str:
        url = reverse(self.chosen_url_name, args=(quote(topic.pk),))  # type: ignore[attr-defined]
        return self.append_preserved_url_parameters(url)  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(groups=self.rows, total=self.total, shown=min(self.total, MAX_ROWS), limit=MAX_ROWS)
        return context


def _group_title(topic: Topic) -> str:
    variant = f", {topic.variant} уровень" if topic.variant else ""
    return f"{topic.subject.title}, {topic.grade_id} класс{variant}"


class TopicChooseView(TopicChooseMixin, ChooseView):
    page_title = "Выбор темы программы"
    template_name = "curriculum/topic_chooser/chooser.html"


class TopicChooseResultsView(TopicChooseMixin, ChooseResultsView):
    pass


class TopicChooserViewSet(SnippetChooserViewSet):
    """The snippet chooser of ``Topic`` with the views above (``TopicViewSet.chooser_viewset_class``)."""

    choose_view_class = TopicChooseView
    choose_results_view_class = TopicChooseResultsView
    choose_one_text = "Выбрать тему"
    choose_another_text = "Выбрать другую тему"
    preserve_url_parameters = ["multiple"]


CONTEXT_INPUTS = {"subject": "#topic-chooser-subject", "grade": "#topic-chooser-grade"}


def topic_chooser_widget(*, with_context: bool = False, **kwargs: Any) -> AdminSnippetChooser:
    """The topic chooser widget. ``with_context``: the modal opens filtered to the subjects and grades the page
    holds in ``#topic-chooser-subject`` and ``#topic-chooser-grade`` — only on pages that render them
    (``context_inputs``), since Wagtail's widget script expects the elements to exist."""
    if with_context:
        kwargs["linked_fields"] = CONTEXT_INPUTS
    kwargs.setdefault("choose_one_text", "Выбрать тему")
    kwargs.setdefault("choose_another_text", "Выбрать другую тему")
    return AdminSnippetChooser(Topic, **kwargs)


def context_inputs(subjects: list[str], grades: list[int]) -> str:
    """The hidden inputs ``topic_chooser_widget(with_context=True)`` reads: codes and grades, comma-separated."""
    from django.utils.html import format_html

    return format_html(
        '<input type="hidden" id="topic-chooser-subject" value="{}">'
        '<input type="hidden" id="topic-chooser-grade" value="{}">',
        ",".join(subjects),
        ",".join(str(grade) for grade in grades),
    )
