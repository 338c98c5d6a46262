"""Following the change feed into the provider's records (:class:`~content_repo.exchange.models.OaiRecord`).

Every OAI-PMH request first takes in what the feed gained since the last one (:func:`follow_feed`), so a
harvester never sees a list older than its own ``responseDate``. The entries are read in ``seq`` order, which
is commit order (``content_repo.api.changes``), a batch at a time under a lock on the single
:class:`~content_repo.exchange.models.FeedPosition` row: two requests never take the same entries in, and the
second waits for the first instead of answering without them.

A record's ``datestamp`` is the moment the provider took its entry in — never earlier than any datestamp
before it. An entry's own time is when its transaction began; a long harvest batch can commit minutes later,
and an incremental harvester asking ``from`` its last ``responseDate`` would never see it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from content_repo.api.models import Change

from ..models import FeedPosition, OaiRecord, OaiSetMember
from .sets import specs_of

__all__ = ["BATCH_SIZE", "follow_feed", "is_behind"]

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
LIVE = {Change.Action.PUBLISHED, Change.Action.UPDATED}


def is_behind() -> bool:
    """Whether the feed has entries the provider has not taken in (two indexed reads, no lock)."""
    position = FeedPosition.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    latest = Change.objects.aggregate(latest=Max("seq"))["latest"] or 0
    return latest > position


def follow_feed(batch_size: int = BATCH_SIZE) -> int:
    """Take in every feed entry not yet reflected; returns how many entries were read.

    A read-only database (``DATABASE_READ_ONLY``: a replica) is left alone: its records arrive by replication.
    """
    if getattr(settings, "DATABASE_READ_ONLY", False) or not is_behind():
        return 0
    _ensure_position()
    taken = 0
    while True:
        with transaction.atomic():
            state = FeedPosition.objects.select_for_update().get(pk=1)
            changes = list(Change.objects.filter(seq__gt=state.seq).order_by("seq")[:batch_size])
            if changes:
                state.datestamp = _apply(changes, state.datestamp)
                state.seq = changes[-1].seq
                state.save(update_fields=["seq", "datestamp"])
        taken += len(changes)
        if len(changes) < batch_size:
            if taken:
                logger.info("OAI-PMH: took in %d change-feed entries (up to #%d)", taken, state.seq)
            return taken


def _ensure_position() -> None:
    """The single position row (a flushed test database or a fresh one has none yet)."""
    if FeedPosition.objects.filter(pk=1).exists():
        return
    try:
        with transaction.atomic():
            FeedPosition.objects.create(pk=1)
    except IntegrityError:
        pass  # another request created it a moment ago


def _apply(changes: list[Change], previous: datetime | None) -> datetime:
    """One batch of entries: each resource's last entry decides its record. Returns the batch's datestamp."""
    now = timezone.now()
    datestamp = max(now, previous) if previous else now
    latest: dict[uuid.UUID, Change] = {}
    for change in changes:
        latest[change.resource_id] = change
    existing = OaiRecord.objects.in_bulk(list(latest))
    created, updated = [], []
    for resource_id, change in latest.items():
        record = existing.get(resource_id)
        # A live entry without a public document (the resource was not published when it was written) is none.
        deleted = change.action not in LIVE or not change.document
        if deleted and record is None:
            continue  # a tombstone for a resource the provider never listed
        # A deleted record keeps its last sets, so a harvester of «subject:math» sees it go.
        sets = specs_of(change.document or {}) if not deleted else (record.sets if record else [])
        if record is None:
            created.append(
                OaiRecord(resource_id=resource_id, position=change.seq, datestamp=datestamp, deleted=False, sets=sets)
            )
            continue
        record.position, record.datestamp, record.deleted, record.sets = change.seq, datestamp, deleted, sets
        updated.append(record)
    if updated:
        OaiSetMember.objects.filter(record_id__in=[record.pk for record in updated]).delete()
        OaiRecord.objects.bulk_update(updated, ["position", "datestamp", "deleted", "sets"], batch_size=1000)
    OaiRecord.objects.bulk_create(created, batch_size=1000)
    OaiSetMember.objects.bulk_create(
        [
            OaiSetMember(spec=spec, position=record.position, record_id=record.pk)
            for record in [*created, *updated]
            for spec in record.sets
        ],
        batch_size=2000,
    )
    return datestamp
