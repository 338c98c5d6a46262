"""The admin report «Что ищут и не находят»: queries that found nothing or little, by week (search.misses)."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import misses_report


@hooks.register("register_admin_urls")
def register_misses_report_url():
    return [path("reports/search-misses/", misses_report, name="search_misses_report")]


@hooks.register("register_reports_menu_item")
def register_misses_report_menu_item():
    return MenuItem("Что ищут и не находят", reverse("search_misses_report"), icon_name="search", order=900)
