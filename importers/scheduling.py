"""Which sources are due for a scheduled harvest (``manage.py schedule_harvests``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from importers.engine.runner import _is_alive
from importers.models import HarvestJob, HarvestSource

__all__ = ["due_sources", "enqueue_due_harvests"]


def due_sources(now: datetime | None = None) -> list[HarvestSource]:
    """Enabled sources with a schedule whose last job started at least one interval ago and none runs."""
    now = now or timezone.now()
    due = []
    for source in HarvestSource.objects.filter(enabled=True).exclude(schedule="").exclude(kind=HarvestSource.Kind.CSV):
        interval = source.interval
        last = source.jobs.order_by("-started_at", "-pk").first()
        if interval is None or (last is not None and last.started_at + interval > now):
            continue
        if last is not None and last.state == HarvestJob.State.RUNNING and _is_alive(last):
            continue
        due.append(source)
    return due


def enqueue_due_harvests(now: datetime | None = None) -> list[str]:
    """Enqueue :func:`importers.tasks.run_harvest` for every due source; returns their codes."""
    from importers.tasks import run_harvest

    codes = [source.code for source in due_sources(now)]
    for code in codes:
        run_harvest.enqueue(code)
    return codes
