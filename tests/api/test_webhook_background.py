"""Webhook delivery after a real commit, in the background: never inside the request that made the change.

Transactional tests (the delivery threads read committed rows over their own connections; `transactional_db`
is requested by each test, not by a mark, so the autouse reload below is torn down after the flush that removes
the session's reference data). The embedded default delivers in threads of this
process (TASKS alias "webhooks"); a deployment with a task queue delivers through `manage.py db_worker`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from content_repo.api import webhooks
from content_repo.api.models import WebhookDelivery
from content_repo.api.webhooks import Event, deliver_pending, enqueue

from . import webhook_receivers
from .conftest import LESSON

ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-long-shared-secret-0123456789"


@pytest.fixture
def background(transactional_db):
    """The delivery threads of this process; after the test, wait for them and drop what they still planned."""
    assert django_settings.WEBHOOKS_TASK_BACKEND == "webhooks"  # the embedded default
    runner = task_backends["webhooks"].runner
    yield runner
    assert runner.wait_until_idle(15)
    runner.clear()


@pytest.fixture
def slow_receiver():
    receiver, stop = webhook_receivers.serve(webhook_receivers.sleeps(30))
    yield receiver
    stop()


def subscribe(client, url, events):
    response = client.post("/api/v1/webhooks/", {"url": url, "events": events, "secret": SECRET}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_approval_answers_at_once_while_a_slow_receiver_is_tried_in_the_background(
    callers, settings, background, slow_receiver
):
    settings.WEBHOOKS_ATTEMPT_DEADLINE = 1
    subscribe(callers.publish_a, slow_receiver.url, ["submission.approved", "resource.changed"])
    rid = callers.publish_a.post("/api/v1/resources/", LESSON, format="json").json()["id"]

    started = time.monotonic()
    approved = callers.review.post(f"/api/v1/resources/{rid}/approve/", {}, format="json")
    answered_in = time.monotonic() - started
    assert approved.status_code == 200, approved.content
    assert answered_in < 2, f"the approval waited {answered_in:.1f} s for the receiver"

    slow_receiver.wait_for_requests(2)
    assert background.wait_until_idle(10)
    deliveries = WebhookDelivery.objects.order_by("event")
    assert [(d.event, d.status, d.attempts, d.last_status_code, d.last_error) for d in deliveries] == [
        ("resource.changed", "pending", 1, None, "срок попытки истёк (1 с)"),
        ("submission.approved", "pending", 1, None, "срок попытки истёк (1 с)"),
    ]
    for delivery, arrived in zip(deliveries.order_by("last_attempt_at"), sorted(slow_receiver.arrived_at), strict=True):
        assert timedelta(0) < delivery.last_attempt_at - arrived < timedelta(seconds=1.5)  # ended at the deadline


def test_deliveries_are_sent_after_commit_and_retried_in_the_background(callers, background, receiver, monkeypatch):
    monkeypatch.setattr(webhooks, "BACKOFF_BASE", timedelta(seconds=1))
    subscribe(callers.publish_a, receiver.url, ["resource.changed"])
    receiver.fail_next = 1
    with transaction.atomic():
        enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": 1})
        time.sleep(0.3)
        assert receiver.requests == []  # nothing leaves before the commit

    deadline = time.monotonic() + 10
    while WebhookDelivery.objects.get().status != "delivered" and time.monotonic() < deadline:
        time.sleep(0.05)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [r["status"] for r in receiver.requests] == [500, 200]


def test_a_rolled_back_change_sends_nothing(callers, background, receiver):
    subscribe(callers.publish_a, receiver.url, ["resource.changed"])
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": 1})
        raise RuntimeError("the change fails")
    assert background.wait_until_idle(5)
    assert (WebhookDelivery.objects.count(), receiver.requests) == (0, [])


def test_concurrent_workers_never_send_the_same_delivery_twice(transactional_db, callers, settings, receiver):
    settings.TASKS = django_settings.TASKS | {"nowhere": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.WEBHOOKS_TASK_BACKEND = "nowhere"  # only the three workers below send
    subscribe(callers.publish_a, receiver.url, ["resource.changed"])
    for n in range(12):
        enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": n})
    outcomes: list[Counter[str]] = []

    def worker() -> None:
        try:
            outcomes.append(deliver_pending())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum((o["delivered"] for o in outcomes), 0) == 12
    assert sorted(r["json"]["data"]["n"] for r in receiver.requests) == list(range(12))
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 1)}


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_with_a_task_queue_the_worker_process_delivers(transactional_db, callers, settings, receiver):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOKS_TASK_BACKEND = "default"  # what WEBHOOKS_DELIVERY=worker (the default with a queue) sets
    subscribe(callers.publish_a, receiver.url, ["resource.changed"])
    with transaction.atomic():
        enqueue(callers.users.org_a.pk, Event.RESOURCE_CHANGED, {"n": 1})
    task = DBTaskResult.objects.get(task_path="content_repo.api.tasks.deliver_webhooks")  # (Wagtail queues its own)
    assert (task.backend_name, task.status) == ("default", "READY")
    assert receiver.requests == []  # queued for the worker; the request's process sent nothing

    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "VAR_DIR": str(django_settings.VAR_DIR),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "WEBHOOKS_ALLOW_PRIVATE": "true",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
    worker = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stderr[-3000:]

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert WebhookDelivery.objects.get().status == "delivered"
    assert [r["json"]["data"] for r in receiver.requests] == [{"n": 1}]
