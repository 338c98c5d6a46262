"""Probes, request ids, log formats and metrics, through Django's test client (the live stack is in
test_production.py)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from ops import health
from ops.context import request_id
from ops.logs import JsonFormatter, RequestIdFilter, RussianFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    local = "django.core.files.storage.FileSystemStorage"
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": local, "OPTIONS": {"location": tmp_path / "media"}}}
    from django.core.cache import cache

    cache.clear()
    health.READINESS.clear()  # each test asks its own dependencies, not the previous test's cached answer


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_healthz_answers_any_host_without_a_log_line(caplog):
    caplog.set_level(logging.INFO, logger="ops.requests")
    response = Client().get("/healthz", HTTP_HOST="10.1.2.3:8000")  # a balancer asking by address
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"
    assert "X-Request-ID" not in response
    assert [r for r in caplog.records if r.name == "ops.requests"] == []


def test_readyz_reports_every_dependency():
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready" and body["failed"] == []
    assert [(name, check["ok"]) for name, check in body["checks"].items()] == [
        ("database", True),
        ("search", True),
        ("storage", True),
        ("tasks", True),
    ]
    assert body["checks"]["search"]["detail"] == "database"
    assert body["checks"]["storage"]["detail"] == "local"


def test_readyz_names_a_missing_files_folder(settings, tmp_path):
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "no"}}
    }
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["storage"]
    assert str(tmp_path / "no") in body["checks"]["storage"]["detail"]


def test_readyz_names_a_failed_dependency_but_hides_why_from_a_forwarded_caller(settings, tmp_path):
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "no"}}
    }
    response = Client().get("/readyz", HTTP_X_FORWARDED_FOR="203.0.113.7")  # came through the proxy
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["storage"]
    assert [sorted(check) for check in body["checks"].values()] == [["ms", "ok"]] * 4
    assert str(tmp_path) not in response.content.decode()
    # The operator (here: with the metrics token, through the proxy too) reads why.
    settings.METRICS_TOKEN = "t0ken"
    operator = Client().get("/readyz", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_AUTHORIZATION="Bearer t0ken")
    assert str(tmp_path / "no") in operator.json()["checks"]["storage"]["detail"]


def test_readyz_reuses_its_answer_for_two_seconds(settings, tmp_path, monkeypatch):
    assert Client().get("/readyz").status_code == 200
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "no"}}
    }
    assert Client().get("/readyz").status_code == 200  # the same answer: the checks did not run again
    later = health.monotonic() + health.CACHE_SECONDS
    monkeypatch.setattr(health, "monotonic", lambda: later)
    response = Client().get("/readyz")
    assert (response.status_code, response.json()["failed"]) == (503, ["storage"])


def closed_port() -> int:
    from tests.harness.live_server import free_port

    return free_port()  # nothing listens there once the probe socket is closed


def test_readyz_names_an_unreachable_search_engine(settings):
    settings.READYZ_TIMEOUT = 3
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": "opensearch", "URL": f"http://127.0.0.1:{closed_port()}", "TIMEOUT": "1"},
        "database": {"BACKEND": "database"},
    }
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["failed"] == ["search"]
    assert body["checks"]["search"]["detail"] == "поисковый бэкенд opensearch не отвечает"
    assert body["checks"]["database"]["ok"] is True


def test_a_search_the_database_took_over_is_counted(settings):
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": "opensearch", "URL": f"http://127.0.0.1:{closed_port()}", "TIMEOUT": "1"},
        "database": {"BACKEND": "database"},
    }
    fallbacks = sample("catalog_search_fallbacks_total", backend="opensearch")
    answered = sample("catalog_search_duration_seconds_count", backend="database")
    response = Client().get("/api/v1/search/", {"q": "дроби"})
    assert response.status_code == 200 and response.json()["fallback"] is True
    assert sample("catalog_search_fallbacks_total", backend="opensearch") == fallbacks + 1
    assert sample("catalog_search_duration_seconds_count", backend="database") == answered + 1


def test_a_request_id_is_kept_when_plain_and_replaced_when_not(caplog):
    caplog.set_level(logging.INFO, logger="ops.requests")
    client = Client()
    kept = client.get("/api/v1/", HTTP_X_REQUEST_ID="nginx-3f9c2a1b7d04")
    assert kept["X-Request-ID"] == "nginx-3f9c2a1b7d04"
    for hostile in ["short", "a" * 65, "id with spaces", 'x"}\n{"level":"ERROR"']:
        replaced = client.get("/api/v1/", HTTP_X_REQUEST_ID=hostile)
        assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"]), hostile
    lines = [r for r in caplog.records if r.name == "ops.requests"]
    assert len(lines) == 5
    assert (lines[0].method, lines[0].path, lines[0].status, lines[0].endpoint) == ("GET", "/api/v1/", 200, "api/v1/")


def formatted(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    RequestIdFilter().filter(record)
    return formatter.format(record)


def test_log_formats_carry_the_request_id():
    token = request_id.set("3f9c2a1b7d04aa55")
    try:
        record = logging.LogRecord("ops.requests", logging.INFO, __file__, 1, "%s → %s", ("GET /", 200), None)
        record.status = 200
        line = json.loads(formatted(JsonFormatter(), record))
        assert (line["level"], line["logger"], line["message"]) == ("INFO", "ops.requests", "GET / → 200")
        assert (line["request_id"], line["status"]) == ("3f9c2a1b7d04aa55", 200)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line["time"])
        russian = formatted(RussianFormatter(), logging.makeLogRecord(record.__dict__ | {"request_id": ""}))
        assert re.fullmatch(r"\d\d:\d\d:\d\d инфо ops\.requests: GET / → 200 \[запрос 3f9c2a1b7d04\]", russian)
    finally:
        request_id.reset(token)
    outside = logging.LogRecord("x", logging.WARNING, __file__, 1, "без запроса", (), None)
    assert "request_id" not in json.loads(formatted(JsonFormatter(), outside))
    assert formatted(RussianFormatter(), outside).endswith("внимание x: без запроса")


def test_metrics_are_for_this_machine_or_a_token(settings):
    client = Client()
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    allowed = client.get("/metrics", REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert allowed.status_code == 200
    assert 'catalog_harvest_jobs{state="running"} 0.0' in allowed.content.decode()


def test_problems_and_quota_refusals_are_counted(settings):
    settings.API_ANONYMOUS_RATE = "3/minute"  # the 404 below counts too
    client = Client()
    not_found = sample("catalog_api_problems_total", endpoint="api/v1/.*/$", code="not_found")
    refused = sample("catalog_quota_refusals_total", caller="anonymous")
    throttled = sample("catalog_http_requests_total", method="GET", endpoint="api/v1/resources/", status="429")
    assert client.get("/api/v1/no-such-endpoint/").status_code == 404
    statuses = [client.get("/api/v1/resources/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert sample("catalog_api_problems_total", endpoint="api/v1/.*/$", code="not_found") == not_found + 1
    assert sample("catalog_quota_refusals_total", caller="anonymous") == refused + 1
    assert sample("catalog_http_requests_total", method="GET", endpoint="api/v1/resources/", status="429") == (
        throttled + 1
    )


def test_an_upload_refused_by_a_rule_is_counted_by_the_rule(users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from content_repo.api.keys import create_api_key

    key = create_api_key(users.org_a, "read,publish", name="загрузки").key
    empty = sample("catalog_upload_rejections_total", code="empty_file")
    response = Client().post(
        "/api/v1/uploads/",
        {"file": SimpleUploadedFile("пусто.pdf", b"", content_type="application/pdf")},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "empty_file"
    assert sample("catalog_upload_rejections_total", code="empty_file") == empty + 1
    unauthenticated = Client().post("/api/v1/uploads/", {})
    assert unauthenticated.status_code == 401
    assert sample("catalog_upload_rejections_total", code="not_authenticated") == 0


def test_a_task_on_the_database_queue_keeps_the_enqueuing_request_id(settings):
    from django_tasks_db.models import DBTaskResult

    from tests.ops.tasks import say

    settings.TASKS = settings.TASKS | {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    token = request_id.set("req-0123456789ab")
    try:
        queued = say.enqueue("привет")
    finally:
        request_id.reset(token)
    outside = say.enqueue("без запроса")
    stored = DBTaskResult.objects.get(id=queued.id).args_kwargs
    assert stored == {"args": ["привет"], "kwargs": {}, "request_id": "req-0123456789ab"}
    assert DBTaskResult.objects.get(id=outside.id).args_kwargs == {"args": ["без запроса"], "kwargs": {}}


def test_a_task_in_a_thread_of_the_web_process_keeps_the_request_id(settings):
    from django_tasks import task_backends

    from tests.ops.tasks import SEEN, remember_request_id

    settings.TASKS = settings.TASKS | {"threads": {"BACKEND": "content_repo.tasks_backend.ThreadBackend"}}
    SEEN.clear()
    token = request_id.set("req-thread-0001")
    try:
        remember_request_id.using(backend="threads").enqueue()
    finally:
        request_id.reset(token)
    assert task_backends["threads"].runner.wait_until_idle(5)
    assert SEEN == ["req-thread-0001"]
