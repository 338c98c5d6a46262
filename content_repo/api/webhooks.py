"""Webhooks: subscriptions, an outbox of deliveries written with the change, bounded signed attempts.

A delivery row is written in the transaction of the event, so an event is never lost nor sent for a rolled-back
change. After commit a background task drains due deliveries (`deliver_pending`): in the embedded default it
runs in threads of the web process (TASKS alias "webhooks"), with a task queue through its worker — never inside
the request that made the change. Each attempt is bounded (`webhook_transport`: total deadline, response cap,
checked addresses). A failed attempt is retried after 30 s, 1 min, 2 min… (`WEBHOOKS_MAX_ATTEMPTS` in all).
After `WEBHOOKS_CIRCUIT_FAILURES` failures in a row the subscription's circuit opens: its deliveries wait, still
pending and without spending attempts, for `WEBHOOKS_CIRCUIT_COOLDOWN` seconds; then one probe attempt decides.

Each attempt is signed: `X-Catalog-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>` with
`X-Catalog-Timestamp: <unix seconds>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from content_repo.publishers.models import Organization
from content_repo.resources.models import Resource

from . import webhook_transport
from .models import Change, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

Event = WebhookSubscription.Event
BACKOFF_BASE = timedelta(seconds=30)
# A claimed delivery (or a claimed probe of a subscription) is invisible to other workers for a lease: at least a
# minute and twice the attempt deadline, so it outlives any attempt, and a worker that died mid-attempt only
# delays the delivery.
MIN_CLAIM_LEASE = timedelta(seconds=60)
# Name resolution when subscribing happens in the request: bounded like an attempt's.
RESOLVE_TIMEOUT = 5.0


def claim_lease() -> timedelta:
    return max(MIN_CLAIM_LEASE, timedelta(seconds=2 * settings.WEBHOOKS_ATTEMPT_DEADLINE))


def check_url(url: str) -> None:
    """Refuse malformed URLs and, unless `WEBHOOKS_ALLOW_PRIVATE`, names resolving to internal addresses."""
    try:
        target = webhook_transport.Target.parse(url)
        if not settings.WEBHOOKS_ALLOW_PRIVATE:
            webhook_transport.resolve(target, RESOLVE_TIMEOUT, allow_private=False)
    except ValidationError as e:
        raise ValidationError({"url": e.messages}) from e


def subscribe(
    organization: Organization, url: str, events: list[str], secret: str | None = None, active: bool = True
) -> WebhookSubscription:
    """A new subscription; without a secret one is generated (return it to the client once).

    An inactive subscription gets no deliveries until it is activated (`set_active`).
    """
    check_url(url)
    unknown = sorted(set(events) - set(Event.values))
    if not events or unknown:
        raise ValidationError({"events": f"события из: {', '.join(Event.values)}; неизвестно: {unknown}"})
    return WebhookSubscription.objects.create(
        organization=organization,
        url=url,
        events=[e for e in Event.values if e in events],
        secret=secret or secrets.token_urlsafe(32),
        active=active,
    )


def set_active(subscription: WebhookSubscription, active: bool) -> WebhookSubscription:
    """Switch deliveries on or off. Switching on also closes the circuit: the owner says the receiver is back,
    so deliveries held by a failure pause are sent now."""
    subscription.active = active
    fields = ["active"]
    if active:
        subscription.consecutive_failures, subscription.paused_until = 0, None
        fields += ["consecutive_failures", "paused_until"]
        transaction.on_commit(_schedule_delivery, robust=True)
    subscription.save(update_fields=fields)
    return subscription


def enqueue(organization_id: int | None, event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Write a delivery for each active subscription of the organisation to `event`; send after commit."""
    if organization_id is None:
        return []
    now = timezone.now()
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(organization_id=organization_id, active=True) if event in s.events
    ]
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery(subscription=subscription, event=event, next_attempt_at=now, created_at=now)
        delivery.payload = {"id": str(delivery.id), "event": event, "created_at": now.isoformat(), "data": data}
        deliveries.append(delivery)
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries)
        # robust: the change is committed and the delivery is in the outbox; a failed wake-up only delays it.
        transaction.on_commit(_schedule_delivery, robust=True)
    return deliveries


def _schedule_delivery(run_after: datetime | None = None) -> None:
    from django_tasks import task_backends

    from .tasks import deliver_webhooks

    task = deliver_webhooks.using(backend=settings.WEBHOOKS_TASK_BACKEND)
    if run_after is not None:
        if not task_backends[task.backend].supports_defer:
            return  # picked up by the next `manage.py deliver_webhooks` (cron) or the next event
        task = task.using(run_after=run_after)
    task.enqueue()


def notify_resource_changed(change: Change) -> None:
    enqueue(
        change.provider_id,
        Event.RESOURCE_CHANGED,
        {"seq": change.seq, "action": change.action, "resource": str(change.resource_id), "at": change.at.isoformat()},
    )


def notify_submission(resource: Resource, event: str) -> None:
    resource.refresh_from_db(fields=["status", "status_reason", "live", "title"])
    data = {
        "resource": str(resource.pk),
        "title": resource.title,
        "status": resource.status,
        "reason": resource.status_reason,
        "live": resource.live,
    }
    enqueue(resource.provider_id, event, data)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 of "<timestamp>.<body>" with the subscription's secret."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _sendable() -> Q:
    """Deliveries whose subscription is active (an open circuit is checked per delivery, with `now`)."""
    return Q(status=WebhookDelivery.Status.PENDING, subscription__active=True)


def deliver_pending(now: datetime | None = None, limit: int = 100) -> Counter[str]:
    """Attempt every due delivery once; returns how many ended delivered, retrying or failed (and how many were
    held by a circuit that another worker opened or probes meanwhile).

    `now` fixes the clock (tests); by default each delivery reads it afresh, so that a claim's lease starts when
    the claim is made, however long the attempts before it took.
    """
    fixed_now = now
    now = fixed_now or timezone.now()
    outcome: Counter[str] = Counter()
    opened = False
    due = (
        WebhookDelivery.objects.filter(_sendable(), next_attempt_at__lte=now)
        .exclude(subscription__paused_until__gt=now)
        .order_by("next_attempt_at")
        .values_list("pk", "next_attempt_at", "subscription_id")[:limit]
    )
    batch = list(due)
    for delivery_id, next_attempt_at, subscription_id in batch:
        now = fixed_now or timezone.now()
        turn = _take_turn(subscription_id, now)
        if turn is None:
            outcome["held"] += 1
            continue
        delivery = _claim(delivery_id, next_attempt_at, now)
        if delivery is None:
            turn.give_back()
            continue
        result = attempt(delivery, now)
        outcome[result] += 1
        opened |= _record_circuit(subscription_id, result == WebhookDelivery.Status.DELIVERED, now)
    _schedule_next(now, full=len(batch) == limit, worked=sum(outcome.values()) > outcome["held"] or opened)
    return outcome


@dataclass(frozen=True)
class _Turn:
    """Leave to send one delivery of a subscription. A probe (half-open circuit) took the subscription's pause
    over for one lease, and gives it back if the delivery was taken by another worker meanwhile."""

    subscription_id: int
    probe_of: datetime | None = None
    leased_until: datetime | None = None

    def give_back(self) -> None:
        if self.probe_of is not None:
            WebhookSubscription.objects.filter(pk=self.subscription_id, paused_until=self.leased_until).update(
                paused_until=self.probe_of
            )


def _take_turn(subscription_id: int, now: datetime) -> _Turn | None:
    """None if the subscription is inactive or its circuit is open; in the half-open state only one worker gets
    the probe (a conditional UPDATE of `paused_until`, as deliveries are claimed)."""
    state = WebhookSubscription.objects.filter(pk=subscription_id, active=True).values("paused_until").first()
    if state is None:
        return None
    paused_until = state["paused_until"]
    if paused_until is None:
        return _Turn(subscription_id)
    if paused_until > now:
        return None
    lease = now + claim_lease()
    claimed = WebhookSubscription.objects.filter(pk=subscription_id, paused_until=paused_until).update(
        paused_until=lease
    )
    return _Turn(subscription_id, paused_until, lease) if claimed else None


def _claim(delivery_id: Any, next_attempt_at: datetime | None, now: datetime) -> WebhookDelivery | None:
    # One conditional UPDATE: concurrent workers never send the same attempt twice.
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, next_attempt_at=next_attempt_at).update(
        next_attempt_at=now + claim_lease()
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()


def _record_circuit(subscription_id: int, delivered: bool, now: datetime) -> bool:
    """Count the attempt in the subscription's circuit; True if this failure opened (or re-opened) it."""
    subscriptions = WebhookSubscription.objects.filter(pk=subscription_id)
    if delivered:
        subscriptions.update(consecutive_failures=0, paused_until=None)
        return False
    subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
    failures = subscriptions.values_list("consecutive_failures", flat=True).first()
    if failures is None or failures < settings.WEBHOOKS_CIRCUIT_FAILURES:
        return False
    paused_until = now + timedelta(seconds=settings.WEBHOOKS_CIRCUIT_COOLDOWN)
    subscriptions.update(paused_until=paused_until)
    logger.warning("webhook subscription %s paused until %s after %s failures", subscription_id, paused_until, failures)
    return True


def _schedule_next(now: datetime, *, full: bool, worked: bool) -> None:
    """Ask for the next drain: at once if this one stopped at its limit, else when the next delivery falls due.

    Only a drain that did something asks: a drain woken for nothing (another worker was faster) ends the chain,
    so duplicate wake-ups die out instead of multiplying.
    """
    if full:
        transaction.on_commit(_schedule_delivery, robust=True)
    elif worked:
        wake_at = _next_due(now)
        if wake_at is not None:
            transaction.on_commit(lambda: _schedule_delivery(wake_at), robust=True)


def _next_due(now: datetime) -> datetime | None:
    """The earliest moment a pending delivery may be sent: its next attempt, but not before its circuit's pause
    ends; never earlier than a second from now."""
    per_subscription = (
        WebhookDelivery.objects.filter(_sendable(), next_attempt_at__isnull=False)
        .values("subscription_id", "subscription__paused_until")
        .annotate(first=Min("next_attempt_at"))
    )
    moments = [max(row["first"], row["subscription__paused_until"] or row["first"]) for row in per_subscription]
    return max(min(moments), now + timedelta(seconds=1)) if moments else None


def attempt(delivery: WebhookDelivery, now: datetime) -> str:
    """One signed, bounded POST; records the status code or error and schedules the next attempt on failure."""
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "EduCatalog-Webhooks/1",
        "X-Catalog-Event": delivery.event,
        "X-Catalog-Delivery": str(delivery.pk),
        "X-Catalog-Timestamp": timestamp,
        "X-Catalog-Signature": signature(subscription.secret, timestamp, body),
    }
    reply = webhook_transport.post(
        subscription.url,  # checked again on each attempt: the name may resolve elsewhere since subscribing
        body,
        headers,
        deadline=settings.WEBHOOKS_ATTEMPT_DEADLINE,
        max_bytes=settings.WEBHOOKS_RESPONSE_MAX_BYTES,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE,
    )
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = reply.status_code, reply.error
    delivery.last_attempt_at = timezone.now()
    if reply.delivered:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = WebhookDelivery.Status.DELIVERED, now, None
    elif delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        logger.warning("webhook %s to %s failed for good: %s", delivery.pk, subscription.url, delivery.last_error)
    else:
        delivery.next_attempt_at = now + BACKOFF_BASE * 2 ** (delivery.attempts - 1)
    # An UPDATE, not save(): a subscription deleted meanwhile takes its deliveries with it, and that is final.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=delivery.status,
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        last_attempt_at=delivery.last_attempt_at,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
    )
    return "retrying" if delivery.status == WebhookDelivery.Status.PENDING else delivery.status
