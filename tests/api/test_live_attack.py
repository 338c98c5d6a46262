"""The running server attacked the way a hostile or careless client would (issue: reliability and security).

One real `runserver` per module over its own copy of the test database — SQLite in the SQLite run of the suite,
PostgreSQL in the PostgreSQL run: concurrent single and bulk writers, hostile parameters and bodies, a receiver
that never answers, and a kill -9 in the middle of a large bulk submission.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.harness.live_server import issue_keys, run_django

from . import webhook_receivers
from .helpers import feed_item

pytestmark = pytest.mark.django_db

NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture(scope="module")
def keys(live_database) -> dict[str, str]:
    return issue_keys(
        live_database.url,
        {
            "vendor": ("attack-vendor", "vendor", "read,publish"),
            "other": ("attack-other", "vendor", "read,publish"),
            "reviewer": ("attack-operator", "operator", "read,review"),
        },
    )


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def lesson(external_id: str) -> dict:
    return {
        "external_id": external_id,
        "title": f"Проценты, урок {external_id}",
        "subjects": ["math"],
        "grades": [6],
        "license": "cc-by-4.0",
        "url": f"https://vendor.example/{external_id}",
    }


def ndjson(items: list) -> bytes:
    return "\n".join(json.dumps(item, ensure_ascii=False) for item in items).encode()


def count(live_database, prefix: str) -> tuple[int, int]:
    """(resources, distinct external ids) of the vendor's resources whose identity starts with ``prefix``."""
    code = (
        "from content_repo.resources.models import Resource, SourceLayer\n"
        f"rows = SourceLayer.objects.filter(source='attack-vendor', external_id__startswith={prefix!r})\n"
        f"resources = Resource.objects.filter(provider__code='attack-vendor', title__contains={prefix!r})\n"
        "print(rows.count(), rows.values('external_id').distinct().count())\n"
    )
    layers, distinct = run_django(live_database.url, code).split()[-2:]
    return int(layers), int(distinct)


def test_twenty_concurrent_single_and_bulk_writers_get_every_line_answered(catalog_server, live_database, keys):
    barrier = threading.Barrier(20)

    def write(i: int) -> httpx.Response:
        with httpx.Client(base_url=catalog_server.url, timeout=180, headers=bearer(keys["vendor"])) as client:
            barrier.wait()
            if i % 2:
                return client.post("/api/v1/resources/", json=lesson(f"single-{i}"))
            # Bulk writers overlap: each sends 30 lines, 10 of them shared with the next bulk writer.
            lines = [lesson(f"bulk-{i // 2 * 20 + n}") for n in range(30)]
            return client.post("/api/v1/resources/bulk/", content=ndjson(lines), headers=NDJSON)

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(write, range(20)))

    assert [r.status_code for r in responses if r.status_code >= 500] == [], catalog_server.log()[-3000:]
    assert Counter(r.status_code for r in responses) == {201: 10, 200: 10}
    for response in responses:
        if response.status_code == 200:
            results = response.json()["results"]
            assert [r["line"] for r in results] == list(range(1, 31))
            assert [(r["external_id"], r["errors"]) for r in results if r["status"] == "rejected"] == []
    assert count(live_database, "single-") == (10, 10)
    assert count(live_database, "bulk-") == (9 * 20 + 30, 9 * 20 + 30)  # every identity once, none twice


HOSTILE_PARAMETERS = [
    "/api/v1/resources/?modified_since=2026-02-30",
    "/api/v1/resources/?modified_since=0001-01-01",
    "/api/v1/resources/?grade=%C2%B2",
    "/api/v1/curriculum/topics/?cursor=forged",
    "/api/v1/search/?q=%00",
    "/api/v1/search/?page_size=%D9%A3",
    "/api/v1/resources/?" + "&".join(f"p{n}=1" for n in range(1200)),
]


@pytest.mark.parametrize("path", HOSTILE_PARAMETERS)
def test_hostile_parameters_are_4xx_problems(catalog_server, path):
    response = httpx.get(catalog_server.url + path, timeout=30)

    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/problem+json"


def hostile_bodies() -> list[tuple[str, str, bytes, dict[str, str]]]:
    deep = b'{"title": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    surrogate = b'{"title": "\\ud800", "url": "https://x.example/1"}'
    long_duration = json.dumps(lesson("long") | {"duration": "P" + "9" * 40 + "D"}).encode()
    big = b'{"title": "' + b"a" * 3_000_000 + b'"}'
    return [
        ("POST", "/api/v1/resources/", deep, {"Content-Type": "application/json"}),
        ("POST", "/api/v1/resources/", surrogate, {"Content-Type": "application/json"}),
        ("POST", "/api/v1/resources/", long_duration, {"Content-Type": "application/json"}),
        ("POST", "/api/v1/resources/", big, {"Content-Type": "application/json"}),
        ("POST", "/api/v1/resources/bulk/", deep + b"\n" + surrogate, NDJSON),
        ("POST", "/api/v1/resources/bulk/", b"{}", {**NDJSON, "Content-Length": "abc"}),
        ("POST", "/api/v1/webhooks/", b'{"url": "https://example.com:99999/", "events": ["resource.changed"]}', {}),
    ]


@pytest.mark.parametrize("method,path,body,headers", hostile_bodies(), ids=lambda value: str(value)[:30])
def test_hostile_bodies_never_get_a_5xx(catalog_server, keys, method, path, body, headers):
    headers = {"Content-Type": "application/json", **headers, **bearer(keys["other"])}
    if "Content-Length" in headers:  # a forged header no HTTP client library will send: write it by hand
        status, content_type = raw_request(catalog_server.url, method, path, headers, body)
        assert 400 <= status < 500 and content_type == "application/problem+json", (status, content_type)
        return
    response = httpx.request(method, catalog_server.url + path, content=body, headers=headers, timeout=60)
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
    else:  # a bulk answers per line: the hostile lines are rejected, each with its reason
        assert {r["status"] for r in response.json()["results"]} == {"rejected"}


def raw_request(base_url: str, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    """One HTTP/1.1 request written on a socket as given; the status and Content-Type of the answer."""
    host, port = base_url.removeprefix("http://").split(":")
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(head.encode("latin-1") + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    headers_part = rest.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
    content_type = next(
        (line.split(":", 1)[1].strip() for line in headers_part.splitlines() if line.startswith("content-type:")), ""
    )
    return int(status_line.split()[1]), content_type


def test_a_receiver_that_never_answers_never_holds_the_request_that_triggered_it(catalog_server, keys):
    receiver, stop = webhook_receivers.serve(webhook_receivers.sleeps(60))
    try:
        vendor = httpx.Client(base_url=catalog_server.url, timeout=60, headers=bearer(keys["vendor"]))
        reviewer = httpx.Client(base_url=catalog_server.url, timeout=60, headers=bearer(keys["reviewer"]))
        hook = vendor.post("/api/v1/webhooks/", json={"url": receiver.url, "events": ["submission.approved"]})
        assert hook.status_code == 201, hook.text
        created = vendor.post("/api/v1/resources/", json=lesson("webhook-1")).json()

        started = time.monotonic()
        approved = reviewer.post(f"/api/v1/resources/{created['id']}/approve/", json={})
        answered_in = time.monotonic() - started

        assert approved.status_code == 200, approved.text
        assert answered_in < 2, f"the approval waited {answered_in:.1f} s"
        receiver.wait_for_requests(1)  # the delivery did go out — in the background
    finally:
        stop()


def test_kill_9_in_the_middle_of_a_bulk_submission_then_resend_gives_no_duplicates(catalog_server, live_database, keys):
    lines = [feed_item(f"kill-{n}", f"Урок {n}. Дроби", subject="Математика", grade=5) for n in range(600)]
    body = ndjson(lines)
    client = httpx.Client(base_url=catalog_server.url, timeout=120, headers=bearer(keys["vendor"]))
    accepted = client.post("/api/v1/resources/bulk/", content=body, headers=NDJSON)
    assert accepted.status_code == 202, accepted.text
    status_url = accepted.headers["Location"]
    deadline = time.monotonic() + 120
    while client.get(status_url).json()["answered"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)

    catalog_server.kill()  # SIGKILL: no cleanup, the background thread dies mid-batch
    catalog_server.start()
    resent = client.post("/api/v1/resources/bulk/", content=body, headers=NDJSON)
    assert resent.status_code == 202
    finished = wait_finished(client, resent.headers["Location"])
    resume = "from django.core.management import call_command\ncall_command('process_bulk_submissions', stale=0)\n"
    run_django(live_database.url, resume)

    interrupted = client.get(status_url).json()
    assert (interrupted["state"], interrupted["answered"]) == ("finished", 600)  # finished after the restart
    assert finished["state"] == "finished" and finished["summary"]["rejected"] == 0
    assert count(live_database, "kill-") == (600, 600)  # sent twice, cut short once: each resource once


def wait_finished(client: httpx.Client, url: str, seconds: float = 240) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if body["state"] in ("finished", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"not finished in {seconds} s: {body}")
