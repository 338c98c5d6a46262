"""The review queue «Привязка к программе»: resources with suggestions, by subject and grade, decided in one click.

Views are thin: they read the filters, list what waits, and call ``decisions``. The decision endpoints answer
JSON (with the resource's card re-rendered) to the queue's script, and redirect back for a plain form post,
so the queue works with the keyboard, with the mouse, and without JavaScript.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, FloatField, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content_repo.curriculum.chooser import context_inputs, topic_chooser_widget
from content_repo.curriculum.models import Subject, Topic
from content_repo.resources.admin_columns import source_labels
from content_repo.resources.models import Alignment, Resource, SourceLayer

from . import decisions

PER_PAGE = 20
DEFAULT_THRESHOLD = 0.8


class QueueFilterForm(forms.Form):
    """Which suggestions wait: by the suggested node's subject and grade, the resource's source; the order."""

    subject = forms.ChoiceField(label="Предмет", required=False)
    grade = forms.TypedChoiceField(
        label="Класс",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "все классы"), *((str(g), f"{g} класс") for g in range(1, 12))],
    )
    source = forms.ChoiceField(label="Источник", required=False)
    order = forms.ChoiceField(
        label="Порядок",
        required=False,
        choices=[("best", "сначала уверенные подсказки"), ("worst", "сначала сомнительные")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subjects = Subject.objects.filter(has_topics=True).order_by("title").values_list("code", "title")
        cast(forms.ChoiceField, self.fields["subject"]).choices = [("", "все предметы"), *subjects]
        sources = SourceLayer.objects.order_by("source").values_list("source", flat=True).distinct()
        self.source_labels = labels = source_labels()  # the cards of the same request name their sources with it
        choices = [("", "все источники"), *((code, labels.get(code, code)) for code in sources)]
        cast(forms.ChoiceField, self.fields["source"]).choices = choices

    def suggestions(self) -> QuerySet[Alignment]:
        """The suggested alignments the filters select (every suggestion, if the form is not valid)."""
        found = Alignment.objects.filter(status=Alignment.Status.SUGGESTED)
        if not self.is_valid():
            return found
        data = self.cleaned_data
        if data.get("subject"):
            found = found.filter(
                Q(topic__subject__code=data["subject"]) | Q(codifier_element__subject__code=data["subject"])
            )
        if data.get("grade"):
            grade = data["grade"]
            found = found.filter(Q(topic__grade_id=grade) | Q(topic__isnull=True, resource__grades__number=grade))
        if data.get("source"):
            found = found.filter(resource__source_layer__source=data["source"])
        return found


def _guard(request: HttpRequest) -> None:
    if not decisions.can_decide(request.user):
        raise PermissionDenied("Очередь привязки к программе — для методистов")


def _threshold(raw: str | None) -> float:
    try:
        value = float((raw or "").replace(",", "."))
    except ValueError:
        return DEFAULT_THRESHOLD
    return min(max(value, 0.0), 1.0)


class QueueView(WagtailAdminTemplateMixin, TemplateView):
    """The list: resources whose suggestions wait, best (or weakest) first, each as a card."""

    template_name = "alignment/queue.html"
    page_title = "Привязка к программе"
    header_icon = "list-ol"

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _guard(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = QueueFilterForm(self.request.GET or None)
        suggestions = form.suggestions()
        best = Coalesce(Max("score"), 0.0, output_field=FloatField())
        ordering = "best" if form.is_valid() and form.cleaned_data.get("order") == "worst" else "-best"
        waiting = suggestions.values("resource_id").annotate(best=best).order_by(ordering, "resource_id")
        page = Paginator(waiting, PER_PAGE).get_page(self.request.GET.get("p"))
        ids = [row["resource_id"] for row in page.object_list]
        threshold = _threshold(self.request.GET.get("threshold"))
        above = suggestions.filter(score__gte=threshold, score__isnull=False)
        context.update(
            form=form,
            page=page,
            cards=[_card(resource, form.source_labels) for resource in _resources(ids)],
            threshold=threshold,
            above=above.count(),
            above_resources=above.values("resource_id").distinct().count(),
            total_suggestions=suggestions.count(),
            query=self.request.GET.urlencode(),
            chooser_url=_chooser_url(),
            chooser_media=topic_chooser_widget().media,
            next_url=self.request.get_full_path(),
            page_query=_without(self.request.GET, "p"),
        )
        return context


def _without(params: Any, name: str) -> str:
    copy = params.copy()
    copy.pop(name, None)
    return copy.urlencode()


def _chooser_url() -> str:
    return reverse(Topic.snippet_viewset.chooser_viewset.get_url_name("choose"))  # type: ignore[attr-defined]


def _resources(ids: list[Any]) -> list[Resource]:
    alignments = Alignment.objects.select_related(
        "topic__subject", "topic__parent", "codifier_element__subject", "confirmed_by"
    )
    found = Resource.objects.filter(pk__in=ids).select_related("provider", "resource_type", "source_layer")
    found = found.prefetch_related("subjects", "grades", Prefetch("alignments", queryset=alignments))
    found = found.annotate(rejected=Count("rejected_suggestions", distinct=True))
    by_id = {resource.pk: resource for resource in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def _card(resource: Resource, labels: dict[str, str]) -> dict[str, Any]:
    """What the card template shows of ``resource``; ``labels`` are the source names, read once per request."""
    alignments = list(resource.alignments.all())
    suggested = [a for a in alignments if a.status == Alignment.Status.SUGGESTED]
    suggested.sort(key=lambda a: (-(a.score if a.score is not None else -1.0), a.pk))
    subjects = [s.code for s in resource.subjects.all()]
    grades = [g.number for g in resource.grades.all()]
    layer = resource.source_layer_or_none
    return {
        "resource": resource,
        "source_label": labels.get(layer.source, layer.source) if layer is not None else "",
        "suggested": suggested,
        "confirmed": [a for a in alignments if a.status == Alignment.Status.CONFIRMED],
        "subjects": ",".join(subjects),
        "grades": ",".join(str(g) for g in grades),
        "subject_titles": ", ".join(s.title for s in resource.subjects.all()),
        "grade_list": ", ".join(str(g) for g in grades),
        "overlaid": "alignments" in (resource.overlaid_fields or []),
        "context_inputs": context_inputs(subjects, grades),
    }


def render_card(request: HttpRequest, resource_id: Any) -> str:
    resources = _resources([resource_id])
    if not resources:
        return ""
    return render_to_string("alignment/_card.html", {"card": _card(resources[0], source_labels())}, request=request)


class DecisionView(View):
    """POST …/suggestions/<id>/(accept|reject|replace)/ — one decision; JSON for the queue's script."""

    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _guard(request)
        alignment = Alignment.objects.filter(pk=pk).values_list("resource_id", flat=True).first()
        try:
            message = self.decide(request, pk)
        except ValidationError as error:
            return _answer(request, alignment, "; ".join(error.messages), ok=False)
        return _answer(request, alignment, message)

    def decide(self, request: HttpRequest, pk: int) -> str:
        raise NotImplementedError


class AcceptView(DecisionView):
    def decide(self, request: HttpRequest, pk: int) -> str:
        confirmed = decisions.accept(pk, request.user)
        return f"Привязка подтверждена: «{confirmed.target.title if confirmed.target else ''}»"


class RejectView(DecisionView):
    def decide(self, request: HttpRequest, pk: int) -> str:
        decisions.reject(pk, request.user)
        return "Подсказка отклонена и больше не будет предложена этому ресурсу"


class ReplaceView(DecisionView):
    def decide(self, request: HttpRequest, pk: int) -> str:
        topic = Topic.objects.filter(pk=request.POST.get("topic") or 0).first()
        if topic is None:
            raise decisions.DecisionError("Выберите тему программы, которая подходит вместо подсказки")
        decisions.replace(pk, topic, request.user)
        return f"Подсказка заменена: подтверждена тема «{topic.title}»"


class AcceptAboveView(View):
    """POST …/accept-above/ — confirm every engine suggestion of the filtered queue scoring ≥ the threshold."""

    def post(self, request: HttpRequest) -> HttpResponse:
        _guard(request)
        form = QueueFilterForm(request.POST)
        threshold = _threshold(request.POST.get("threshold"))
        try:
            confirmed, resources = decisions.accept_above(list(form.suggestions()), threshold, request.user)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(
                request,
                f"Подтверждено привязок: {confirmed} у ресурсов: {resources} (оценка не ниже {threshold:.2f})",
            )
        return redirect(_next(request))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("alignment_queue")


def _answer(request: HttpRequest, resource_id: Any, message: str, *, ok: bool = True) -> HttpResponse:
    if "application/json" in request.headers.get("Accept", ""):
        html = render_card(request, resource_id) if resource_id else ""
        return JsonResponse({"ok": ok, "message": message, "html": html}, status=200 if ok else 409)
    (messages.success if ok else messages.error)(request, message)
    return redirect(_next(request))


def resource_card(request: HttpRequest, pk: Any) -> HttpResponse:
    """GET …/resources/<id>/card/ — one card, as the queue shows it (the script refreshes a card with it)."""
    _guard(request)
    get_object_or_404(Resource, pk=pk)
    return HttpResponse(render_card(request, pk))


class CoverageFilterForm(forms.Form):
    """The coverage report's selection: a subject (required), grade and variant, the «enough» threshold."""

    subject = forms.ChoiceField(label="Предмет")
    grade = forms.TypedChoiceField(
        label="Класс",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "все классы"), *((str(g), f"{g} класс") for g in range(1, 12))],
    )
    variant = forms.ChoiceField(
        label="Вариант",
        required=False,
        choices=[("", "все варианты"), ("базовый", "базовый"), ("углублённый", "углублённый")],
    )
    min_confirmed = forms.IntegerField(label="Достаточно подтверждённых", min_value=0, max_value=10_000, initial=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subjects = Subject.objects.filter(has_topics=True).order_by("title").values_list("code", "title")
        cast(forms.ChoiceField, self.fields["subject"]).choices = [("", "выберите предмет"), *subjects]


class CoverageReportView(WagtailAdminTemplateMixin, TemplateView):
    """Which nodes of a subject's plan lack published material (confirmed and suggested), CSV on request."""

    template_name = "alignment/coverage.html"
    page_title = "Покрытие программы"
    header_icon = "table"

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CoverageFilterForm(request.GET or None, initial={"min_confirmed": 3})
        report = None
        if form.is_valid():
            from .coverage import programme_coverage

            data = form.cleaned_data
            report = programme_coverage(
                subjects=[data["subject"]],
                grades=[data["grade"]] if data.get("grade") else [],
                variants=[data["variant"]] if data.get("variant") else [],
                min_confirmed=data["min_confirmed"] if data.get("min_confirmed") is not None else 3,
            )
            if request.GET.get("export") == "csv":
                return _coverage_csv(report, data)
        context = self.get_context_data(form=form, report=report, query=_without(request.GET, "export"))
        return self.render_to_response(context)


def _coverage_csv(report: Any, data: dict[str, Any]) -> HttpResponse:
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = "-".join(str(part) for part in (data["subject"], data.get("grade") or "", data.get("variant") or "") if part)
    response["Content-Disposition"] = f'attachment; filename="coverage-{name}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["Код", "Узел", "Вид", "Класс", "Вариант", "Часов", "Подтверждено", "Только предложено", "Мало материала"]
    )
    for node in report.nodes:
        title = ("    " * node.depth) + (f"{node.number}. " if node.number else "") + node.title
        hours = "" if node.hours is None else f"{node.hours:g}"
        flag = "да" if node.flagged else ""
        writer.writerow(
            [node.code, title, node.kind, node.grade, node.variant, hours, node.confirmed, node.suggested, flag]
        )
    return response
