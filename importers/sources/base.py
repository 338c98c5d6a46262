"""What every source module shares: item references, the gather report, the transform context, the
default fetch, and an in-memory driver that chains gather → fetch → transform.

A source module provides three functions (see :class:`SourceDefinition`):

* ``gather(client, base_url, report, **options) -> Iterator[ItemRef]`` — a generator that walks the
  site's listings and yields each item once; it records listing failures in ``report`` and calls
  ``report.finish()`` when it has walked everything;
* ``fetch(client, ref, validators) -> FetchResult`` — usually :func:`fetch_item`;
* ``transform(payload, context) -> HarvestedRecord`` — pure; raises ``TransformError``.

A protocol source whose listing is a window of changes (OAI-PMH) is ``stateful``: its gather also takes a
:class:`GatherState` — the source's options, the checkpoint to resume an interrupted job from, and the state of
the source's last finished gather — attaches a ``checkpoint`` to each reference (the engine keeps the last one
of every committed batch), marks what the source reports deleted (``ItemRef.deleted``: withdrawn at once), and
ends with ``report.final_state`` (where the next gather starts) and ``report.incremental`` when it listed only
changes (nothing is then withdrawn by set difference).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from content_repo.intake.records import HarvestedRecord
from importers.errors import DisallowedByRobots, FetchError, HTTPStatusError, TransformError
from importers.http import FetchResult, FetchStatus, PoliteClient, Validators
from importers.urls import InvalidURL, join_url

__all__ = [
    "GatherProblem",
    "GatherReport",
    "GatherState",
    "GatherStatus",
    "ItemOutcome",
    "ItemRef",
    "ItemStatus",
    "SourceDefinition",
    "TransformContext",
    "fetch_item",
    "harvest",
    "listing_page",
    "parse_timestamp",
    "production_url",
    "site_path",
]

logger = logging.getLogger(__name__)


class GatherStatus(Enum):
    """Whether a gather saw the whole source, which is what lets the engine withdraw missing items."""

    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    UNCHANGED = "unchanged"
    INCREMENTAL = "incremental"  # read to its end, but it listed only what changed: nothing is withdrawn by difference


@dataclass(frozen=True)
class ItemRef:
    """One item found by gather: its identity, where to fetch it, and what the listing said about it.

    ``payload`` is set when the listing already holds the whole item (a feed line, an API object);
    then fetching costs no request. ``deleted``: the source says the item is gone (an OAI-PMH deleted header).
    ``checkpoint``: where a stateful gather resumes if this is the last item a job committed.
    """

    external_id: str
    url: str
    context: Mapping[str, Any] = field(default_factory=dict)
    payload: bytes | None = None
    content_type: str | None = None
    deleted: bool = False
    checkpoint: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class GatherProblem:
    """A listing page that failed, or an item rejected while listing (with its feed line if any)."""

    url: str
    reason: str
    line: int | None = None
    external_id: str | None = None


@dataclass
class GatherReport:
    """Filled in by a gather generator while it runs; read :attr:`status` after it is exhausted."""

    listing_failures: list[GatherProblem] = field(default_factory=list)
    rejected: list[GatherProblem] = field(default_factory=list)
    listing_pages: int = 0
    items: int = 0
    out_of_scope: int = 0
    unchanged: bool = False
    finished: bool = False
    # Validators of a single-document listing (a feed), for the next run's conditional GET.
    feed_validators: Validators | None = None
    # A stateful gather: it listed only changes since ``GatherState.previous``; where the next one starts.
    incremental: bool = False
    final_state: Mapping[str, Any] | None = None

    def listing_failed(self, url: str, error: Exception | str) -> None:
        logger.warning("listing %s failed: %s", url, error)
        self.listing_failures.append(GatherProblem(url=url, reason=str(error)))

    def reject(self, url: str, reason: str, line: int | None = None, external_id: str | None = None) -> None:
        logger.warning("rejected item at %s%s: %s", url, f" line {line}" if line else "", reason)
        self.rejected.append(GatherProblem(url=url, reason=reason, line=line, external_id=external_id))

    def finish(self) -> None:
        self.finished = True

    @property
    def status(self) -> GatherStatus:
        """``COMPLETE`` only when the listing was read to its end and every item in it could be read.

        A listing with rejected items (invalid feed lines) is incomplete for withdrawal: an item we could not
        read may still be at the source, and a truncated or undecodable feed shows up as just such lines.
        """
        if not self.finished or self.listing_failures or self.rejected:
            return GatherStatus.INCOMPLETE
        if self.unchanged:
            return GatherStatus.UNCHANGED
        return GatherStatus.INCREMENTAL if self.incremental else GatherStatus.COMPLETE


@dataclass(frozen=True)
class GatherState:
    """What a stateful gather is given: the source's code and options, where to resume, where the last ended.

    ``resume`` is the ``checkpoint`` of the last item an interrupted job committed (``None`` for a new job);
    ``previous`` the ``final_state`` of the source's last gather that finished without failures (``None`` when
    there is none, or with ``--full``); ``since`` is ``harvest --since``.
    """

    source: str
    options: Mapping[str, Any] = field(default_factory=dict)
    resume: Mapping[str, Any] | None = None
    previous: Mapping[str, Any] | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class TransformContext:
    """What transform may know besides the payload: identity, URLs and the listing's context."""

    external_id: str
    url: str
    final_url: str
    content_type: str | None = None
    listing: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_fetch(cls, ref: ItemRef, result: FetchResult) -> TransformContext:
        return cls(
            external_id=ref.external_id,
            url=ref.url,
            final_url=result.final_url,
            content_type=result.content_type,
            listing=ref.context,
        )


def fetch_item(client: PoliteClient, ref: ItemRef, validators: Validators | None = None) -> FetchResult:
    """Fetch an item page, or wrap the payload the listing already gave."""
    if ref.payload is None:
        return client.get(ref.url, validators=validators)
    return FetchResult(
        url=ref.url,
        final_url=ref.url,
        status=FetchStatus.OK,
        status_code=200,
        headers={"content-type": ref.content_type or "application/json; charset=utf-8"},
        content=ref.payload,
        etag=None,
        last_modified=None,
    )


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 timestamp with an offset as an aware datetime; anything else is ``None``."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def production_url(origin: str, path: str) -> str:
    """The record URL: the production origin with the path we ended up on."""
    return origin.rstrip("/") + path


class GatherFunction(Protocol):
    def __call__(
        self, client: PoliteClient, base_url: str, report: GatherReport, **options: Any
    ) -> Iterator[ItemRef]: ...


@dataclass(frozen=True)
class SourceDefinition:
    """A source's code, production origin and its three stage functions."""

    code: str
    production_origin: str
    allowed_hosts: frozenset[str]
    gather: GatherFunction
    transform: Callable[[bytes | str, TransformContext], HarvestedRecord]
    fetch: Callable[[PoliteClient, ItemRef, Validators | None], FetchResult] = fetch_item
    # When the listing says when an item last changed, ``harvest --since`` can skip older items.
    modified_at: Callable[[ItemRef], datetime | None] | None = None
    # The listing is one document answering conditional GET (a feed): gather takes ``validators``.
    conditional_listing: bool = False
    # The listing is a window of changes with its own position (OAI-PMH): gather takes ``state``.
    stateful: bool = False


class ItemStatus(Enum):
    HARVESTED = "harvested"
    NOT_MODIFIED = "not_modified"
    GONE = "gone"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one gathered item in :func:`harvest`."""

    ref: ItemRef
    status: ItemStatus
    record: HarvestedRecord | None = None
    fetched: FetchResult | None = None
    error: str | None = None


def harvest(
    source: SourceDefinition,
    client: PoliteClient,
    base_url: str,
    report: GatherReport,
    validators: Mapping[str, Validators] | None = None,
    **options: Any,
) -> Iterator[ItemOutcome]:
    """Run gather → fetch → transform in memory, one item at a time (tests, demo, benchmark).

    ``validators`` maps external ids to what a previous run stored. The persisted engine does the
    same steps with a table between them.
    """
    known = validators or {}
    for ref in source.gather(client, base_url, report, **options):
        outcome = _harvest_one(source, client, ref, known.get(ref.external_id))
        if outcome.status in (ItemStatus.FAILED, ItemStatus.SKIPPED):
            logger.warning("%s item %s %s: %s", source.code, ref.external_id, outcome.status.value, outcome.error)
        yield outcome


def _harvest_one(
    source: SourceDefinition, client: PoliteClient, ref: ItemRef, validators: Validators | None
) -> ItemOutcome:
    if ref.deleted:
        return ItemOutcome(ref, ItemStatus.GONE)
    try:
        fetched = source.fetch(client, ref, validators)
    except HTTPStatusError as error:
        status = ItemStatus.GONE if error.status in (404, 410) else ItemStatus.FAILED
        return ItemOutcome(ref, status, error=str(error))
    except DisallowedByRobots as error:
        return ItemOutcome(ref, ItemStatus.SKIPPED, error=str(error))
    except FetchError as error:
        return ItemOutcome(ref, ItemStatus.FAILED, error=str(error))
    if fetched.not_modified:
        return ItemOutcome(ref, ItemStatus.NOT_MODIFIED, fetched=fetched)
    try:
        record = source.transform(fetched.content, TransformContext.from_fetch(ref, fetched))
    except TransformError as error:
        return ItemOutcome(ref, ItemStatus.FAILED, fetched=fetched, error=str(error))
    return ItemOutcome(ref, ItemStatus.HARVESTED, record=record, fetched=fetched)


def listing_page(
    client: PoliteClient,
    report: GatherReport,
    url: str,
    *,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    validators: Validators | None = None,
) -> FetchResult | None:
    """Fetch one listing page (GET, or POST when ``form`` is given); a failure is recorded, not raised."""
    try:
        if form is None:
            result = client.get(url, validators=validators, headers=headers)
        else:
            result = client.post_form(url, form, headers)
    except FetchError as error:
        report.listing_failed(url, error)
        return None
    report.listing_pages += 1
    return result


def site_path(href: str, page_url: str) -> str | None:
    """The path an on-site link points to, or ``None`` for links to other hosts and malformed links.

    A page may carry a broken link (``http://[::1``, a port out of range): it leads nowhere we can follow,
    so it is skipped like an off-site link instead of failing the listing.
    """
    try:
        parts, page = urlsplit(join_url(page_url, href)), urlsplit(page_url)
        parts.port  # noqa: B018 - a port out of range raises here
    except (InvalidURL, ValueError):
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != page.netloc.lower():
        return None
    return unquote(parts.path) or "/"
