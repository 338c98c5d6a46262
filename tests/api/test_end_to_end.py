"""A vendor's engineer, from keys to search: publish a batch, watch it through review, find it."""

import hashlib
import hmac
import json
from io import StringIO

import pytest
from django.core.management import call_command

from .conftest import client_with
from .helpers import feed_item, post_feed

pytestmark = pytest.mark.django_db


def issue_key(org: str, scopes: str) -> str:
    out = StringIO()
    call_command("create_api_key", org=org, scopes=scopes, name="e2e", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_vendor_publishes_a_batch_that_goes_through_review_into_search(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TASK_BACKEND = "default"  # deliver inside the test's transaction (background: test_webhooks)
    call_command("create_organization", "mathsoft", name="ООО «Математика онлайн»", kind="vendor", stdout=StringIO())
    call_command("create_organization", "operator", name="Оператор каталога", kind="operator", stdout=StringIO())
    call_command("setup_roles", stdout=StringIO())
    vendor = client_with(issue_key("mathsoft", "read,publish"))
    methodists = client_with(issue_key("operator", "read,review"))

    secret = "mathsoft-webhook-secret-2025"
    hook = vendor.post(
        "/api/v1/webhooks/",
        {
            "url": receiver.url,
            "events": ["submission.approved", "submission.rejected", "resource.changed"],
            "secret": secret,
        },
        format="json",
    )
    assert hook.status_code == 201, hook.content

    with django_capture_on_commit_callbacks(execute=True):
        batch = post_feed(
            vendor,
            feed_item("ms-101", "Треугольники и их виды", subject="Геометрия", grade=7),
            feed_item("ms-102", "Признаки делимости", grade=5),
            feed_item("ms-103", "Проценты", subject="Матаматика"),
        )
    assert batch.status_code == 200
    results = batch.json()["results"]
    assert [(r["line"], r["status"]) for r in results] == [(1, "created"), (2, "created"), (3, "rejected")]
    triangles, divisibility = results[0]["id"], results[1]["id"]
    queue = methodists.get("/api/v1/submissions/?status=in_review&provider=mathsoft").json()["results"]
    assert sorted(s["id"] for s in queue) == sorted([triangles, divisibility])

    with django_capture_on_commit_callbacks(execute=True):
        assert methodists.post(f"/api/v1/resources/{triangles}/approve/", {}, format="json").status_code == 200
        reason = "Описание не соответствует содержанию урока"
        rejected = methodists.post(f"/api/v1/resources/{divisibility}/reject/", {"reason": reason}, format="json")
        assert rejected.status_code == 200

    mine = {s["id"]: s for s in vendor.get("/api/v1/submissions/").json()["results"]}
    assert (mine[triangles]["status"], mine[divisibility]["status"]) == ("published", "rejected")
    assert mine[divisibility]["status_reason"] == reason

    received = [(r["json"]["event"], r["json"]["data"]["resource"]) for r in receiver.requests]
    assert received == [
        ("resource.changed", triangles),
        ("submission.approved", triangles),
        ("submission.rejected", divisibility),
    ]
    for request in receiver.requests:
        signed = request["headers"]["X-Catalog-Timestamp"].encode() + b"." + request["body"]
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        assert request["headers"]["X-Catalog-Signature"] == f"sha256={digest}"
    assert json.loads(receiver.requests[2]["body"])["data"]["reason"] == reason

    feed = client_with().get("/api/v1/changes/?since=0").json()["results"]
    assert [(c["action"], c["id"]) for c in feed] == [("published", triangles)]
    assert feed[0]["resource"]["title"] == "Треугольники и их виды"

    listed = client_with().get("/api/v1/resources/?provider=mathsoft&subject=geometry").json()["results"]
    assert [r["id"] for r in listed] == [triangles]
    found = client_with().get("/api/v1/search/?q=треугольники").json()
    assert [hit["id"] for hit in found["results"]] == [triangles]
