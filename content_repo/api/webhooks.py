"""Webhooks: subscriptions, an outbox of deliveries written with the change, signed attempts with back-off.

A delivery row is written in the transaction of the event (so an event is never lost nor sent for a
rolled-back change); after commit a task drains due deliveries (`deliver_pending`). A failed attempt is
retried after 30 s, 1 min, 2 min… (`WEBHOOKS_MAX_ATTEMPTS` attempts in all). Each attempt is signed:
`X-Catalog-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>` with
`X-Catalog-Timestamp: <unix seconds>`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from content_repo.publishers.models import Organization
from content_repo.resources.models import Resource

from .models import Change, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

Event = WebhookSubscription.Event
BACKOFF_BASE = timedelta(seconds=30)
ATTEMPT_TIMEOUT = 10.0
# A claimed delivery is invisible to other workers this long (longer than an attempt can take).
CLAIM_LEASE = timedelta(seconds=60)


def check_url(url: str) -> None:
    """Refuse URLs that are not http(s) or that resolve to private, loopback or link-local addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": "нужен абсолютный адрес http(s)"})
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as e:
        raise ValidationError({"url": f"имя {parts.hostname!r} не разрешается в адрес"}) from e
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise ValidationError({"url": f"адрес {parts.hostname!r} ведёт во внутреннюю сеть ({address})"})


def subscribe(
    organization: Organization, url: str, events: list[str], secret: str | None = None
) -> WebhookSubscription:
    """A new subscription; without a secret one is generated (return it to the client once)."""
    check_url(url)
    unknown = sorted(set(events) - set(Event.values))
    if not events or unknown:
        raise ValidationError({"events": f"события из: {', '.join(Event.values)}; неизвестно: {unknown}"})
    return WebhookSubscription.objects.create(
        organization=organization,
        url=url,
        events=[e for e in Event.values if e in events],
        secret=secret or secrets.token_urlsafe(32),
    )


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
        transaction.on_commit(_schedule_delivery)
    return deliveries


def _schedule_delivery(run_after: datetime | None = None) -> None:
    from django_tasks import task_backends

    from .tasks import deliver_webhooks

    task = deliver_webhooks
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


def deliver_pending(now: datetime | None = None, limit: int = 100) -> Counter[str]:
    """Attempt every due delivery once; returns how many ended delivered, retrying or failed."""
    now = now or timezone.now()
    outcome: Counter[str] = Counter()
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
    for delivery_id, next_attempt_at in due.order_by("next_attempt_at").values_list("pk", "next_attempt_at")[:limit]:
        # Claim with one conditional UPDATE: concurrent workers never send the same attempt twice.
        claimed = WebhookDelivery.objects.filter(pk=delivery_id, next_attempt_at=next_attempt_at).update(
            next_attempt_at=now + CLAIM_LEASE
        )
        if claimed:
            delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
            outcome[attempt(delivery, now)] += 1
    if outcome["retrying"]:
        retry_at = (
            WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if retry_at is not None:
            transaction.on_commit(lambda: _schedule_delivery(retry_at))
    return outcome


def attempt(delivery: WebhookDelivery, now: datetime) -> str:
    """One signed POST; records the status code or error and schedules the next attempt on failure."""
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
    delivery.attempts += 1
    delivery.last_status_code = None
    try:
        check_url(subscription.url)  # again: the name may resolve elsewhere since subscribing
        response = httpx.post(subscription.url, content=body, headers=headers, timeout=ATTEMPT_TIMEOUT)
        delivery.last_status_code = response.status_code
        delivery.last_error = "" if response.is_success else f"ответ {response.status_code}"
    except ValidationError as e:
        delivery.last_error = "; ".join(e.messages)
    except httpx.HTTPError as e:
        delivery.last_error = f"{type(e).__name__}: {e}"
    if delivery.last_status_code is not None and 200 <= delivery.last_status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
        logger.warning("webhook %s to %s failed for good: %s", delivery.pk, subscription.url, delivery.last_error)
    else:
        delivery.next_attempt_at = now + BACKOFF_BASE * 2 ** (delivery.attempts - 1)
    delivery.save()
    return "retrying" if delivery.status == WebhookDelivery.Status.PENDING else delivery.status
