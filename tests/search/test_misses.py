"""Queries that find little are counted per week, with the query text only, and shown to methodists."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from search import service
from search.backends.database import DatabaseSearchBackend
from search.misses import normalised, week_of
from search.models import SearchMiss
from search.query import SearchQuery

from .catalog import load_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    DatabaseSearchBackend({}).index_documents(load_catalog())


def test_zero_and_low_result_queries_are_counted_per_week_without_anything_personal(catalog):
    service.search(SearchQuery("Квазары   и Пульсары"))
    service.search(SearchQuery("квазары и пульсары"))
    service.search(SearchQuery("эдс"))  # 1 resource: few
    this_week = week_of(timezone.localdate())
    rows = sorted(SearchMiss.objects.values_list("week", "text", "searches", "found"))
    assert rows == [(this_week, "квазары и пульсары", 2, 0), (this_week, "эдс", 1, 1)]
    assert {field.name for field in SearchMiss._meta.get_fields()} == {"id", "week", "text", "searches", "found"}


def test_good_queries_filtered_queries_and_later_pages_are_not_misses(catalog):
    service.search(SearchQuery("дроби"))
    service.search(SearchQuery("дроби", filters={"provider": ["uchi"], "grade": ["6"]}))
    first = service.search(SearchQuery("", page_size=1))
    service.search(SearchQuery("", page_size=1, cursor=first.next_cursor))
    assert SearchMiss.objects.count() == 0


def test_the_text_kept_is_short_and_normalised():
    assert normalised("  Ёлка   ЁЖИК ") == "елка ежик"
    assert len(normalised("слово " * 40)) == 100


def test_the_report_shows_weeks_newest_first_nothing_found_first(client, users):
    today = timezone.localdate()
    last_week = week_of(today) - datetime.timedelta(weeks=1)
    SearchMiss.objects.create(week=week_of(today), text="квазары", searches=3, found=0)
    SearchMiss.objects.create(week=week_of(today), text="эдс", searches=9, found=1)
    SearchMiss.objects.create(week=last_week, text="вмв", searches=2, found=0)
    SearchMiss.objects.create(week=week_of(today) - datetime.timedelta(weeks=20), text="давно", searches=5, found=0)
    client.force_login(users.methodist)
    response = client.get("/admin/reports/search-misses/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("квазары") < html.index("эдс") < html.index("вмв")
    assert "давно" not in html
    assert "Неделя с" in html and "запросов: 12" in html
    assert client.get("/admin/").status_code == 200


def test_the_report_needs_the_admin(client):
    response = client.get("/admin/reports/search-misses/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
