"""Admin views of the search app: the methodists' report of queries that find nothing or little."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse

from .misses import LOW_RESULTS, REPORT_WEEKS, weekly_report


def misses_report(request: HttpRequest) -> TemplateResponse:
    """«Что ищут и не находят»: the last weeks' queries with no or few results, most searched first."""
    return TemplateResponse(
        request,
        "search/admin/misses.html",
        {
            "weeks": weekly_report(),
            "low": LOW_RESULTS,
            "weeks_shown": REPORT_WEEKS,
            "page_title": "Что ищут и не находят",
        },
    )
