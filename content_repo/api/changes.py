"""The change feed: every publish, update, withdrawal and deletion of a resource, in commit order.

Entries are written by signal receivers (receivers.py) inside the transaction that makes the change. On
PostgreSQL the writers take one transaction-level advisory lock first, so sequence numbers are handed out
in commit order and a consumer polling `?since=` can never skip an entry committed late with a lower number.
SQLite has a single writer, which gives the same guarantee.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from content_repo.resources.models import Resource

from .models import Change, WebhookSubscription

FEED_LOCK_ID = 0x43A7A106  # arbitrary constant naming the change feed's advisory lock
LIVE_ACTIONS = {Change.Action.PUBLISHED, Change.Action.UPDATED}


def public_document(resource_id) -> dict[str, Any] | None:
    """The resource as `GET /api/v1/resources/{id}/` shows it now, or None when it is not published."""
    from .serializers import ResourceSerializer
    from .views.read import published_resources

    resource = published_resources().filter(pk=resource_id).first()
    return dict(ResourceSerializer(resource).data) if resource else None


def last_action(resource_id) -> str | None:
    return Change.objects.filter(resource_id=resource_id).order_by("-seq").values_list("action", flat=True).first()


def record_change(resource: Resource, action: str) -> Change:
    """Append an entry for `resource` (in the caller's transaction, after the change was written)."""
    with transaction.atomic():
        _lock_feed()
        document = public_document(resource.pk) if action in LIVE_ACTIONS else None
        change = Change.objects.create(
            resource_id=resource.pk, provider_id=resource.provider_id, action=action, document=document
        )
    from .webhooks import notify_resource_changed

    notify_resource_changed(change)
    return change


def _lock_feed() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK_ID])


def record_published_many(resources: list[Resource]) -> list[Change]:
    """Entries for resources a batch load published, as `record_published` would write them one by one.

    The resources come with their related rows attached (see `resources_published`), so their documents are
    serialised as they are, by one serializer for the batch.
    """
    from .serializers import ResourceSerializer

    if not resources:
        return []
    ids = [resource.pk for resource in resources]
    with transaction.atomic():
        _lock_feed()
        last: dict[str, str] = {}
        for resource_id, action in (
            Change.objects.filter(resource_id__in=ids).order_by("seq").values_list("resource_id", "action")
        ):
            last[str(resource_id)] = action
        documents = ResourceSerializer(resources, many=True).data
        entries = [
            Change(
                resource_id=resource.pk,
                provider_id=resource.provider_id,
                action=Change.Action.UPDATED if last.get(str(resource.pk)) in LIVE_ACTIONS else Change.Action.PUBLISHED,
                document=dict(document),
            )
            for resource, document in zip(resources, documents, strict=True)
        ]
        created = Change.objects.bulk_create(entries)
    from .webhooks import notify_resource_changed

    # Only organisations that subscribed get deliveries: ask once for the batch, not once per entry.
    subscribed = set(
        WebhookSubscription.objects.filter(organization_id__in={c.provider_id for c in created}, active=True)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    for change in created:
        if change.provider_id in subscribed:
            notify_resource_changed(change)
    return created


def record_changed_many(resource_ids) -> list[Change]:
    """Entries for live resources changed in place by a batch (the alignment service's suggestions): each
    is `updated` with its document as `GET /api/v1/resources/{id}/` shows it now."""
    from .views.read import published_resources

    return record_published_many(list(published_resources().filter(pk__in=list(resource_ids))))


def record_published(resource: Resource) -> Change:
    """A publication is `published` for a resource consumers do not hold, else `updated`."""
    held = last_action(resource.pk) in LIVE_ACTIONS
    return record_change(resource, Change.Action.UPDATED if held else Change.Action.PUBLISHED)


def record_unpublished(resource: Resource) -> Change | None:
    if last_action(resource.pk) not in LIVE_ACTIONS:
        return None
    return record_change(resource, Change.Action.WITHDRAWN)


def record_deleted(resource: Resource) -> Change | None:
    """A tombstone for a resource that ever appeared in the feed (others were never seen by consumers)."""
    previous = last_action(resource.pk)
    if previous is None or previous == Change.Action.DELETED:
        return None
    return record_change(resource, Change.Action.DELETED)


def latest_change() -> Change | None:
    return Change.objects.order_by("-seq").first()
