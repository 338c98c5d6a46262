"""The real server (`runserver` over its own copy of the test database, SQLite or PostgreSQL) under concurrent
writers, a lock it cannot get, a read-only database and clients that forge X-Forwarded-For."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest

from tests.harness.live_server import LiveServer, issue_keys, run_django

# The live database is cloned from the test database, which pytest-django sets up only for marked tests.
pytestmark = pytest.mark.django_db

WRITERS = 20
ANONYMOUS_QUOTA = 5


@pytest.fixture(scope="module")
def catalog_server_env() -> dict[str, str]:
    # The test client's own loopback address is a trusted proxy; 127.0.0.2 plays a client connecting directly.
    return {"API_ANONYMOUS_RATE": f"{ANONYMOUS_QUOTA}/hour", "TRUSTED_PROXIES": "127.0.0.1"}


@pytest.fixture(scope="module")
def keys(live_database) -> dict[str, str]:
    issued = issue_keys(
        live_database.url,
        {
            "vendor_a": ("live-vendor-a", "vendor", "read,publish"),
            "vendor_b": ("live-vendor-b", "vendor", "read,publish"),
            "busy_reader": ("live-portal", "platform", "read"),
            "read_only_reader": ("live-portal", "platform", "read"),
        },
    )
    run_django(
        live_database.url,
        "from django.contrib.auth.models import User\nUser.objects.create_superuser('live-admin', '', 'live-pass')\n",
    )
    return issued


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def is_problem(response: httpx.Response) -> bool:
    return response.headers.get("content-type") == "application/problem+json"


def concurrently(count: int, request) -> list[httpx.Response]:
    """`request(i, client)` from `count` threads released at once."""
    barrier = threading.Barrier(count)

    def run(i: int) -> httpx.Response:
        with httpx.Client(timeout=120) as client:
            barrier.wait()
            return request(i, client)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def lesson(external_id: str) -> dict:
    return {
        "external_id": external_id,
        "title": f"Дроби, урок {external_id}",
        "resource_type": "lesson",
        "subjects": ["math"],
        "grades": [5],
        "license": "cc-by-4.0",
        "url": f"https://vendor.example/lessons/{external_id}",
    }


def test_twenty_concurrent_vendor_writes_all_succeed(catalog_server, keys):
    vendors = ["vendor_a", "vendor_b"]

    def submit(i: int, client: httpx.Client) -> httpx.Response:
        key = keys[vendors[i % 2]]
        return client.post(f"{catalog_server.url}/api/v1/resources/", json=lesson(f"w-{i}"), headers=bearer(key))

    responses = concurrently(WRITERS, submit)
    assert [r.status_code for r in responses] == [201] * WRITERS, [r.text[:300] for r in responses]
    for offset, vendor in enumerate(vendors):
        listing = httpx.get(
            f"{catalog_server.url}/api/v1/submissions/?page_size=100", headers=bearer(keys[vendor]), timeout=30
        )
        held = sorted(item["external_id"] for item in listing.json()["results"])
        assert held == sorted(f"w-{i}" for i in range(offset, WRITERS, 2))


def test_twenty_concurrent_webhook_subscriptions_all_succeed(catalog_server, keys):
    def subscribe(i: int, client: httpx.Client) -> httpx.Response:
        body = {"url": f"http://127.0.0.1:9/hooks/{i}", "events": ["resource.changed"]}
        return client.post(f"{catalog_server.url}/api/v1/webhooks/", json=body, headers=bearer(keys["vendor_b"]))

    responses = concurrently(WRITERS, subscribe)
    assert Counter(r.status_code for r in responses) == {201: WRITERS}, [r.text[:300] for r in responses]
    listing = httpx.get(f"{catalog_server.url}/api/v1/webhooks/?page_size=100", headers=bearer(keys["vendor_b"]))
    assert sorted(item["url"] for item in listing.json()["results"]) == sorted(
        f"http://127.0.0.1:9/hooks/{i}" for i in range(WRITERS)
    )


@contextmanager
def write_lock(database_url: str) -> Iterator[None]:
    """Hold the database's write lock (SQLite) or exclusive locks on the API's tables (PostgreSQL)."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.rollback()
            connection.close()
        return
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as connection:
        connection.execute(
            "LOCK TABLE api_apikey, api_apikeyusage, api_webhooksubscription, auth_user IN EXCLUSIVE MODE"
        )
        yield
        connection.rollback()


def admin_login(url: str) -> httpx.Response:
    """Log in to the admin as a person would: the form's CSRF token, then the POST."""
    with httpx.Client(base_url=url, timeout=60) as browser:
        form = browser.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        return browser.post(
            "/admin/login/",
            data={"csrfmiddlewaretoken": token, "username": "live-admin", "password": "live-pass"},
        )


def test_a_lock_that_cannot_be_had_is_a_503_and_reads_go_on(live_database, keys):
    webhooks = "/api/v1/webhooks/?page_size=100"
    body = {"url": "http://127.0.0.1:9/hooks/busy", "events": ["resource.changed"]}
    env = {"DATABASE_LOCK_TIMEOUT": "1"}
    with LiveServer.start_new(live_database.url, live_database.workdir / "busy", env) as server:
        api = httpx.Client(base_url=server.url, timeout=60)
        before = len(api.get(webhooks, headers=bearer(keys["vendor_a"])).json()["results"])
        with write_lock(live_database.url):
            write = api.post("/api/v1/webhooks/", json=body, headers=bearer(keys["vendor_a"]))
            keyed_read = api.get("/api/v1/organizations/", headers=bearer(keys["busy_reader"]))
            anonymous_read = api.get("/api/v1/curriculum/subjects/")
            login = admin_login(server.url)
        after = api.post("/api/v1/webhooks/", json=body, headers=bearer(keys["vendor_a"]))
        held = api.get(webhooks, headers=bearer(keys["vendor_a"])).json()["results"]
    assert (write.status_code, write.headers["Retry-After"], is_problem(write)) == (503, "5", True)
    assert write.json()["code"] == "database_busy"
    assert (keyed_read.status_code, anonymous_read.status_code) == (200, 200)
    assert (login.status_code, login.headers["content-type"]) == (503, "text/plain; charset=utf-8")
    assert login.headers["Retry-After"] == "5"
    assert after.status_code == 201
    assert len(held) == before + 1  # the refused write left nothing behind


def test_a_read_only_database_serves_reads_and_refuses_writes_with_503(live_database, keys):
    env = {"DATABASE_READ_ONLY": "true"}
    reader = bearer(keys["read_only_reader"])
    with LiveServer.start_new(live_database.url, live_database.workdir / "read-only", env) as server:
        api = httpx.Client(base_url=server.url, timeout=60)
        keyed_reads = [api.get("/api/v1/organizations/", headers=reader).status_code for _ in range(3)]
        anonymous_reads = [api.get(path).status_code for path in ("/api/v1/resources/", "/api/v1/search/?q=дроби")]
        write = api.post(
            "/api/v1/webhooks/",
            json={"url": "http://127.0.0.1:9/h", "events": ["resource.changed"]},
            headers=bearer(keys["vendor_a"]),
        )
        login = admin_login(server.url)
        log = server.log()
    assert keyed_reads == [200, 200, 200]
    assert anonymous_reads == [200, 200]
    assert (write.status_code, write.headers["Retry-After"], is_problem(write)) == (503, "60", True)
    assert write.json()["code"] == "read_only"
    assert (login.status_code, login.headers["content-type"]) == (503, "text/plain; charset=utf-8")
    assert log.count("not counted") == 3  # each read tried to count itself after its answer, and could not
    usage = run_django(
        live_database.url,
        "from content_repo.api.models import ApiKeyUsage\n"
        "print(ApiKeyUsage.objects.filter(key__name='read_only_reader').count())\n",
    )
    assert usage.strip() == "0"


def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_quota(catalog_server):
    direct = httpx.Client(base_url=catalog_server.url, transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    answers = [
        direct.get("/api/v1/curriculum/subjects/", headers={"X-Forwarded-For": f"198.51.100.{i}"})
        for i in range(ANONYMOUS_QUOTA * 2)
    ]
    assert [r.status_code for r in answers] == [200] * ANONYMOUS_QUOTA + [429] * ANONYMOUS_QUOTA
    refused = answers[-1]
    assert is_problem(refused) and int(refused.headers["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Превышена квота запросов; повторите через ")


def test_behind_a_trusted_proxy_the_quota_follows_the_address_the_proxy_saw(catalog_server):
    proxy = httpx.Client(base_url=catalog_server.url)  # from 127.0.0.1, a trusted proxy

    def through_proxy(forwarded: str) -> int:
        return proxy.get("/api/v1/curriculum/subjects/", headers={"X-Forwarded-For": forwarded}).status_code

    # The client forges the left part; the proxy appends the address it saw (203.0.113.7) on the right.
    forged = [through_proxy(f"10.9.9.{i}, 203.0.113.7") for i in range(ANONYMOUS_QUOTA + 1)]
    assert forged == [200] * ANONYMOUS_QUOTA + [429]
    assert through_proxy("203.0.113.8") == 200  # another client behind the same proxy has its own quota
