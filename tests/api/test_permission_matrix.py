"""The full permission matrix: every write endpoint (and every read of unpublished data) for every caller.

A refused call must leave the resource exactly as it was.
"""

import pytest

from content_repo.api.models import WebhookSubscription
from content_repo.api.publishing import submit

from .conftest import LESSON
from .helpers import feed_item, ndjson, state

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "read", "publish_b", "review", "publish_a"]

# endpoint → expected status per caller (the resource belongs to organisation A and is under review).
MATRIX = {
    "create": {"anonymous": 401, "read": 403, "publish_b": 201, "review": 403, "publish_a": 201},
    "bulk": {"anonymous": 401, "read": 403, "publish_b": 200, "review": 403, "publish_a": 200},
    "patch": {"anonymous": 401, "read": 403, "publish_b": 404, "review": 403, "publish_a": 200},
    "withdraw": {"anonymous": 401, "read": 403, "publish_b": 404, "review": 403, "publish_a": 200},
    "approve": {"anonymous": 401, "read": 403, "publish_b": 403, "review": 200, "publish_a": 403},
    "reject": {"anonymous": 401, "read": 403, "publish_b": 403, "review": 200, "publish_a": 403},
    "submission": {"anonymous": 401, "read": 403, "publish_b": 404, "review": 200, "publish_a": 200},
    "public_detail": {"anonymous": 404, "read": 404, "publish_b": 404, "review": 404, "publish_a": 404},
    "webhook_delete": {"anonymous": 401, "read": 403, "publish_b": 404, "review": 403, "publish_a": 204},
    "webhook_deliveries": {"anonymous": 401, "read": 403, "publish_b": 404, "review": 403, "publish_a": 200},
}


def call(client, endpoint, resource_id, hook_id, n):
    url = f"/api/v1/resources/{resource_id}/"
    if endpoint == "create":
        return client.post("/api/v1/resources/", LESSON | {"external_id": f"m-{n}"}, format="json")
    if endpoint == "bulk":
        body = ndjson(feed_item(f"bulk-{n}", "Пакет"))
        return client.post("/api/v1/resources/bulk/", body, content_type="application/x-ndjson")
    if endpoint == "patch":
        return client.patch(url, {"title": f"Правка {n}"}, format="json")
    if endpoint == "approve":
        return client.post(url + "approve/", {"comment": "Хорошо"}, format="json")
    if endpoint in ("withdraw", "reject"):
        return client.post(url + f"{endpoint}/", {"reason": "Причина"}, format="json")
    if endpoint == "submission":
        return client.get(f"/api/v1/submissions/{resource_id}/")
    if endpoint == "public_detail":
        return client.get(url)
    if endpoint == "webhook_delete":
        return client.delete(f"/api/v1/webhooks/{hook_id}/")
    return client.get(f"/api/v1/webhooks/{hook_id}/deliveries/")


def test_permission_matrix(callers):
    org_a = callers.users.org_a
    vendor_user = callers.users.vendor_a
    found, n = {}, 0
    for endpoint in MATRIX:
        resource = submit(org_a, dict(LESSON), vendor_user, external_id=f"matrix-{endpoint}").resource
        hook = WebhookSubscription.objects.create(
            organization=org_a, url="http://127.0.0.1:9/", secret="s" * 20, events=["resource.changed"]
        )
        for caller in CALLERS:
            n += 1
            before = state(resource.pk)
            response = call(getattr(callers, caller), endpoint, resource.pk, hook.pk, n)
            found[(endpoint, caller)] = response.status_code
            if response.status_code >= 400:
                assert response["Content-Type"] == "application/problem+json", (endpoint, caller)
                assert state(resource.pk) == before, f"{caller} changed the resource through {endpoint}"
        assert WebhookSubscription.objects.filter(pk=hook.pk).exists() == (endpoint != "webhook_delete")
    assert found == {(endpoint, caller): code for endpoint, row in MATRIX.items() for caller, code in row.items()}


def test_a_vendor_lists_only_its_own_submissions(callers):
    mine = submit(callers.users.org_a, dict(LESSON), callers.users.vendor_a, external_id="a").resource
    theirs = submit(callers.users.org_b, dict(LESSON), callers.users.vendor_b, external_id="b").resource
    ids = lambda client: sorted(s["id"] for s in client.get("/api/v1/submissions/").json()["results"])  # noqa: E731
    assert ids(callers.publish_a) == [str(mine.pk)]
    assert ids(callers.publish_b) == [str(theirs.pk)]
    assert ids(callers.review) == sorted([str(mine.pk), str(theirs.pk)])
    assert callers.publish_b.get("/api/v1/submissions/?provider=vendor-a").json()["results"] == []
