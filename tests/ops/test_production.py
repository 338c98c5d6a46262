"""The production command for real: `manage.py serve` (supervisord, gunicorn workers with DEBUG off, db_worker,
the search sweep, the scheduled commands) over its own copy of the test database — PostgreSQL when the suite
runs on it — with a real OpenSearch node, then a backup taken while it serves, restored into an empty instance.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import httpx
import pytest

from .conftest import Instance, empty_database, production_env, start_stack

pytestmark = [pytest.mark.django_db, pytest.mark.opensearch]

STATIC_REFERENCE = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.fixture(scope="module")
def stack(instance, opensearch_node):
    instance.env.update(
        production_env(
            SEARCH_BACKEND="opensearch",
            SEARCH_URL=opensearch_node.url,
            SEARCH_INDEX_PREFIX=f"ops-{uuid.uuid4().hex[:8]}",
            SEARCH_TIMEOUT="3",
            API_BULK_INLINE_MAX_LINES="1",
        )
    )
    rebuilt = instance.manage("rebuild_search_index")
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    running = start_stack(instance)
    yield running
    running.stop()


def static_references(page: httpx.Response) -> list[str]:
    return sorted(set(STATIC_REFERENCE.findall(page.text)))


@pytest.mark.parametrize("path", ["/admin/login/", "/api/v1/docs/"])
def test_pages_and_their_static_files_answer_with_debug_off(stack, path):
    page = httpx.get(stack.url + path, timeout=30)
    assert page.status_code == 200
    assets = static_references(page)
    assert len(assets) >= 2, page.text[:500]
    # Collected with a content hash in the name (ManifestStaticFilesStorage), cached for a year.
    assert all(re.search(r"\.[0-9a-f]{12}\.", asset) for asset in assets), assets
    for asset in assets:
        response = httpx.get(stack.url + asset, timeout=30)
        assert response.status_code == 200, asset
        assert "immutable" in response.headers["Cache-Control"], asset


@pytest.mark.parametrize("path", ["/", "/search/?q=урок", "/curriculum/"])
def test_the_teachers_site_and_its_static_files_answer_with_debug_off(stack, path):
    page = httpx.get(stack.url + path, timeout=30)
    assert page.status_code == 200, page.text[:500]
    assets = static_references(page)
    # The portal's own stylesheet and script, under their collected (hashed) names.
    assert any(re.fullmatch(r"/static/portal/portal\.[0-9a-f]{12}\.css", asset) for asset in assets), assets
    assert any(re.fullmatch(r"/static/portal/portal\.[0-9a-f]{12}\.js", asset) for asset in assets), assets
    for asset in assets:
        response = httpx.get(stack.url + asset, timeout=30)
        assert response.status_code == 200, asset
        assert "immutable" in response.headers["Cache-Control"], asset
        assert int(response.headers["Content-Length"]) > 0, asset


def test_health_and_readiness(stack):
    health = httpx.get(stack.url + "/healthz", timeout=10)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = httpx.get(stack.url + "/readyz", timeout=10)
    body = ready.json()
    assert ready.status_code == 200, body
    assert body["status"] == "ready" and body["failed"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "search": True,
        "storage": True,
        "tasks": True,
    }
    assert body["checks"]["search"]["detail"] == "opensearch"


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_across_the_workers(stack):
    labels = {"endpoint": "api/v1/resources/", "method": "GET", "status": "200"}
    before = metric(httpx.get(stack.url + "/metrics", timeout=10).text, "catalog_http_requests_total", **labels)
    for _ in range(7):  # more requests than workers: they land on both
        assert httpx.get(stack.url + "/api/v1/resources/", timeout=30).status_code == 200
    scraped = httpx.get(stack.url + "/metrics", timeout=10)
    assert scraped.status_code == 200
    assert metric(scraped.text, "catalog_http_requests_total", **labels) == before + 7
    assert metric(scraped.text, "catalog_resources_published") == 12
    assert metric(scraped.text, "catalog_metrics_database_up") == 1
    # Through a proxy (X-Forwarded-For) the metrics are refused: nginx must not expose them.
    proxied = httpx.get(stack.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert proxied.status_code == 403
    assert "catalog_http_requests_total" not in proxied.text


def test_a_search_is_timed_per_backend(stack):
    count = "catalog_search_duration_seconds_count"
    before = metric(httpx.get(stack.url + "/metrics").text, count, backend="opensearch")
    response = httpx.get(stack.url + "/api/v1/search/", params={"q": "урок"}, timeout=30)
    assert response.status_code == 200 and response.json()["fallback"] is False
    after = httpx.get(stack.url + "/metrics").text
    assert metric(after, count, backend="opensearch") == before + 1
    assert metric(after, "catalog_search_fallbacks_total", backend="opensearch") == 0


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_log_lines_are_json_and_carry_the_request_id_into_the_worker(stack):
    instance: Instance = stack.instance
    key = (
        instance.django(
            "from content_repo.api.keys import create_api_key\n"
            "from content_repo.publishers.services import create_organization\n"
            "org = create_organization('vendor-ops', 'Поставщик', 'vendor')\n"
            "print(create_api_key(org, 'read,publish', name='ops').key)\n"
        )
        .strip()
        .splitlines()[-1]
    )
    rid = f"ops-test-{uuid.uuid4().hex[:12]}"
    lines = "\n".join(json.dumps(line(n), ensure_ascii=False) for n in range(2)).encode()
    response = httpx.post(
        stack.url + "/api/v1/resources/bulk/",
        content=lines,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson", "X-Request-ID": rid},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    assert response.headers["X-Request-ID"] == rid
    # supervisord copies the worker's output into the log file a moment after the answer has gone out.
    deadline = time.monotonic() + 30
    while not (request_lines := [r for r in json_lines(stack.log("web")) if r.get("request_id") == rid]):
        if time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert [(r["logger"], r["method"], r["path"], r["status"]) for r in request_lines] == [
        ("ops.requests", "POST", "/api/v1/resources/bulk/", 202)
    ]
    assert request_lines[0]["duration_ms"] > 0 and request_lines[0]["level"] == "INFO"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = [
            r
            for r in json_lines(stack.log("worker"))
            if r.get("request_id") == rid and r.get("task") == "content_repo.api.tasks.process_bulk_submission"
        ]
        if done:
            break
        time.sleep(0.5)
    assert [(r["logger"], r["task_status"]) for r in done] == [("ops.tasks", "SUCCESSFUL")], stack.log("worker")[-3000:]
    assert not [r for r in json_lines(stack.log("worker")) if r["logger"].startswith("django_tasks")]


def line(number: int) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "identifier": f"ops-{number}",
        "name": f"Урок эксплуатации {number}",
        "url": f"https://vendor.example/ops-{number}",
        "learningResourceType": "Урок",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isAccessibleForFree": True,
        "educationalAlignment": [
            {"@type": "AlignmentObject", "alignmentType": "educationalSubject", "targetName": "Математика"},
            {"@type": "AlignmentObject", "alignmentType": "educationalLevel", "targetName": "5 класс"},
        ],
    }


API_DUMP = """
import hashlib, json
from django.test import Client
from ops.backup import stored_names
from django.core.files.storage import default_storage
client = Client()
resources, url = [], "/api/v1/resources/?page_size=100"
while url:
    page = client.get(url).json()
    resources += [client.get(f"/api/v1/resources/{item['id']}/").json() for item in page["results"]]
    url = page.get("next")
files = {}
for name in stored_names():
    with default_storage.open(name, "rb") as f:
        files[name] = hashlib.sha256(f.read()).hexdigest()
print(json.dumps({"resources": sorted(resources, key=lambda r: r["id"]), "files": files}, ensure_ascii=False))
"""


def test_a_backup_taken_while_serving_restores_into_an_empty_instance(stack, tmp_path):
    source: Instance = stack.instance
    taken = source.manage("backup", str(tmp_path / "backup"))
    assert taken.returncode == 0, taken.stderr[-3000:]
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["files"]["count"] == 3
    assert 'SECRET_KEY="<скрыто>"' in (tmp_path / "backup" / "config.env").read_text()

    target = Instance(empty_database(source.database_url, tmp_path), tmp_path / "restored")
    target.env.update(source.env | {"SEARCH_INDEX_PREFIX": f"restored-{uuid.uuid4().hex[:8]}"})
    restored = target.manage("restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr[-3000:]

    original, copy = (json.loads(i.django(API_DUMP).strip().splitlines()[-1]) for i in (source, target))
    assert len(original["resources"]) >= 12
    assert copy["resources"] == original["resources"]
    assert copy["files"] == original["files"] and len(copy["files"]) == 3
    # The restored instance's own index was rebuilt from its database: the engine finds what the API lists.
    found = target.django(
        "from search.query import SearchQuery\nfrom search.service import search\nprint(search(SearchQuery()).total)\n"
    )
    assert int(found.strip().splitlines()[-1]) == len(original["resources"])


def test_readyz_names_the_search_node_when_it_is_stopped(stack, opensearch_node):
    opensearch_node.stop()
    # Each worker reuses its probe's answer for 2 s: an answer taken before the stop may still be served.
    deadline = time.monotonic() + 15
    ready = httpx.get(stack.url + "/readyz", timeout=30)
    while ready.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        ready = httpx.get(stack.url + "/readyz", timeout=30)
    body = ready.json()
    assert ready.status_code == 503
    assert body["failed"] == ["search"]
    assert body["checks"]["database"]["ok"] is True
    assert "не отвечает" in body["checks"]["search"]["detail"]
    # Search keeps answering from the database, and the fallback is counted.
    response = httpx.get(stack.url + "/api/v1/search/", params={"q": "урок"}, timeout=30)
    assert response.status_code == 200 and response.json()["fallback"] is True
    scraped = httpx.get(stack.url + "/metrics").text
    assert metric(scraped, "catalog_search_fallbacks_total", backend="opensearch") == 1
