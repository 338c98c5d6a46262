"""Webhooks: signed deliveries to a real local receiver, retries with back-off, refused private URLs."""

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.utils import timezone

from content_repo.api.models import Change, WebhookDelivery
from content_repo.api.webhooks import deliver_pending

from .conftest import LESSON
from .helpers import problem

pytestmark = pytest.mark.django_db
SECRET = "a-long-shared-secret-0123456789"


def verify(request: dict, secret: str) -> bool:
    """What a receiver does (the example in docs/api.md)."""
    timestamp = request["headers"]["X-Catalog-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, request["headers"]["X-Catalog-Signature"])


def subscribe(client, url, events, secret=SECRET):
    return client.post("/api/v1/webhooks/", {"url": url, "events": events, "secret": secret}, format="json")


def test_signed_deliveries_of_review_outcomes_and_changes(callers, receiver, django_capture_on_commit_callbacks):
    response = subscribe(
        callers.publish_a, receiver.url, ["submission.approved", "submission.rejected", "resource.changed"]
    )
    assert response.status_code == 201, response.content
    assert response.json()["secret"] == SECRET
    assert "secret" not in callers.publish_a.get("/api/v1/webhooks/").json()["results"][0]
    with django_capture_on_commit_callbacks(execute=True):
        one = callers.publish_a.post("/api/v1/resources/", LESSON | {"external_id": "1"}, format="json").json()["id"]
        two = callers.publish_a.post("/api/v1/resources/", LESSON | {"external_id": "2"}, format="json").json()["id"]
        callers.review.post(f"/api/v1/resources/{one}/approve/", {}, format="json")
        callers.review.post(f"/api/v1/resources/{two}/reject/", {"reason": "Нет описания"}, format="json")

    assert receiver.events() == ["resource.changed", "submission.approved", "submission.rejected"]
    assert all(verify(r, SECRET) for r in receiver.requests)
    assert not verify(receiver.requests[0], "wrong-secret-wrong-secret")
    changed, approved, rejected = (r["json"]["data"] for r in receiver.requests)
    assert (changed["action"], changed["resource"]) == ("published", one)
    assert changed["seq"] == Change.objects.get(resource_id=one).seq
    assert (approved["resource"], approved["status"], approved["live"]) == (one, "published", True)
    assert (rejected["resource"], rejected["status"], rejected["reason"]) == (two, "rejected", "Нет описания")
    assert receiver.requests[2]["headers"]["X-Catalog-Event"] == "submission.rejected"
    assert set(WebhookDelivery.objects.values_list("status", "last_status_code")) == {("delivered", 200)}


def test_failed_deliveries_are_retried_with_back_off_and_logged(callers, receiver, django_capture_on_commit_callbacks):
    hook = subscribe(callers.publish_a, receiver.url, ["submission.rejected"]).json()
    receiver.fail_next = 2
    with django_capture_on_commit_callbacks(execute=True):
        rid = callers.publish_a.post("/api/v1/resources/", LESSON, format="json").json()["id"]
        callers.review.post(f"/api/v1/resources/{rid}/reject/", {"reason": "Нет лицензии"}, format="json")
    delivery = WebhookDelivery.objects.get()
    first_try = delivery.next_attempt_at - timedelta(seconds=30)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)

    assert deliver_pending(now=first_try + timedelta(seconds=29)) == {}  # not due yet
    assert deliver_pending(now=first_try + timedelta(seconds=30)) == {"retrying": 1}
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, first_try + timedelta(seconds=90))
    assert deliver_pending(now=first_try + timedelta(seconds=90)) == {"delivered": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert [r["status"] for r in receiver.requests] == [500, 500, 200]
    assert len({r["body"] for r in receiver.requests}) == 1  # the same event, re-signed on each attempt

    log = callers.publish_a.get(f"/api/v1/webhooks/{hook['id']}/deliveries/").json()["results"]
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [("delivered", 3, 200)]


def test_gives_up_after_the_last_attempt(callers, settings, receiver, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    subscribe(callers.publish_a, receiver.url, ["submission.rejected"])
    receiver.fail_next = 5
    with django_capture_on_commit_callbacks(execute=True):
        rid = callers.publish_a.post("/api/v1/resources/", LESSON, format="json").json()["id"]
        callers.review.post(f"/api/v1/resources/{rid}/reject/", {"reason": "Нет лицензии"}, format="json")
    assert deliver_pending(now=timezone.now() + timedelta(minutes=5)) == {"failed": 1}
    assert WebhookDelivery.objects.get().status == "failed"
    assert deliver_pending(now=timezone.now() + timedelta(days=1)) == {}


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://[::1]/hook", "ftp://x.org/"]
)
def test_private_and_loopback_urls_are_refused(callers, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    body = problem(subscribe(callers.publish_a, url, ["resource.changed"]), 400)
    assert list(body["errors"]) == ["url"]
    assert callers.publish_a.get("/api/v1/webhooks/").json()["results"] == []
