"""Hostile query parameters on every GET endpoint of the committed schema: never a 5xx, always problem+json.

The endpoints and their parameters are read from docs/openapi.yaml, so a new endpoint joins the corpus
without a change here. Each endpoint gets every hostile value in every parameter it declares, in one it does
not, in the common ones (`page_size`, `cursor`, `format`); the precise answers to the known offenders are
asserted by the tests after the corpus.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml

from content_repo.api.models import BulkSubmission, WebhookSubscription
from content_repo.collections.models import Collection
from content_repo.curriculum.models import CodifierElement, Framework
from tests.factories import make_resource

from .conftest import LESSON

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def get_operations() -> list[tuple[str, list[str], bool]]:
    """(path template, query parameter names, needs a key) of every GET operation in the schema."""
    paths = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))["paths"]
    operations = []
    for path, methods in sorted(paths.items()):
        if "get" not in methods:
            continue
        operation = methods["get"]
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        anonymous = {} in operation.get("security", [{}])
        operations.append((path, names, not anonymous))
    return operations


OPERATIONS = get_operations()


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


HOSTILE_VALUES = [
    # dates that parse but do not exist, or fall outside what the database stores
    "2026-02-30",
    "2026-13-01",
    "2026-01-01T25:00:00",
    "2026-01-01T10:00:00+99:00",
    "0001-01-01",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "20260101",
    # integers in other scripts, out of range, in other notations
    "²",
    "٣",
    "5²",
    "１２",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e3",
    "1_000",
    "0x10",
    " 5 ",
    "5.0",
    "NaN",
    # empty, separators, long, many
    "",
    " ",
    ",,,",
    "a" * 5000,
    ",".join(["math"] * 200),
    # control characters, markup, injection attempts
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "line\nbreak",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "%00",
    "\ufffd",
    "🙂",
    "дроби",
    "null",
    "[]",
    "{}",
    # cursors: not base64, DRF's unsigned form with a bad or huge position, a search-style token
    "!!!",
    b64("p=abc"),
    b64("o=5&r=1&p=2026-99-99"),
    b64("p=" + "9" * 40),
    b64("o=99999999999&p=1"),
    "eyJ2IjoxfQ.AAAA",
]
# Percent-encoded query strings the test client cannot build from a str: broken UTF-8, a lone surrogate.
RAW_QUERY_VALUES = ["%ED%A0%80", "%FF%FE", "%C0%AF", "%E2%82"]
HOSTILE_HEADERS = [
    {"HTTP_IF_MODIFIED_SINCE": "Mon, 99 Foo 99999 99:99:99 GMT"},
    {"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 0001 00:00:00 GMT"},
    {"HTTP_IF_NONE_MATCH": '"' + "x" * 5000},
    {"HTTP_ACCEPT": "application/json;q=abc"},
    {"HTTP_ACCEPT": "application/ld+json;q=2, */*;q=-1"},
    {"HTTP_ACCEPT": "\x00/\x00"},
    {"HTTP_ACCEPT_LANGUAGE": "x" * 5000},
    {"HTTP_AUTHORIZATION": "Bearer"},
    {"HTTP_AUTHORIZATION": "Bearer cat_\u00e9"},
    {"HTTP_AUTHORIZATION": "Bearer cat_" + "9" * 5000},
    {"HTTP_X_FORWARDED_FOR": "not-an-address, ::::, 999.1.1.1"},
    {"CONTENT_LENGTH": "abc"},
    {"CONTENT_LENGTH": "-1"},
]


@pytest.fixture
def catalog(callers, settings):
    """One object behind every path parameter of the schema, reachable with the publishing key."""
    settings.API_ANONYMOUS_RATE = "1000000/hour"
    resource = make_resource(provider=callers.users.org_a, publish=True, **_overlay_values())
    Collection.objects.create(slug="fractions", title="Дроби", live=True)
    subscription = WebhookSubscription.objects.create(
        organization=callers.users.org_a,
        url="https://vendor-a.example/hooks",
        events=["resource.changed"],
        secret="s" * 32,
    )
    bulk = BulkSubmission.objects.create(organization=callers.users.org_a, lines=1, state="finished")
    bulk.results.create(line=1, status="created", resource_id=resource.pk, external_id="x")
    return {
        "/api/v1/resources/bulk/{id}/": str(bulk.pk),
        "/api/v1/resources/bulk/{id}/results/": str(bulk.pk),
        "/api/v1/resources/{id}/": str(resource.pk),
        "/api/v1/submissions/{id}/": str(resource.pk),
        "/api/v1/collections/{slug}/": "fractions",
        "/api/v1/webhooks/{id}/": str(subscription.pk),
        "/api/v1/webhooks/{id}/deliveries/": str(subscription.pk),
        "/api/v1/curriculum/frameworks/{code}/": Framework.objects.order_by("code").first().code,
        "/api/v1/curriculum/case/{framework}/": Framework.objects.order_by("code").first().code,
        "/api/v1/curriculum/subjects/{code}/": "math",
        "/api/v1/curriculum/topics/{code}/": "math.5.1",
        "/api/v1/curriculum/topics/{code}/resources/": "math.5.1",
        "/api/v1/curriculum/codifier-elements/{code}/": CodifierElement.objects.order_by("id").first().code,
        "/api/v1/organizations/{code}/": "resh",
    }


def _overlay_values() -> dict[str, Any]:
    return {"title": LESSON["title"], "subjects": ["math"], "grades": [5], "license": "cc-by-4.0"}


def concrete(path: str, catalog: dict[str, str]) -> str:
    """The path with its one parameter filled in from the catalog fixture."""
    if "{" not in path:
        return path
    head, _, tail = path.partition("{")
    return head + catalog[path] + tail.partition("}")[2]


def answer_fault(response, allowed: set[int] | frozenset[int] = frozenset()) -> str | None:
    """What is wrong with an answer to a hostile request, or None."""
    if response.status_code >= 500:
        return f"{response.status_code}: {response.content[:300]!r}"
    if response.status_code >= 400 and response["Content-Type"] != "application/problem+json":
        return f"{response.status_code} as {response['Content-Type']}"
    if response.status_code not in {200, 304, 400, 404, 406, *allowed}:
        return f"unexpected {response.status_code}"
    return None


@pytest.mark.parametrize(("path", "parameters", "keyed"), OPERATIONS, ids=[op[0] for op in OPERATIONS])
def test_hostile_parameters_never_give_a_5xx(path, parameters, keyed, catalog, callers):
    client = callers.publish_a if keyed else callers.anonymous
    url = concrete(path, catalog)
    assert client.get(url).status_code == 200, url
    names = sorted({*parameters, "page_size", "cursor", "format", "undeclared"})
    faults = []
    for name in names:
        for value in HOSTILE_VALUES:
            fault = answer_fault(client.get(url, {name: value}))
            if fault:
                faults.append(f"{name}={value[:40]!r}: {fault}")
        for raw in RAW_QUERY_VALUES:
            fault = answer_fault(client.get(f"{url}?{quote(name)}={raw}"))
            if fault:
                faults.append(f"{name}={raw}: {fault}")
        fault = answer_fault(client.get(url, {name: ["5", "6", "²"]}))
        if fault:
            faults.append(f"{name} repeated: {fault}")
    for headers in HOSTILE_HEADERS:
        if fault := answer_fault(client.get(url, **headers), allowed={401, 415}):
            faults.append(f"{headers}: {fault}")
    assert faults == []
