"""Fixtures of the API tests: key-holding clients for every kind of caller, a local webhook receiver, and the
real server over its own copy of the test database (tests/harness/live_server.py)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from content_repo.api.keys import create_api_key
from content_repo.publishers.services import create_organization
from tests.harness.live_server import LiveServer, clone_test_database, drop_database


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    from django.core.cache import cache

    cache.clear()  # anonymous throttling counts per address in the cache


def client_with(key: str | None = None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@dataclass
class Callers:
    """One client per kind of caller, and the organisations behind them."""

    users: object
    anonymous: APIClient
    read: APIClient
    publish_a: APIClient
    publish_b: APIClient
    review: APIClient
    keys: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def callers(users):
    operator = create_organization("catalog-operator", "Оператор каталога", "operator")
    keys = {
        "read": create_api_key(users.org_a, "read", name="портал").key,
        "publish_a": create_api_key(users.org_a, "read,publish", name="издательство А").key,
        "publish_b": create_api_key(users.org_b, "read,publish", name="издательство Б").key,
        "review": create_api_key(operator, "read,review", name="методисты").key,
    }
    return Callers(
        users=users,
        anonymous=client_with(),
        read=client_with(keys["read"]),
        publish_a=client_with(keys["publish_a"]),
        publish_b=client_with(keys["publish_b"]),
        review=client_with(keys["review"]),
        keys=keys,
    )


LESSON = {
    "title": "Сложение дробей с одинаковыми знаменателями",
    "description": "Урок с тренажёром",
    "resource_type": "lesson",
    "subjects": ["math"],
    "grades": [5],
    "license": "cc-by-4.0",
    "access": "free",
    "language": "ru",
    "url": "https://vendor-a.example/lessons/fractions",
    "duration": "PT40M",
    "parts": [{"kind": "main", "title": "Основная часть", "url": "https://vendor-a.example/lessons/fractions/main"}],
}


@dataclass
class Receiver:
    """A real HTTP server on loopback recording webhook deliveries; `fail_next` answers 500 that many times."""

    url: str
    requests: list[dict] = field(default_factory=list)
    fail_next: int = 0

    def events(self) -> list[str]:
        return [r["json"]["event"] for r in self.requests if r["status"] == 200]


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = 500 if state.fail_next > 0 else 200
            state.fail_next = max(0, state.fail_next - 1)
            state.requests.append(
                {"headers": dict(self.headers), "body": body, "json": json.loads(body), "status": status}
            )
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/catalog"
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class LiveDatabase:
    """A database the live servers of one test module own: its URL and a working folder beside it."""

    url: str
    workdir: Path


@pytest.fixture(scope="module")
def live_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """A copy of the test database (migrated, reference data loaded) for the servers of one module.

    The module's tests must be marked `django_db`: pytest-django creates the test database only for those."""
    workdir = tmp_path_factory.mktemp("live")
    with django_db_blocker.unblock():
        url = clone_test_database(workdir)
    yield LiveDatabase(url=url, workdir=workdir)
    with django_db_blocker.unblock():
        drop_database(url)


@pytest.fixture(scope="module")
def catalog_server_env() -> dict[str, str]:
    """Environment of the module's live server on top of the harness defaults; a module may override it."""
    return {}


@pytest.fixture(scope="module")
def catalog_server(live_database, catalog_server_env):
    """`manage.py runserver` over `live_database`, for the whole module."""
    with LiveServer.start_new(live_database.url, live_database.workdir / "server", catalog_server_env) as server:
        yield server
