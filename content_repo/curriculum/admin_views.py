"""«Дерево программы»: the federal curriculum as methodists read it — subject → grade → section → topic, each
variant (базовый, углублённый) apart — with the number of resources confirmed for each node. Read-only: the
programme is data loaded by ``load_curriculum``, not edited by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import Grade, Subject, Topic


class TreeFilterForm(forms.Form):
    subject = forms.ModelChoiceField(
        Subject.objects.filter(has_topics=True).order_by("title"),
        label="Предмет",
        to_field_name="code",
        empty_label="выберите предмет",
    )
    grade = forms.ModelChoiceField(
        Grade.objects.order_by("number"), label="Класс", empty_label="все классы", required=False
    )


@dataclass
class Node:
    topic: Topic
    confirmed: int
    children: list[Node] = field(default_factory=list)


@dataclass
class Plan:
    """One grade and variant of the subject: its sections with their topics."""

    title: str
    nodes: list[Node]


def plans(subject: Subject, grade: Grade | None) -> list[Plan]:
    topics = Topic.objects.filter(subject=subject).select_related("grade")
    if grade is not None:
        topics = topics.filter(grade=grade)
    topics = topics.annotate(confirmed=Count("alignments", filter=Q(alignments__status="confirmed")))
    by_plan: dict[tuple[int, str], dict[int, Node]] = {}
    roots: dict[tuple[int, str], list[Node]] = {}
    for topic in topics.order_by("grade_id", "variant", "order", "pk"):
        key = (topic.grade_id, topic.variant)
        node = Node(topic, topic.confirmed)
        by_plan.setdefault(key, {})[topic.pk] = node
        parent = by_plan[key].get(topic.parent_id) if topic.parent_id else None
        if parent is not None:
            parent.children.append(node)
        else:
            roots.setdefault(key, []).append(node)
    return [
        Plan(f"{grade_id} класс" + (f", {variant} уровень" if variant else ""), nodes)
        for (grade_id, variant), nodes in roots.items()
    ]


class CurriculumTreeView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "curriculum/admin/tree.html"
    page_title = "Дерево программы"
    header_icon = "list-ol"

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = TreeFilterForm(self.request.GET or None)
        context["form"] = form
        context["list_url"] = reverse("wagtailsnippets_resources_resource:list")
        if form.is_valid():
            context["plans"] = plans(form.cleaned_data["subject"], form.cleaned_data.get("grade"))
        return context
