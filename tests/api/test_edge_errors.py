"""The API's error boundary: the offenders the probe found answer precise 4xx problems, the request-level
limits answer before any view, and an unexpected error is a logged 500 problem with an id, never a page."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from django.db import DatabaseError, OperationalError
from django.test import Client
from rest_framework.test import APIClient

from content_repo.api.errors import database_unavailable, wait_in_russian
from content_repo.api.models import WebhookSubscription
from content_repo.api.views import read

from .helpers import problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/resources/?modified_since=2026-02-30", "modified_since"),
        ("/api/v1/resources/?modified_since=2026-01-01T25:00:00", "modified_since"),
        ("/api/v1/resources/?modified_since=0001-01-01", "modified_since"),
        ("/api/v1/organizations/?modified_since=9999-12-31T23:59:59-12:00", "modified_since"),
        ("/api/v1/collections/?modified_since=2026-01-01T10:00:00%2B99:00", "modified_since"),
        ("/api/v1/resources/?page_size=%C2%B2", "page_size"),  # ²
        ("/api/v1/resources/?page_size=%D9%A3", "page_size"),  # Arabic-Indic three
        ("/api/v1/resources/?grade=%D9%A3", "grade"),
        ("/api/v1/resources/?grade=1_0", "grade"),
        ("/api/v1/curriculum/topics/?grade=%C2%B2", "grade"),
        ("/api/v1/curriculum/topics/?cursor=cD1hYmM%3D", "cursor"),  # DRF's unsigned form of p=abc
        ("/api/v1/changes/?since=%C2%B2", "since"),
        ("/api/v1/changes/?since=99999999999999999999", "since"),
        ("/api/v1/changes/?page_size=%D9%A3", "page_size"),
        ("/api/v1/search/?grade=%C2%B2", "grade"),
        ("/api/v1/search/?page_size=%D9%A3", "page_size"),
        ("/api/v1/search/suggest/?q=x&limit=%C2%B2", "limit"),
        ("/api/v1/resources/?subject=a%00b", "subject"),
        ("/api/v1/resources/?subject=" + ",".join(["math"] * 51), "subject"),
        ("/api/v1/resources/?subject=" + "a" * 201, "subject"),
        ("/api/v1/resources/?source=" + "a" * 1001, "source"),
    ],
)
def test_the_offenders_answer_400_naming_the_parameter(client, url, parameter):
    body = problem(client.get(url), 400)
    assert body["code"] == "invalid_query_parameter"
    assert list(body["errors"]) == [parameter]


def test_a_cursor_only_fits_the_list_that_wrote_it(client):
    first = client.get("/api/v1/curriculum/topics/?page_size=2").json()
    [cursor] = parse_qs(urlsplit(first["next"]).query)["cursor"]
    second = client.get("/api/v1/curriculum/topics/", {"page_size": 2, "cursor": cursor})
    assert second.status_code == 200
    assert {t["code"] for t in second.json()["results"]}.isdisjoint(t["code"] for t in first["results"])
    borrowed = problem(client.get("/api/v1/curriculum/subjects/", {"cursor": cursor}), 400)
    assert list(borrowed["errors"]) == ["cursor"]
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    assert list(problem(client.get("/api/v1/curriculum/topics/", {"cursor": tampered}), 400)["errors"]) == ["cursor"]


def test_more_than_a_thousand_query_parameters_is_a_400_problem(client):
    query = "&".join(f"p{i}=1" for i in range(1001))
    body = problem(client.get(f"/api/v1/resources/?{query}"), 400)
    assert body["code"] == "too_many_parameters"
    assert "1000" in body["detail"]


def test_a_thousand_parameters_still_reach_the_declared_parameters_check(client):
    query = "&".join(f"p{i}=1" for i in range(1000))
    assert problem(client.get(f"/api/v1/resources/?{query}"), 400)["code"] == "invalid_query_parameter"


def test_a_non_numeric_content_length_is_a_400_problem(callers):
    body = b'{"url": "https://vendor-a.example/hooks", "events": ["resource.changed"]}'
    response = callers.publish_a.generic(
        "POST", "/api/v1/webhooks/", body, content_type="application/json", CONTENT_LENGTH="12abc"
    )
    answer = problem(response, 400)
    assert answer["code"] == "bad_request"
    assert answer["detail"] == "заголовок Content-Length: ожидается число байт, получено '12abc'"
    assert WebhookSubscription.objects.count() == 0


def test_a_foreign_host_under_the_api_is_a_problem_not_an_html_page(client):
    assert problem(client.get("/api/v1/organizations/", HTTP_HOST="evil.example"), 400)["code"] == "bad_request"


def test_a_write_without_the_trailing_slash_is_redirected_with_its_method(callers):
    response = callers.publish_a.post("/api/v1/webhooks?x=1", {}, format="json")
    assert (response.status_code, response["Location"]) == (308, "/api/v1/webhooks/?x=1")
    assert Client().get("/api/v1/organizations").status_code == 301  # reads keep Django's redirect


def test_an_unexpected_error_is_a_500_problem_with_an_id_logged_with_its_traceback(client, monkeypatch, caplog):
    def broken(self):
        raise KeyError("a bug in a view")

    monkeypatch.setattr(read.OrganizationList, "get_queryset", broken)
    with caplog.at_level(logging.ERROR, logger="content_repo.api.errors"):
        body = problem(client.get("/api/v1/organizations/"), 500)
    assert (body["code"], body["title"]) == ("server_error", "Внутренняя ошибка сервера")
    assert body["error_id"] in body["detail"]
    assert "a bug in a view" not in str(body) and "Traceback" not in str(body)
    [record] = [r for r in caplog.records if body["error_id"] in r.getMessage()]
    assert record.exc_info[0] is KeyError


def test_an_error_escaping_the_view_while_rendering_is_a_500_problem(monkeypatch, caplog):
    from rest_framework.renderers import JSONRenderer

    def broken(self, data, accepted_media_type=None, renderer_context=None):
        raise ValueError("a bug in a renderer")

    monkeypatch.setattr(JSONRenderer, "render", broken)
    client = APIClient(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="content_repo.api.errors"):
        response = client.get("/api/v1/organizations/")
    assert (response.status_code, response["Content-Type"]) == (500, "application/problem+json")
    assert b"server_error" in response.content
    assert any(r.exc_info and r.exc_info[0] is ValueError for r in caplog.records)


def test_429_says_in_russian_when_to_come_back(client, settings):
    settings.API_ANONYMOUS_RATE = "1/hour"
    assert client.get("/api/v1/organizations/").status_code == 200
    response = client.get("/api/v1/organizations/", HTTP_ACCEPT_LANGUAGE="en")
    body = problem(response, 429)
    wait = int(response["Retry-After"])
    assert 3500 <= wait <= 3600
    assert body["detail"] == f"Превышена квота запросов; повторите через {wait_in_russian(wait)}"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "1 с"), (0.2, "1 с"), (59, "59 с"), (60, "1 мин"), (3599, "59 мин 59 с"), (3725, "1 ч 2 мин 5 с")],
)
def test_waits_are_written_in_russian(seconds, text):
    assert wait_in_russian(seconds) == text


def sqlite_error(statement: str, tmp_path) -> sqlite3.Error:
    """A real driver error: `statement` on a read-only database, or while another connection writes."""
    path = tmp_path / "db.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (a)")
    writer.execute("BEGIN IMMEDIATE")
    uri = f"file:{path}?mode=ro" if statement == "readonly" else f"file:{path}"
    other = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
    try:
        other.execute("INSERT INTO t VALUES (1)")
    except sqlite3.Error as e:
        return e
    finally:
        writer.rollback()
    raise AssertionError("no error")


def wrapped(driver_error: Exception) -> DatabaseError:
    """As Django raises it: its own class, the driver's error as the cause."""
    try:
        raise OperationalError(str(driver_error)) from driver_error
    except OperationalError as e:
        return e


@pytest.mark.parametrize(
    ("statement", "code", "retry_after"), [("readonly", "read_only", 60), ("busy", "database_busy", 5)]
)
def test_sqlite_errors_that_mean_not_now_are_503(tmp_path, statement, code, retry_after):
    unavailable = database_unavailable(wrapped(sqlite_error(statement, tmp_path)))
    assert (unavailable.default_code, unavailable.retry_after, unavailable.status_code) == (code, retry_after, 503)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (psycopg.errors.SerializationFailure, "database_busy"),
        (psycopg.errors.DeadlockDetected, "database_busy"),
        (psycopg.errors.LockNotAvailable, "database_busy"),
        (psycopg.errors.ReadOnlySqlTransaction, "read_only"),
        (psycopg.errors.UniqueViolation, None),
        (psycopg.errors.UndefinedTable, None),
    ],
)
def test_postgresql_errors_are_told_apart_by_sqlstate(error, code):
    unavailable = database_unavailable(wrapped(error("message")))
    assert (unavailable.default_code if unavailable else None) == code


def test_other_errors_are_not_unavailability():
    assert database_unavailable(wrapped(sqlite3.OperationalError("no such table: t"))) is None
    assert database_unavailable(ValueError("database is locked")) is None


class FailingMiddleware:
    """Stands behind the boundary for a middleware with a bug (`X-Fail: bug`) or one that met a busy
    database (`X-Fail: busy`, a real SQLITE_BUSY from a second connection)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        failure = request.headers.get("X-Fail")
        if failure == "bug":
            raise RuntimeError("a bug in a middleware")
        if failure == "busy":
            with tempfile.TemporaryDirectory() as folder:
                raise wrapped(sqlite_error("busy", Path(folder)))
        return self.get_response(request)


@pytest.fixture
def failing_middleware(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.api.test_edge_errors.FailingMiddleware"]


def test_an_exception_in_another_middleware_is_a_problem_under_the_api(failing_middleware, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="content_repo.api.errors"):
        bug = client.get("/api/v1/organizations/", HTTP_X_FAIL="bug")
    body = problem(bug, 500)
    assert body["code"] == "server_error"
    assert any(body["error_id"] in r.getMessage() and r.exc_info[0] is RuntimeError for r in caplog.records)
    busy = client.get("/api/v1/organizations/", HTTP_X_FAIL="busy")
    assert (problem(busy, 503)["code"], busy["Retry-After"]) == ("database_busy", "5")


def test_a_busy_database_elsewhere_is_a_plain_503(failing_middleware):
    response = Client(raise_request_exception=False).get("/admin/login/", HTTP_X_FAIL="busy")
    assert (response.status_code, response["Content-Type"], response["Retry-After"]) == (
        503,
        "text/plain; charset=utf-8",
        "5",
    )
    assert "повторите запрос через 5 с" in response.content.decode()
    bug = Client(raise_request_exception=False).get("/admin/login/", HTTP_X_FAIL="bug")
    assert (bug.status_code, bug["Content-Type"].split(";")[0]) == (500, "text/html")  # Django's own page
