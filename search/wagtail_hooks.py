"""The search app in the admin: the report «Что ищут и не находят» (search.misses), and the catalog's search
backend lent to the admin's resource search (the hook ``search_catalog_resources``, read by
``content_repo.resources.admin_search``), so a methodist's «дробь» finds what a teacher's does."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from .admin_views import misses_report
from .backends import SearchBackendError, get_search_backend
from .misses import week_of
from .models import SearchMiss
from .query import InvalidQuery, SearchQuery

logger = logging.getLogger(__name__)

# Published resources the admin's search takes from the backend, at most (pages of MAX_PAGE_SIZE).
ADMIN_SEARCH_LIMIT = 500
ADMIN_SEARCH_PAGE = 100


# The report is the methodists' (what the catalog lacks), not the vendors'.
MISSES_PERMISSION = "resources.review_resource"


def _methodists_only(view: Any) -> Any:
    def guarded(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.has_perm(MISSES_PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


class _MethodistMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm(MISSES_PERMISSION))


@hooks.register("register_admin_urls")
def register_misses_report_url():
    return [path("reports/search-misses/", _methodists_only(misses_report), name="search_misses_report")]


@hooks.register("register_reports_menu_item")
def register_misses_report_menu_item():
    return _MethodistMenuItem("Что ищут и не находят", reverse("search_misses_report"), icon_name="search", order=900)


@hooks.register("search_catalog_resources")
def published_resources_matching(text: str) -> list[str]:
    """Ids of the published resources with every word of ``text`` (typos read as the service reads them).

    Not through ``search.service.search``: a methodist's query is not a teacher's miss. Hits that only some
    of the words gave (a relaxed query) are left out: the admin narrows, it does not suggest.
    """
    backend = get_search_backend()
    ids: list[str] = []
    cursor = None
    try:
        while len(ids) < ADMIN_SEARCH_LIMIT:
            results = backend.search(SearchQuery(text=text, page_size=ADMIN_SEARCH_PAGE, cursor=cursor))
            if results.relaxed:
                break
            ids.extend(hit.id for hit in results.hits)
            cursor = results.next_cursor
            if not cursor:
                break
    except InvalidQuery:
        return []
    except SearchBackendError as e:
        logger.warning("admin search: backend %s failed, stems only: %s", backend.name, e)
    return ids


class SearchMissesPanel(Component):
    """The dashboard's most searched queries of this and last week that found nothing."""

    name = "search_misses"
    order = 70
    template_name = "search/admin/misses_panel.html"
    LIMIT = 10

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        since = week_of(timezone.localdate()) - datetime.timedelta(weeks=1)
        misses = SearchMiss.objects.filter(week__gte=since, found=0).order_by("-searches", "text")[: self.LIMIT]
        return {"misses": list(misses)}


@hooks.register("construct_homepage_panels")
def add_search_misses_panel(request: Any, panels: list[Any]) -> None:
    if request.user.has_perm(MISSES_PERMISSION):
        panels.append(SearchMissesPanel())
