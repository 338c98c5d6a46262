"""The admin's front door for methodists: the dashboard panels of the catalog's state and the sidebar «Поиск».

Panels here read this floor's tables (resources by status and source, the review queue, the alignment
queue); the harvest jobs and the zero-result searches are panels the ``importers`` and ``search`` apps add
with the same hook (``construct_homepage_panels``). The catalog search finds resources (``admin_search``),
collections and curriculum topics (``curriculum.topic_search``) with Russian morphology.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content_repo.curriculum.models import Topic

from .admin_columns import source_labels
from .admin_search import search_resources, stems_condition
from .models import Alignment, Resource
from .permissions import is_restricted_to_own_organization

LIST_URL = "wagtailsnippets_resources_resource:list"
FOUND_LIMIT = 20


def visible_resources(user: Any):
    """The resources ``user`` may see in the admin (a vendor: its organisations' only)."""
    queryset = Resource.objects.all()
    if is_restricted_to_own_organization(user):
        from content_repo.publishers.models import organizations_of

        queryset = queryset.filter(provider__in=organizations_of(user))
    return queryset


class CatalogStatePanel(Component):
    """Resources by status and by source, each number a link to the filtered list."""

    name = "catalog_state"
    order = 50
    template_name = "resources/admin/home/catalog_state.html"

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        request = parent_context["request"]
        resources = visible_resources(request.user)
        list_url = reverse(LIST_URL)
        counts = dict(resources.order_by().values_list("status").annotate(n=Count("pk")))
        statuses = [
            {"label": label, "count": counts.get(value, 0), "url": f"{list_url}?status={value}"}
            for value, label in Resource.Status.choices
        ]
        return {
            "total": sum(counts.values()),
            "statuses": statuses,
            "sources": self._sources(resources, list_url),
            "only_suggested": resources.filter(alignments__isnull=False)
            .exclude(alignments__status=Alignment.Status.CONFIRMED)
            .distinct()
            .count(),
            "no_alignment": resources.filter(alignments__isnull=True).count(),
            "only_suggested_url": f"{list_url}?alignment=suggested",
            "no_alignment_url": f"{list_url}?alignment=none",
            "list_url": list_url,
        }

    @staticmethod
    def _sources(resources, list_url: str) -> list[dict[str, Any]]:
        labels = source_labels()
        rows = resources.order_by().values_list("source_layer__source").annotate(n=Count("pk"))
        found = [
            {
                "label": labels.get(code, code) if code else "созданы в каталоге",
                "count": n,
                "url": f"{list_url}?source={code}" if code else "",
            }
            for code, n in rows
        ]
        return sorted(found, key=lambda row: -row["count"])


class WorkQueuesPanel(Component):
    """What waits for a methodist: resources in review, suggestions to decide."""

    name = "work_queues"
    order = 40
    template_name = "resources/admin/home/work_queues.html"

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        request = parent_context["request"]
        resources = visible_resources(request.user)
        in_review = resources.filter(status=Resource.Status.IN_REVIEW)
        waiting = (
            Alignment.objects.filter(resource__in=resources, status=Alignment.Status.SUGGESTED)
            .exclude(resource__alignments__status=Alignment.Status.CONFIRMED)
            .values("resource_id")
            .distinct()
            .count()
        )
        return {
            "in_review": in_review.count(),
            "in_review_url": f"{reverse(LIST_URL)}?status={Resource.Status.IN_REVIEW}",
            "latest_in_review": list(in_review.select_related("provider").order_by("-updated_at")[:5]),
            "rejected": resources.filter(status=Resource.Status.REJECTED).count(),
            "rejected_url": f"{reverse(LIST_URL)}?status={Resource.Status.REJECTED}",
            "alignment_waiting": waiting,
            "can_decide": request.user.has_perm("resources.review_resource"),
        }


class CatalogSearchView(WagtailAdminTemplateMixin, TemplateView):
    """The sidebar «Поиск»: resources, collections and topics of the programme for the typed words."""

    template_name = "resources/admin/catalog_search.html"
    page_title = "Поиск по каталогу"
    header_icon = "search"

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        text = (self.request.GET.get("q") or "").strip()[:200]
        context["query"] = text
        if text:
            context.update(self._found(self.request, text))
        return context

    @staticmethod
    def _found(request: HttpRequest, text: str) -> dict[str, Any]:
        user = request.user
        resources = search_resources(visible_resources(user), text).select_related("provider")
        found: dict[str, Any] = {
            "resources": list(resources.order_by("-updated_at")[:FOUND_LIMIT]),
            "resources_total": resources.count(),
            "resources_url": f"{reverse(LIST_URL)}?{urlencode({'q': text})}",
            "collections": [],
            "topics": [],
        }
        if user.has_perm("collections.view_collection"):
            from content_repo.collections.models import Collection

            condition = stems_condition(text, ("title", "description"))
            if condition is not None:
                found["collections"] = list(Collection.objects.filter(condition)[:FOUND_LIMIT])
        if user.has_perm("curriculum.view_topic"):
            from content_repo.curriculum.topic_search import topic_index

            scores = topic_index().search(text)
            best = sorted(scores, key=lambda pk: -scores[pk])[:FOUND_LIMIT]
            topics = Topic.objects.filter(pk__in=best).select_related("subject", "parent")
            by_id = {topic.pk: topic for topic in topics}
            found["topics"] = [by_id[pk] for pk in best if pk in by_id]
            counts = dict(
                Alignment.objects.filter(topic_id__in=best)
                .filter(Q(status=Alignment.Status.CONFIRMED))
                .values_list("topic_id")
                .annotate(n=Count("pk"))
            )
            for topic in found["topics"]:
                topic.confirmed_count = counts.get(topic.pk, 0)
        found["list_url"] = reverse(LIST_URL)
        return found


def catalog_search_view(request: HttpRequest) -> TemplateResponse:
    return CatalogSearchView.as_view()(request)
