"""ЯКласс (www.yaklass.ru): topics of the public ``/p/`` catalog, titles and links only.

Crawl: ``/p/`` → ``/p/{subject}`` → ``/p/{subject}/{N}-klass?YklShowAll=1`` (the expanded list:
sections with their topics) → topic pages. Ids come from the URL (research regex); titles always
come from the page, never from slugs, which the site truncates. The content is commercial: tasks need
a ЯКласс+ subscription, and we store no theory text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from content_repo.intake.records import HarvestedRecord
from importers.encoding import decode_body
from importers.errors import TransformError
from importers.html import class_xpath, first, parse_document, text_of
from importers.http import PoliteClient
from importers.sources.base import (
    GatherReport,
    ItemRef,
    SourceDefinition,
    TransformContext,
    listing_page,
    production_url,
    site_path,
)

__all__ = ["PRODUCTION_ORIGIN", "SOURCE", "SOURCE_CODE", "gather", "grades_of_segment", "transform"]

SOURCE_CODE = "yaklass"
PRODUCTION_ORIGIN = "https://www.yaklass.ru"

TOPIC_PATH = re.compile(
    r"^/p/(?P<subject>[a-z-]+)/(?P<grade>\d+)-klass/(?P<section>.+)-(?P<section_id>\d+)"
    r"/(?P<topic>.+)-(?P<topic_id>\d+)(?:/re-(?P<guid>[0-9a-f-]{36}))?$"
)
_SUBJECT_PATH = re.compile(r"^/p/([a-z-]+)/?$")
_SECTION_ID = re.compile(r"-(\d+)/?$")


def grades_of_segment(segment: str) -> tuple[int, ...]:
    """Grades of a grade segment: ``7`` → (7,), ``10`` → (10,), ``1011`` → (10, 11), ``89`` → (8, 9)."""
    number = int(segment)
    if 1 <= number <= 11:
        return (number,)
    if segment == "1011":
        return (10, 11)
    grades = tuple(int(digit) for digit in segment)
    if any(grade == 0 for grade in grades):
        raise ValueError(f"grade segment {segment!r} is not a grade or a bucket of grades")
    return grades


def gather(client: PoliteClient, base_url: str, report: GatherReport, **options: Any) -> Iterator[ItemRef]:
    """Yield every topic of every subject and grade once, in catalog order."""
    base = base_url.rstrip("/")
    index = listing_page(client, report, f"{base}/p/")
    if index is None:
        return
    seen: set[str] = set()
    for slug in _links_matching(parse_document(index.text), index.final_url, _SUBJECT_PATH):
        subject_page = listing_page(client, report, f"{base}/p/{slug}")
        if subject_page is None:
            continue
        document = parse_document(subject_page.text)
        subject_name = text_of(first(document, "//h1"))
        grade_path = re.compile(rf"^/p/{re.escape(slug)}/(\d+)-klass/?$")
        for segment in _links_matching(document, subject_page.final_url, grade_path):
            listing = {"subject_slug": slug, "subject_name": subject_name, "grade_segment": segment}
            yield from _gather_grade(client, report, base, listing, seen)
    report.finish()


def _links_matching(document: lxml.html.HtmlElement, page_url: str, pattern: re.Pattern[str]) -> list[str]:
    found: dict[str, None] = {}
    for href in document.xpath("//a/@href"):
        path = site_path(str(href), page_url)
        match = pattern.match(path) if path else None
        if match:
            found.setdefault(match.group(1))
    return list(found)


def _gather_grade(
    client: PoliteClient, report: GatherReport, base: str, listing: dict[str, Any], seen: set[str]
) -> Iterator[ItemRef]:
    # Without YklShowAll the page shows two topics per section only.
    url = f"{base}/p/{listing['subject_slug']}/{listing['grade_segment']}-klass?YklShowAll=1"
    page = listing_page(client, report, url)
    if page is None:
        return
    document = parse_document(page.text)
    for section in document.xpath(f"//section[{class_xpath('topic-tree__section')}]"):
        heading = first(section, "./h2//a")
        section_id = _SECTION_ID.search(urlsplit(heading.get("href", "")).path) if heading is not None else None
        section_context = {
            "section": text_of(heading) or None,
            "section_id": section_id.group(1) if section_id else None,
        }
        for anchor in section.xpath(f".//li[{class_xpath('topic-tree__topic')}]/a"):
            path = (site_path(anchor.get("href", ""), page.final_url) or "").rstrip("/")
            match = TOPIC_PATH.match(path)
            if match is None or match.group("guid") or match.group("topic_id") in seen:
                continue
            seen.add(match.group("topic_id"))
            report.items += 1
            context = {**listing, **section_context, "listing_title": text_of(anchor)}
            yield ItemRef(external_id=match.group("topic_id"), url=base + path, context=context)


def transform(payload: bytes | str, context: TransformContext) -> HarvestedRecord:
    """Build the record of one topic page; ids, grades and URL come from the final URL."""
    text = payload if isinstance(payload, str) else decode_body(payload, context.content_type)[0]
    final_path = urlsplit(context.final_url).path.rstrip("/")
    match = TOPIC_PATH.match(final_path)
    if match is None or match.group("guid"):
        raise TransformError(SOURCE_CODE, context.external_id, "url", f"{final_path!r} is not a topic URL")
    topic_id = match.group("topic_id")
    try:
        document = parse_document(text)
        grades = grades_of_segment(match.group("grade"))
    except ValueError as error:
        raise TransformError(SOURCE_CODE, topic_id, "payload", str(error)) from error
    title = text_of(first(document, "//h1"))
    if not title:
        raise TransformError(SOURCE_CODE, topic_id, "title", "the topic page has no <h1>")
    crumbs = [text_of(item) for item in document.xpath(f"//ol[{class_xpath('breadcrumb')}]/li")]
    listing = context.listing
    return HarvestedRecord(
        source=SOURCE_CODE,
        external_id=topic_id,
        url=production_url(PRODUCTION_ORIGIN, final_path),
        title=title,
        subject_name=(crumbs[1] if len(crumbs) > 1 else None) or listing.get("subject_name") or None,
        grades=grades,
        resource_type="theory",
        license="commercial",
        access="subscription",
        provider=SOURCE_CODE,
        extra={
            "subject_slug": match.group("subject"),
            "grade_segment": match.group("grade"),
            "section": (crumbs[3] if len(crumbs) > 3 else None) or listing.get("section"),
            "section_id": match.group("section_id"),
            "theory": _theory_links(document, context.final_url, topic_id),
        },
    )


def _theory_links(document: lxml.html.HtmlElement, page_url: str, topic_id: str) -> list[str]:
    """Absolute production URLs of the topic's theory pages, in page order, each once."""
    found: dict[str, None] = {}
    for href in document.xpath("//a/@href"):
        path = (site_path(str(href), page_url) or "").rstrip("/")
        match = TOPIC_PATH.match(path)
        if match and match.group("guid") and match.group("topic_id") == topic_id:
            found.setdefault(production_url(PRODUCTION_ORIGIN, path))
    return list(found)


SOURCE = SourceDefinition(
    code=SOURCE_CODE,
    production_origin=PRODUCTION_ORIGIN,
    allowed_hosts=frozenset({"www.yaklass.ru", "yaklass.ru"}),
    gather=gather,
    transform=transform,
)
