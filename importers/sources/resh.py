"""РЭШ (resh.edu.ru): lessons harvested by an HTML crawl, metadata and deep links only.

Crawl: home → ``/subject/{id}/`` → grade links → ``POST /subject/{id}/{grade}/ajax?page=N`` (JSON
``{"html": …}`` with ``a.lesson-block`` links, until a page has none) → ``/subject/lesson/{id}/``.
Lesson pages come in a new and an old (pre-redesign) layout; the old one links ``/conspectus/``.
Content is free to view and all rights are reserved, so we never store videos, конспекты or tasks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from content_repo.intake.records import HarvestedRecord, PartKind, RecordPart
from importers.encoding import decode_body
from importers.errors import TransformError
from importers.html import class_xpath, first, parse_document, parse_fragment, text_of
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

__all__ = ["PRODUCTION_ORIGIN", "SOURCE", "SOURCE_CODE", "gather", "transform"]

SOURCE_CODE = "resh"
PRODUCTION_ORIGIN = "https://resh.edu.ru"
# A safety stop for a list that never ends (the site answers 404 past the last page anyway).
MAX_LIST_PAGES = 200

_SUBJECT_PATH = re.compile(r"^/subject/(\d+)/?$")
_LESSON_PATH = re.compile(r"^/subject/lesson/(\d+)/?$")
_PART_PATH = re.compile(r"^/subject/lesson/\d+/(start|main|conspect|train|control|conspectus|training)/")
_DOCX_CONSPECT = re.compile(r"^/uploads/conspects/\d+/[^/]+\.docx$")
_LESSON_NUMBER = re.compile(r"Урок\s+(\d+)")
_TITLE_PREFIX = re.compile(r"^Урок\s+\d+\s*\.\s*")
_GRADE_IN_TITLE = re.compile(r"(\d{1,2})\s+класс")
_GRADE_PATH = re.compile(r"^/subject/\d+/(\d{1,2})/?$")

# The site's part names, in the catalog's part vocabulary.
_PART_KINDS = {
    "start": PartKind.START,
    "main": PartKind.MAIN,
    "conspect": PartKind.SUMMARY,
    "conspectus": PartKind.SUMMARY,
    "train": PartKind.TRAINING,
    "training": PartKind.TRAINING,
    "control": PartKind.CONTROL,
}
_PART_ORDER = [
    PartKind.START,
    PartKind.MAIN,
    PartKind.SUMMARY,
    PartKind.TRAINING,
    PartKind.CONTROL,
    PartKind.OTHER,
]
_AJAX_HEADERS = {"X-Requested-With": "XMLHttpRequest"}


def gather(client: PoliteClient, base_url: str, report: GatherReport, **options: Any) -> Iterator[ItemRef]:
    """Yield every lesson of every subject and grade once, in site order."""
    base = base_url.rstrip("/")
    home = listing_page(client, report, base + "/")
    if home is None:
        return
    seen: set[str] = set()
    for subject_id in _links_matching(parse_document(home.text), home.final_url, _SUBJECT_PATH):
        subject_url = f"{base}/subject/{subject_id}/"
        page = listing_page(client, report, subject_url)
        if page is None:
            continue
        document = parse_document(page.text)
        subject_name = text_of(first(document, f"//h1[{class_xpath('content-title')}]"))
        grade_path = re.compile(rf"^/subject/{subject_id}/(\d{{1,2}})/?$")
        for grade in _links_matching(document, page.final_url, grade_path):
            listing = {"subject_id": subject_id, "subject_name": subject_name, "grade": int(grade)}
            yield from _gather_grade(client, report, base, listing, seen)
    report.finish()


def _links_matching(document: lxml.html.HtmlElement, page_url: str, pattern: re.Pattern[str]) -> list[str]:
    """First groups of on-site links matching ``pattern``, deduplicated in page order."""
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
    list_url = f"{base}/subject/{listing['subject_id']}/{listing['grade']}/ajax"
    for page_number in range(1, MAX_LIST_PAGES + 1):
        page_url = f"{list_url}?page={page_number}"
        page = listing_page(client, report, page_url, form={}, headers=_AJAX_HEADERS)
        if page is None:
            return
        try:
            fragment = parse_fragment(str(json.loads(page.text).get("html") or ""))
        except (ValueError, AttributeError) as error:
            report.listing_failed(page_url, f"not a JSON object with an 'html' string: {error}")
            return
        blocks = fragment.xpath(f".//a[{class_xpath('lesson-block')}]")
        if not blocks:
            return
        for block in blocks:
            ref = _lesson_ref(block, page.final_url, base, listing)
            if ref is not None and ref.external_id not in seen:
                seen.add(ref.external_id)
                report.items += 1
                yield ref
    report.listing_failed(list_url, f"the list did not end within {MAX_LIST_PAGES} pages")


def _lesson_ref(block: lxml.html.HtmlElement, page_url: str, base: str, listing: dict[str, Any]) -> ItemRef | None:
    path = site_path(block.get("href", ""), page_url)
    match = _LESSON_PATH.match(path) if path else None
    if match is None:
        return None
    lesson_id = match.group(1)
    number = _LESSON_NUMBER.search(text_of(block))
    context = {**listing, "lesson_number": int(number.group(1)) if number else None}
    return ItemRef(external_id=lesson_id, url=f"{base}/subject/lesson/{lesson_id}/", context=context)


@dataclass
class _LessonPage:
    layout: str
    title: str = ""
    subject_name: str = ""
    grade: int | None = None
    lesson_number: int | None = None
    authors: list[str] = field(default_factory=list)
    parts: list[RecordPart] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def transform(payload: bytes | str, context: TransformContext) -> HarvestedRecord:
    """Build the record of one lesson page (either layout)."""
    text = payload if isinstance(payload, str) else decode_body(payload, context.content_type)[0]
    final_path = urlsplit(context.final_url).path
    match = _LESSON_PATH.match(final_path)
    if match is None:
        raise TransformError(SOURCE_CODE, context.external_id, "url", f"{final_path!r} is not a lesson URL")
    lesson_id = match.group(1)
    try:
        document = parse_document(text)
    except ValueError as error:
        raise TransformError(SOURCE_CODE, lesson_id, "payload", str(error)) from error
    page = _old_layout(document, lesson_id) if "/conspectus/" in text else _new_layout(document, lesson_id)
    title = _TITLE_PREFIX.sub("", page.title)
    if not title:
        raise TransformError(SOURCE_CODE, lesson_id, "title", f"no lesson title in the {page.layout} layout")
    listing = context.listing
    grade = page.grade or listing.get("grade")
    return HarvestedRecord(
        source=SOURCE_CODE,
        external_id=lesson_id,
        url=f"{PRODUCTION_ORIGIN}/subject/lesson/{lesson_id}/",
        title=title,
        subject_name=page.subject_name or listing.get("subject_name") or None,
        grades=(int(grade),) if grade else (),
        lesson_number=page.lesson_number or listing.get("lesson_number"),
        authors=tuple(page.authors),
        parts=tuple(sorted(page.parts, key=lambda part: _PART_ORDER.index(part.kind))),
        resource_type="lesson",
        license="all-rights-reserved-free-view",
        access="free",
        provider=SOURCE_CODE,
        extra=_extra(page, listing),
    )


def _extra(page: _LessonPage, listing: Mapping[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"layout": page.layout, **page.extra}
    if "subject_id" in listing:
        extra["subject_id"] = listing["subject_id"]
    return extra


def _number(text: str) -> int | None:
    match = _LESSON_NUMBER.search(text)
    return int(match.group(1)) if match else None


def _part(anchor: lxml.html.HtmlElement, lesson_id: str) -> RecordPart | None:
    path = urlsplit(anchor.get("href", "")).path
    match = _PART_PATH.match(path)
    if match and path.startswith(f"/subject/lesson/{lesson_id}/"):
        kind = _PART_KINDS[match.group(1)]
    elif _DOCX_CONSPECT.match(path):
        kind = PartKind.SUMMARY
    else:
        return None
    return RecordPart(kind=kind, title=text_of(anchor), url=production_url(PRODUCTION_ORIGIN, path))


def _new_layout(document: lxml.html.HtmlElement, lesson_id: str) -> _LessonPage:
    page = _LessonPage(layout="new")
    page.title = text_of(first(document, f"//*[{class_xpath('lesson-title__item')}]//h1"))
    page.lesson_number = _number(text_of(first(document, f"//*[{class_xpath('lesson-title__number')}]")))
    page.subject_name = text_of(first(document, f"//ul[{class_xpath('breadcrumbs')}]/li[3]/a"))
    grades = _GRADE_IN_TITLE.findall(text_of(first(document, "//title")))
    page.grade = int(grades[-1]) if grades else None
    for anchor in document.xpath(f"//*[{class_xpath('main-header__content-nav-list')}]/a"):
        part = _part(anchor, lesson_id)
        if part is not None:
            page.parts.append(part)
    image = first(document, "//img[contains(@src, '/uploads/lesson_extract/')]")
    if image is not None:
        page.extra["image_url"] = production_url(PRODUCTION_ORIGIN, urlsplit(image.get("src", "")).path)
    return page


def _old_layout(document: lxml.html.HtmlElement, lesson_id: str) -> _LessonPage:
    page = _LessonPage(layout="old")
    subject_link = first(document, f"//h1[{class_xpath('content-title')}]/a")
    page.subject_name = text_of(subject_link)
    grade = _GRADE_PATH.match(urlsplit(subject_link.get("href", "")).path) if subject_link is not None else None
    page.grade = int(grade.group(1)) if grade else None
    page.title = text_of(first(document, f"//*[{class_xpath('lesson-content')}]/h2"))
    page.lesson_number = _number(text_of(first(document, f"//div[{class_xpath('lesson-video-slide')}]/p")))
    page.authors = [
        name for name in (text_of(a) for a in document.xpath(f"//a[{class_xpath('lesson-video__teacher')}]")) if name
    ]
    for anchor in document.xpath("//a[@href]"):
        part = _part(anchor, lesson_id)
        if part is not None and part.kind in (PartKind.SUMMARY, PartKind.TRAINING):
            page.parts.append(part)
    video = first(document, "//*[@data-src][contains(@data-src, '.m3u8')]")
    if video is not None:
        page.extra["video_url"] = video.get("data-src")
    return page


SOURCE = SourceDefinition(
    code=SOURCE_CODE,
    production_origin=PRODUCTION_ORIGIN,
    allowed_hosts=frozenset({"resh.edu.ru"}),
    gather=gather,
    transform=transform,
)
