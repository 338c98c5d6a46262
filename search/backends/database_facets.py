"""Facet counts of the ``database`` backend, computed in Python from a per-process copy of the filter values.

Why not ``GROUP BY``: a common word («урок», «контрольная работа») matches a third of a large catalog, and
SQL then reads every matching row once per multi-select scope and sorts the values to group them (250–450 ms
at 100,000 entries on SQLite). Here each process keeps, for every published entry, its value of each filter
as an interned tuple in a list (one list per facet, entries by position): about 40 MB at 100,000 entries. A
scope is a byte mask over the positions (1 = in scope); masks are AND-ed as integers, and a facet is counted
with ``Counter(chain.from_iterable(map(column.__getitem__, positions)))`` — every step runs in C, so a scope
of 40,000 entries is counted in a few milliseconds, whatever the words.

The copy follows the tables through two of them, written by every write in its own transaction
(:func:`record`): :class:`~search.models.SearchIndexState` holds the current token (a search reads it
first: one indexed row), :class:`~search.models.SearchIndexChange` the entries each write added and
removed, chained by tokens. A copy that is behind replays the changes after its own token; one whose token
is not in the chain (a rolled-back write, whose entry ids may be reused; or older than the changes kept), or
that meets a full replacement (``rebuild``), is reloaded from the tables. Writers update the state row
before appending their change, so on PostgreSQL its row lock puts the changes in commit order.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain, compress, groupby
from operator import itemgetter
from typing import Any

from django.db import connections

from ..models import (
    FACET_COLUMNS,
    MULTI_VALUED_FACETS,
    SearchEntry,
    SearchEntryValue,
    SearchIndexChange,
    SearchIndexState,
)
from .base import chunked

ENTRY_TABLE = SearchEntry._meta.db_table
VALUE_TABLE = SearchEntryValue._meta.db_table
STATE_TABLE = SearchIndexState._meta.db_table
CHANGE_TABLE = SearchIndexChange._meta.db_table
SINGLE = tuple(FACET_COLUMNS)
FACETS = (*SINGLE, *MULTI_VALUED_FACETS)
LOAD_CHUNK = 5000
MASK_MEMO = 64
# Changes kept for copies that are behind; an older copy is reloaded. Pruned every PRUNE_EVERY writes.
KEEP_CHANGES = 2000
PRUNE_EVERY = 100

Values = tuple[str, ...]
Mask = bytes


def record(using: str, added: Sequence[int] = (), removed: Sequence[int] = (), *, full: bool = False) -> None:
    """Note a write to the entry tables (call inside the transaction that made it)."""
    token = uuid.uuid4().hex
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STATE_TABLE} (id, token) VALUES (1, %s) "
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token",
            [token],
        )
        cursor.execute(f"SELECT id, token FROM {CHANGE_TABLE} ORDER BY id DESC LIMIT 1")
        last = cursor.fetchone()
        if last is not None and last[0] % PRUNE_EVERY == 0:
            cursor.execute(f"DELETE FROM {CHANGE_TABLE} WHERE id <= %s", [last[0] - KEEP_CHANGES])
    SearchIndexChange.objects.using(using).create(
        token=token,
        previous=last[1] if last else "",
        added=[] if full else list(added),
        removed=[] if full else list(removed),
        full=full,
    )


def current_token(using: str) -> str | None:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT token FROM {STATE_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return str(row[0]) if row else None


class FacetIndex:
    """The filter values of every published entry of one database, by position."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.ids: list[int] = []
        self.positions: dict[int, int] = {}
        self.columns: dict[str, list[Values]] = {name: [] for name in FACETS}
        self.dead = 0
        # Per facet, every distinct tuple of values once (few, except for topics), shared by the positions.
        self._interned: dict[str, dict[Values, Values]] = {name: {(): ()} for name in FACETS}
        self._everything: dict[str, Counter[str]] | None = None
        self._masks: dict[Any, Mask] = {}

    # Loading

    def load_all(self, using: str) -> None:
        """Read every published entry: two scans in id order, merged as they stream (no id lists)."""
        columns = ", ".join(FACET_COLUMNS.values())
        with connections[using].cursor() as entries, connections[using].cursor() as values:
            entries.execute(f"SELECT id, {columns} FROM {ENTRY_TABLE} WHERE published = %s ORDER BY id", [True])
            # Value rows exist for published entries only.
            values.execute(f"SELECT entry_id, facet, value FROM {VALUE_TABLE} ORDER BY entry_id, id")
            grouped = groupby(values, key=itemgetter(0))
            pending = next(grouped, None)
            for pk, *row in entries:
                multi: dict[tuple[str, int], list[str]] = {}
                while pending is not None and pending[0] <= pk:
                    if pending[0] == pk:
                        multi = _grouped(pending[1])
                    pending = next(grouped, None)
                self._append([pk], {pk: tuple(row)}, multi)

    def load(self, using: str, ids: Iterable[int]) -> None:
        """Append the entries ``ids`` (those still there and published)."""
        columns = ", ".join(FACET_COLUMNS.values())
        for chunk in chunked(sorted(set(ids) - self.positions.keys()), LOAD_CHUNK):
            marks = ", ".join(["%s"] * len(chunk))
            with connections[using].cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {columns} FROM {ENTRY_TABLE} WHERE published = %s AND id IN ({marks})", [True, *chunk]
                )
                single = {pk: tuple(row) for pk, *row in cursor.fetchall()}
                cursor.execute(
                    f"SELECT entry_id, facet, value FROM {VALUE_TABLE} WHERE entry_id IN ({marks}) ORDER BY id", chunk
                )
                multi = _grouped(cursor.fetchall())
            self._append([pk for pk in chunk if pk in single], single, multi)

    def _append(self, ids: list[int], single: dict[int, Values], multi: dict[tuple[str, int], list[str]]) -> None:
        interned = self._interned
        for pk in ids:
            self.positions[pk] = len(self.ids)
            self.ids.append(pk)
            for name, value in zip(SINGLE, single[pk], strict=True):
                values: Values = (value,) if value else ()
                self.columns[name].append(interned[name].setdefault(values, values))
            for name in MULTI_VALUED_FACETS:
                values = tuple(multi.get((name, pk), ()))
                self.columns[name].append(interned[name].setdefault(values, values))
        self._changed()

    def remove(self, ids: Iterable[int]) -> None:
        for pk in ids:
            position = self.positions.pop(pk, None)
            if position is None:
                continue
            self.ids[position] = 0
            for column in self.columns.values():
                column[position] = ()
            self.dead += 1
        self._changed()

    def _changed(self) -> None:
        self._everything = None
        self._masks.clear()

    @property
    def size(self) -> int:
        return len(self.ids)

    # Masks

    def everything(self) -> Mask:
        return self._memo("everything", lambda: bytes(map(bool, self.ids)))

    def _memo(self, key: Any, build: Any) -> Mask:
        """Masks of filters are reused by the next searches until the copy changes (a few dozen at most)."""
        mask = self._masks.get(key)
        if mask is None:
            if len(self._masks) >= MASK_MEMO:
                self._masks.clear()
            mask = self._masks[key] = build()
        return mask

    def mask_of_ids(self, rows: Iterable[Sequence[int]]) -> Mask:
        """The positions of the entries whose id is the first column of ``rows`` (unknown ids are left out)."""
        found = set(map(self.positions.get, map(itemgetter(0), rows)))
        found.discard(None)
        if not found:
            return bytes(self.size)
        return bytes(map(found.__contains__, range(self.size)))

    def mask_of_values(self, facet: str, values: Sequence[str]) -> Mask:
        """Entries having at least one of ``values`` in ``facet``."""
        wanted = frozenset(values)

        def build() -> Mask:
            # The distinct tuples are tested once, then each position by a set lookup (in C).
            matching = {candidate for candidate in self._interned[facet] if not wanted.isdisjoint(candidate)}
            return bytes(map(matching.__contains__, self.columns[facet]))

        return self._memo((facet, wanted), build)

    @staticmethod
    def intersect(masks: Sequence[Mask], size: int) -> Mask:
        if not masks:
            return b"\x01" * size
        result = int.from_bytes(masks[0], "little")
        for mask in masks[1:]:
            result &= int.from_bytes(mask, "little")
        return result.to_bytes(size, "little")

    @staticmethod
    def union(masks: Sequence[Mask], size: int) -> Mask:
        result = 0
        for mask in masks:
            result |= int.from_bytes(mask, "little")
        return result.to_bytes(size, "little")

    # Counting

    def positions_in(self, mask: Mask) -> list[int]:
        return list(compress(range(self.size), mask)) if 1 in mask else []

    def count(self, facet: str, positions: Sequence[int]) -> Counter[str]:
        return Counter(chain.from_iterable(map(self.columns[facet].__getitem__, positions)))

    def count_everything(self, facet: str) -> Counter[str]:
        """Counts over every published entry (browsing by one filter), kept until the copy changes."""
        if self._everything is None:
            everything = self.positions_in(self.everything())
            self._everything = {name: self.count(name, everything) for name in FACETS}
        return Counter(self._everything[facet])


class FacetIndexes:
    """One :class:`FacetIndex` per database alias, refreshed against the token before each use."""

    def __init__(self) -> None:
        self._indexes: dict[str, FacetIndex] = {}
        self._lock = threading.Lock()

    @contextmanager
    def locked(self, using: str) -> Iterator[FacetIndex]:
        """The up-to-date copy for ``using``, held for the caller alone: a thread refreshing it in place
        must not change positions under another's masks (counting is C work under the GIL anyway)."""
        with self._lock:
            token = current_token(using)
            index = self._indexes.get(using)
            if index is None or index.token != token:
                index = self._refreshed(using, index, token)
                self._indexes[using] = index
            yield index

    def get(self, using: str) -> FacetIndex:
        with self.locked(using) as index:
            return index

    @staticmethod
    def _refreshed(using: str, index: FacetIndex | None, token: str | None) -> FacetIndex:
        if index is not None and index.token is not None:
            changes = _changes_after(using, index.token)
            if changes:
                added = [pk for change in changes for pk in change.added]
                removed = [pk for change in changes for pk in change.removed]
                if (len(added) + index.dead + len(removed)) * 2 <= max(index.size, 1):
                    index.remove(removed)
                    index.load(using, set(added) - set(removed))
                    index.token = changes[-1].token
                    return index
        fresh = FacetIndex(token)
        fresh.load_all(using)
        return fresh


def _changes_after(using: str, token: str) -> list[SearchIndexChange] | None:
    """The changes made after the state ``token``, in order; ``None`` when they cannot be replayed."""
    changes = SearchIndexChange.objects.using(using)
    start = changes.filter(token=token).values_list("id", flat=True).first()
    if start is None:
        return None
    after = list(changes.filter(id__gt=start).order_by("id").only("token", "previous", "added", "removed", "full"))
    previous = token
    for change in after:
        if change.full or change.previous != previous:
            return None
        previous = change.token
    return after


def _grouped(rows: Iterable[tuple[int, str, str]]) -> dict[tuple[str, int], list[str]]:
    grouped: dict[tuple[str, int], list[str]] = {}
    for pk, facet, value in rows:
        grouped.setdefault((facet, pk), []).append(value)
    return grouped


FACET_INDEXES = FacetIndexes()


def counts_by_scope(
    index: FacetIndex,
    match: Mask | None,
    filters: Mapping[str, Sequence[str]],
    scopes: Mapping[str | None, Sequence[str]],
) -> tuple[int, dict[str, Counter[str]]]:
    """The number of hits and the facet counts, each scope counted without its own filter (multi-select).

    ``match`` is the mask of the text match (``None``: every entry); ``scopes`` maps a filter left out
    (``None``: none) to the facets counted in that scope.
    """
    size = index.size
    masks = {name: index.mask_of_values(name, values) for name, values in filters.items()}

    scopes_seen: dict[str | None, Mask] = {}

    def scope(exclude: str | None) -> Mask:
        if exclude not in scopes_seen:
            parts = [mask for name, mask in masks.items() if name != exclude]
            parts.append(index.everything() if match is None else match)
            scopes_seen[exclude] = FacetIndex.intersect(parts, size)
        return scopes_seen[exclude]

    counts: dict[str, Counter[str]] = {}
    for exclude, facets in scopes.items():
        if match is None and set(filters) <= {exclude}:
            counts.update({name: index.count_everything(name) for name in facets})
            continue
        positions = index.positions_in(scope(exclude))
        counts.update({name: index.count(name, positions) for name in facets})
    total = scope(None).count(1)
    return total, counts
