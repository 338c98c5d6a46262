"""Queries that find nothing or little, counted per week: the methodists' list of what the catalog lacks.

:func:`record` is called by :func:`search.service.search` for the first page of a text query; it keeps the
normalised text only (:class:`~search.models.SearchMiss`: no address, user or session). A failed write never
fails the search: it is logged and dropped. :func:`weekly_report` is what the admin's report
«Что ищут и не находят» shows.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from content_repo.text.analysis import normalize

from .models import SearchMiss
from .query import SearchQuery, SearchResults

logger = logging.getLogger(__name__)

# A query finding this many resources or fewer is a miss («мало результатов»); zero is the worst kind.
LOW_RESULTS = 2
# On SQLite a search never waits for a writer (a harvest may hold the lock for seconds): the count is dropped.
SQLITE_WAIT_MS = 100
MAX_TEXT = 100
REPORT_WEEKS = 8


def normalised(text: str) -> str:
    """How a query is kept: lowercase, «ё» → «е», single spaces, at most 100 characters."""
    return " ".join(normalize(text).split())[:MAX_TEXT]


def is_miss(query: SearchQuery, results: SearchResults) -> bool:
    """A first page of a text query that found little (filters narrowing a good query are not a miss)."""
    return bool(query.text.strip()) and query.cursor is None and not query.filters and results.total <= LOW_RESULTS


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def record(query: SearchQuery, results: SearchResults) -> None:
    """Count ``query`` as a miss of this week if it is one (see :func:`is_miss`)."""
    if not is_miss(query, results):
        return
    text, week = normalised(query.text), week_of(timezone.localdate())
    try:
        with _brief_wait(), transaction.atomic():
            updated = SearchMiss.objects.filter(week=week, text=text).update(
                searches=F("searches") + 1, found=results.total
            )
            if not updated:
                SearchMiss.objects.create(week=week, text=text, searches=1, found=results.total)
    except IntegrityError:
        # Another request created the row between our update and insert: count on it.
        SearchMiss.objects.filter(week=week, text=text).update(searches=F("searches") + 1, found=results.total)
    except DatabaseError as e:
        logger.warning("could not count the search miss %r: %s", text, e)


@contextmanager
def _brief_wait() -> Iterator[None]:
    """On SQLite, wait at most ``SQLITE_WAIT_MS`` for the write lock, then give the usual timeout back."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(settings.DATABASE_LOCK_TIMEOUT * 1000)}")


@dataclass(frozen=True)
class WeekOfMisses:
    week: datetime.date
    misses: list[SearchMiss]

    @property
    def searches(self) -> int:
        return sum(miss.searches for miss in self.misses)


def weekly_report(weeks: int = REPORT_WEEKS, per_week: int = 50) -> list[WeekOfMisses]:
    """The last ``weeks`` weeks, newest first, each with its most searched misses (nothing found first)."""
    since = week_of(timezone.localdate()) - datetime.timedelta(weeks=weeks - 1)
    rows = SearchMiss.objects.filter(week__gte=since).order_by("-week", "found", "-searches", "text")
    by_week: dict[datetime.date, list[SearchMiss]] = {}
    for row in rows:
        by_week.setdefault(row.week, [])
        if len(by_week[row.week]) < per_week:
            by_week[row.week].append(row)
    return [WeekOfMisses(week, misses) for week, misses in by_week.items()]
