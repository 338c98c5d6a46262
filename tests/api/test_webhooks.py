"""Webhooks: signed deliveries to real local receivers, retries with back-off, bounded attempts (deadline,
response cap, no redirects), circuit breaking, inactive subscriptions, refused private and malformed URLs.

These tests run in the test's transaction, so delivery is switched to the immediate backend here and drained
explicitly; delivery in the background, after a real commit, is tested in test_webhook_background.py.
"""

import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from content_repo.api.models import Change, WebhookDelivery, WebhookSubscription
from content_repo.api.webhooks import Event, deliver_pending, enqueue

from . import webhook_receivers
from .conftest import LESSON
from .helpers import problem

pytestmark = pytest.mark.django_db
SECRET = "a-long-shared-secret-0123456789"


@pytest.fixture(autouse=True)
def _deliver_in_the_test_transaction(settings):
    settings.WEBHOOKS_TASK_BACKEND = "default"  # the immediate backend: background threads see no uncommitted rows


@pytest.fixture
def raw_receiver():
    """Start a misbehaving receiver: `raw_receiver(webhook_receivers.sleeps(30))`; all stop after the test."""
    stops = []

    def start(respond):
        receiver, stop = webhook_receivers.serve(respond)
        stops.append(stop)
        return receiver

    yield start
    for stop in stops:
        stop()


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


@pytest.mark.parametrize(
    ("url", "messages"),
    [
        ("http://vendor.example:99999/hook", ["порт должен быть числом от 1 до 65535"]),
        ("http://vendor.example:0/hook", ["порт должен быть числом от 1 до 65535"]),
        (
            "http://[::1/hook",
            ["адрес не разбирается: неверная запись IPv6-адреса в квадратных скобках"],
        ),
        (
            "http://[zz::1]/hook",
            ["адрес не разбирается: неверная запись IPv6-адреса в квадратных скобках"],
        ),
        ("http://user:secret@vendor.example/hook", ["адрес не должен содержать имя пользователя и пароль"]),
    ],
)
def test_malformed_urls_are_a_400_in_russian(callers, url, messages):
    body = problem(subscribe(callers.publish_a, url, ["resource.changed"]), 400)
    assert body["errors"] == {"url": messages}
    assert WebhookSubscription.objects.count() == 0


def test_inactive_subscription_gets_no_deliveries_until_switched_on(callers, receiver):
    response = callers.publish_a.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["resource.changed"], "secret": SECRET, "active": False},
        format="json",
    )
    assert response.status_code == 201, response.content
    hook = response.json()
    assert (hook["active"], hook["circuit"], hook["secret"]) == (False, "closed", SECRET)
    org = callers.users.org_a

    assert enqueue(org.pk, Event.RESOURCE_CHANGED, {"n": 1}) == []
    assert deliver_pending() == {}
    assert (WebhookDelivery.objects.count(), receiver.requests) == (0, [])

    switched = callers.publish_a.patch(f"/api/v1/webhooks/{hook['id']}/", {"active": True}, format="json")
    assert switched.status_code == 200, switched.content
    assert switched.json()["active"] is True
    enqueue(org.pk, Event.RESOURCE_CHANGED, {"n": 2})
    assert deliver_pending() == {"delivered": 1}
    assert [r["json"]["data"] for r in receiver.requests] == [{"n": 2}]


def test_only_active_can_be_changed_and_only_by_the_owner(callers, receiver):
    hook = subscribe(callers.publish_a, receiver.url, ["resource.changed"]).json()
    url = f"/api/v1/webhooks/{hook['id']}/"
    body = problem(callers.publish_a.patch(url, {"url": "https://elsewhere.example/"}, format="json"), 400)
    assert body["errors"] == {"url": ["неизвестное поле"]}
    problem(callers.publish_a.patch(url, {"active": "может быть"}, format="json"), 400)
    problem(callers.publish_b.patch(url, {"active": False}, format="json"), 404)
    assert WebhookSubscription.objects.get().active is True


def test_circuit_opens_after_n_failures_holds_deliveries_and_closes_after_the_cool_down(callers, settings, receiver):
    settings.WEBHOOKS_CIRCUIT_FAILURES = 3
    settings.WEBHOOKS_CIRCUIT_COOLDOWN = 600
    hook = subscribe(callers.publish_a, receiver.url, ["resource.changed"]).json()
    for n in range(4):
        enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": n})
    receiver.fail_next = 100
    start = timezone.now()

    assert deliver_pending(now=start) == {"retrying": 3, "held": 1}
    assert len(receiver.requests) == 3
    listed = callers.publish_a.get("/api/v1/webhooks/").json()["results"][0]
    assert (listed["circuit"], listed["consecutive_failures"]) == ("open", 3)
    assert WebhookSubscription.objects.get().paused_until == start + timedelta(seconds=600)
    assert sorted(WebhookDelivery.objects.values_list("status", "attempts")) == [("pending", 0)] + [("pending", 1)] * 3

    # Retries fall due at +30 s, but the circuit holds them: nothing is sent, no attempt is spent, nothing is lost.
    assert deliver_pending(now=start + timedelta(seconds=599)) == {}
    assert len(receiver.requests) == 3
    assert sorted(WebhookDelivery.objects.values_list("attempts", flat=True)) == [0, 1, 1, 1]

    receiver.fail_next = 0  # the receiver is back: the probe succeeds, the circuit closes, the rest follow
    assert deliver_pending(now=start + timedelta(seconds=600)) == {"delivered": 4}
    assert sorted(r["json"]["data"]["n"] for r in receiver.requests if r["status"] == 200) == [0, 1, 2, 3]
    listed = callers.publish_a.get(f"/api/v1/webhooks/{hook['id']}/").json()
    assert (listed["circuit"], listed["consecutive_failures"], listed["paused_until"]) == ("closed", 0, None)


def test_a_failed_probe_opens_the_circuit_again(callers, settings, receiver):
    settings.WEBHOOKS_CIRCUIT_FAILURES = 2
    settings.WEBHOOKS_CIRCUIT_COOLDOWN = 60
    subscribe(callers.publish_a, receiver.url, ["resource.changed"])
    for n in range(3):
        enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": n})
    receiver.fail_next = 100
    start = timezone.now()
    assert deliver_pending(now=start) == {"retrying": 2, "held": 1}

    later = start + timedelta(seconds=61)
    assert deliver_pending(now=later) == {"retrying": 1, "held": 2}  # one probe, then held again
    subscription = WebhookSubscription.objects.get()
    assert (subscription.consecutive_failures, subscription.paused_until) == (3, later + timedelta(seconds=60))
    assert len(receiver.requests) == 3


@pytest.mark.parametrize("status", [200, 500])
def test_an_endless_answer_is_read_only_up_to_the_cap(callers, settings, raw_receiver, status):
    settings.WEBHOOKS_RESPONSE_MAX_BYTES = 4096
    receiver = raw_receiver(webhook_receivers.endless_body(status))
    subscribe(callers.publish_a, receiver.url, ["resource.changed"])
    enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": 1})

    assert deliver_pending() == ({"delivered": 1} if status == 200 else {"retrying": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == status
    if status == 500:
        assert delivery.last_error == "ответ 500: " + "x" * 300  # the first bytes of the body, for the log
    receiver.release.set()
    deadline = time.monotonic() + 10
    while not receiver.finished and time.monotonic() < deadline:
        time.sleep(0.01)
    assert receiver.finished, "the receiver is still sending: the client never let go"
    # The receiver offered 1 GiB; what it got rid of is what the client's small buffers took in before it closed.
    assert receiver.sent < 1024 * 1024


def test_a_dribbling_receiver_ends_at_the_total_deadline(callers, settings, raw_receiver):
    settings.WEBHOOKS_ATTEMPT_DEADLINE = 1
    receiver = raw_receiver(webhook_receivers.dribbles(0.05))  # every single read succeeds within its timeout
    subscribe(callers.publish_a, receiver.url, ["resource.changed"])
    enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": 1})

    assert deliver_pending() == {"retrying": 1}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.last_status_code, delivery.last_error) == (None, "срок попытки истёк (1 с)")
    receiver.wait_for_requests(1)
    assert (delivery.last_attempt_at - delivery.created_at).total_seconds() < 2
    assert receiver.sent > 30  # it did dribble: ~20 bytes a second past the status line


def test_redirects_are_not_followed(callers, raw_receiver, receiver):
    redirecting = raw_receiver(webhook_receivers.redirects(receiver.url))
    subscribe(callers.publish_a, redirecting.url, ["resource.changed"])
    enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": 1})

    assert deliver_pending() == {"retrying": 1}
    delivery = WebhookDelivery.objects.get()
    assert (delivery.last_status_code, delivery.last_error) == (302, "ответ 302")
    assert receiver.requests == []


def test_each_attempt_checks_the_address_again(callers, settings, receiver):
    subscribe(callers.publish_a, receiver.url, ["resource.changed"])  # allowed while subscribing (tests allow it)
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": 1})

    assert deliver_pending() == {"retrying": 1}
    assert WebhookDelivery.objects.get().last_error == "адрес '127.0.0.1' ведёт во внутреннюю сеть (127.0.0.1)"
    assert receiver.requests == []


def test_a_name_is_resolved_on_each_attempt_and_its_addresses_tried_in_turn(callers, receiver):
    by_name = receiver.url.replace("127.0.0.1", "localhost")  # may resolve to ::1 first; the server is on IPv4
    subscribe(callers.publish_a, by_name, ["resource.changed"])
    enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": 1})

    assert deliver_pending() == {"delivered": 1}
    assert receiver.requests[0]["headers"]["Host"] == by_name.split("/")[2]
