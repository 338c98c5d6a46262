"""Учи.ру: the partner feed (JSON Lines of schema.org LearningResource), read from a URL or a file.

Учи.ру has no public catalog to crawl (docs/sources-research.md §3), so the partner sends a feed in
the generic vendor format, read by the intake's JSON-LD reader (:mod:`content_repo.intake.jsonld`). Every
line is one item; gather validates each line and reports rejected ones with their line number and every
problem found in them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from content_repo.intake.jsonld import InvalidDocument, parse_json, read_learning_resource, read_lines
from content_repo.intake.records import HarvestedRecord
from importers.errors import TransformError
from importers.http import PoliteClient, Validators
from importers.sources.base import (
    GatherReport,
    ItemRef,
    SourceDefinition,
    TransformContext,
    listing_page,
    parse_timestamp,
)

__all__ = ["FEED_PATH", "SOURCE", "SOURCE_CODE", "gather", "transform"]

SOURCE_CODE = "uchi"
PRODUCTION_ORIGIN = "https://uchi.ru"
# Where the partner publishes the feed when only the site's base URL is configured.
FEED_PATH = "/partner/feed.jsonl"
_CONTENT_TYPE = "application/ld+json; charset=utf-8"


def gather(
    client: PoliteClient | None,
    base_url: str,
    report: GatherReport,
    validators: Validators | None = None,
    **options: Any,
) -> Iterator[ItemRef]:
    """Yield one reference per valid feed line; ``base_url`` is a feed URL, a site root or a file path.

    With ``validators`` of the previous download, an unchanged feed (304) yields nothing and leaves
    the report in the ``UNCHANGED`` state, so the engine keeps every item as it is.
    """
    if base_url.startswith(("http://", "https://")):
        url = base_url.rstrip("/") + FEED_PATH if urlsplit(base_url).path in ("", "/") else base_url
        if client is None:
            raise ValueError("a PoliteClient is needed to read a feed over HTTP")
        result = listing_page(client, report, url, validators=validators)
        if result is None:
            return
        if result.not_modified:
            report.unchanged = True
            report.finish()
            return
        report.feed_validators = result.validators
        yield from _items(url, result.content.splitlines(), report)
    else:
        with Path(base_url).open("rb") as feed:
            yield from _items(base_url, feed, report)
    if report.items == 0 and not report.rejected:
        # An empty answer is a broken export, not a partner who withdrew everything.
        report.listing_failed(base_url, "фид пуст: нет ни одной записи")
    report.finish()


def _read(payload: bytes | str) -> tuple[HarvestedRecord | None, str]:
    """One feed line as a record, or every problem with it as one message."""
    try:
        item = parse_json(payload)
    except InvalidDocument as error:
        return None, str(error)
    record, problems = read_learning_resource(item, source=SOURCE_CODE, provider=SOURCE_CODE)
    return record, "; ".join(f"{problem.field}: {problem.message}" for problem in problems)


def _items(location: str, lines: Iterable[bytes], report: GatherReport) -> Iterator[ItemRef]:
    first_line_of: dict[str, int] = {}
    for line in read_lines(lines):
        record, reason = _read(line.raw)
        if record is None:
            report.reject(location, reason, line=line.number)
            continue
        identifier = record.external_id
        if identifier in first_line_of:
            reason = f"identifier: повторяет строку {first_line_of[identifier]}"
            report.reject(location, reason, line=line.number, external_id=identifier)
            continue
        first_line_of[identifier] = line.number
        report.items += 1
        yield ItemRef(
            external_id=identifier,
            url=record.url,
            context={"feed": location, "line": line.number},
            payload=line.raw,
            content_type=_CONTENT_TYPE,
        )


def transform(payload: bytes | str, context: TransformContext) -> HarvestedRecord:
    """Validate one feed line again (transform is pure and trusts nothing) and map it."""
    record, reason = _read(payload)
    if record is None:
        line = context.listing.get("line")
        where = f"{context.external_id} (line {line})" if line else context.external_id
        field, _, message = reason.partition(": ")
        raise TransformError(SOURCE_CODE, where, field, message)
    return record


def modified_at(ref: ItemRef) -> datetime | None:
    """``dateModified`` of the feed line, for ``harvest --since``."""
    try:
        item = parse_json(ref.payload or b"{}")
    except InvalidDocument:
        return None
    return parse_timestamp(item.get("dateModified"))


SOURCE = SourceDefinition(
    code=SOURCE_CODE,
    production_origin=PRODUCTION_ORIGIN,
    allowed_hosts=frozenset({"uchi.ru"}),
    gather=gather,
    transform=transform,
    modified_at=modified_at,
    conditional_listing=True,
)
