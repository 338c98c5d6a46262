"""МЭШ library (uchebnik.mos.ru): openly licensed materials from the legacy CMS JSON API.

Gather pages ``GET /cms/api/materials?page=N&per_page=M`` until an empty array; each page already
holds whole materials, so the item payload travels with its reference and fetch costs nothing. Only
materials under an open licence are imported (``license_type_id`` 1 and 2, see the site README: the
codes are an assumption to re-check against the live API).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from content_repo.intake.records import HarvestedRecord
from importers.errors import TransformError
from importers.html import normalise_text
from importers.http import PoliteClient
from importers.sources.base import (
    GatherReport,
    ItemRef,
    SourceDefinition,
    TransformContext,
    listing_page,
    parse_timestamp,
)

__all__ = ["OPEN_LICENSES", "PRODUCTION_ORIGIN", "SOURCE", "SOURCE_CODE", "gather", "transform"]

SOURCE_CODE = "mesh"
PRODUCTION_ORIGIN = "https://uchebnik.mos.ru"
PER_PAGE = 20
MAX_PAGES = 10_000
# license_type_id → licence code; other ids (view inside МЭШ only, publisher content, unknown) are closed.
OPEN_LICENSES = {1: "cc-by-4.0", 2: "cc-by-sa-4.0"}
_RESOURCE_TYPES = {
    "lesson_template": "lesson",
    "atomic_object": "interactive_task",
    "test_specification": "test",
    "book": "textbook",
}
# The public API answers anonymous clients that present the demo profile.
_HEADERS = {"Cookie": "profile_type=demo", "Accept": "application/json"}


def gather(
    client: PoliteClient, base_url: str, report: GatherReport, per_page: int = PER_PAGE, **options: Any
) -> Iterator[ItemRef]:
    """Yield every openly licensed material once; closed ones are counted in ``report.out_of_scope``."""
    base = base_url.rstrip("/")
    seen: set[str] = set()
    for page_number in range(1, MAX_PAGES + 1):
        url = f"{base}/cms/api/materials?page={page_number}&per_page={per_page}"
        page = listing_page(client, report, url, headers=_HEADERS)
        if page is None:
            return
        try:
            materials = json.loads(page.content)
        except ValueError as error:
            report.listing_failed(url, f"not JSON: {error}")
            return
        if not isinstance(materials, list):
            report.listing_failed(url, f"expected a JSON array, got {type(materials).__name__}")
            return
        if not materials:
            report.finish()
            return
        for material in materials:
            ref = _material_ref(material, url, report)
            if ref is not None and ref.external_id not in seen:
                seen.add(ref.external_id)
                report.items += 1
                yield ref
    report.listing_failed(base, f"the list did not end within {MAX_PAGES} pages")


def _material_ref(material: Any, page_url: str, report: GatherReport) -> ItemRef | None:
    if not isinstance(material, dict) or "material_type" not in material or "material_id" not in material:
        report.reject(page_url, "a material without material_type and material_id")
        return None
    external_id = f"{material['material_type']}-{material['material_id']}"
    if material.get("license_type_id") not in OPEN_LICENSES:
        report.out_of_scope += 1
        return None
    return ItemRef(
        external_id=external_id,
        url=f"{PRODUCTION_ORIGIN}/material/{external_id}",
        payload=json.dumps(material, ensure_ascii=False, sort_keys=True).encode("utf-8"),
    )


def _require(material: Mapping[str, Any], name: str, kind: type, record: str) -> Any:
    value = material.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TransformError(SOURCE_CODE, record, name, f"expected {kind.__name__}, got {value!r}")
    return value


def transform(payload: bytes | str, context: TransformContext) -> HarvestedRecord:
    """Map one material object to a record."""
    try:
        material = json.loads(payload)
    except ValueError as error:
        raise TransformError(SOURCE_CODE, context.external_id, "payload", f"not JSON: {error}") from error
    if not isinstance(material, dict):
        raise TransformError(SOURCE_CODE, context.external_id, "payload", "not a JSON object")
    record_id = context.external_id
    material_type = _require(material, "material_type", str, record_id)
    material_id = _require(material, "material_id", int, record_id)
    external_id = f"{material_type}-{material_id}"
    license_code = OPEN_LICENSES.get(material.get("license_type_id"))  # type: ignore[arg-type]
    if license_code is None:
        raise TransformError(SOURCE_CODE, external_id, "license_type_id", "not an open licence")
    title = normalise_text(_require(material, "title", str, external_id))
    if not title:
        raise TransformError(SOURCE_CODE, external_id, "title", "is empty")
    return HarvestedRecord(
        source=SOURCE_CODE,
        external_id=external_id,
        url=f"{PRODUCTION_ORIGIN}/material/{external_id}",
        title=title,
        subject_name=_subject(material, external_id),
        grades=_grades(material, external_id),
        authors=_authors(material),
        resource_type=_RESOURCE_TYPES.get(material_type, "other"),
        license=license_code,
        access="free",
        provider=SOURCE_CODE,
        duration=_duration(material.get("time_to_study")),
        extra=_extra(material),
    )


def _subject(material: Mapping[str, Any], record: str) -> str | None:
    subjects = material.get("subjects") or []
    if not isinstance(subjects, list) or not all(isinstance(entry, dict) for entry in subjects):
        raise TransformError(SOURCE_CODE, record, "subjects", "expected a list of {id, name} objects")
    return normalise_text(str(subjects[0].get("name") or "")) or None if subjects else None


def _grades(material: Mapping[str, Any], record: str) -> tuple[int, ...]:
    grades = material.get("class_level_ids") or []
    if not isinstance(grades, list) or not all(isinstance(grade, int) and 1 <= grade <= 11 for grade in grades):
        raise TransformError(SOURCE_CODE, record, "class_level_ids", f"expected grades 1–11, got {grades!r}")
    return tuple(grades)


def _authors(material: Mapping[str, Any]) -> tuple[str, ...]:
    name = material.get("author_name") or material.get("authors")
    return (normalise_text(name),) if isinstance(name, str) and normalise_text(name) else ()


def _duration(minutes: Any) -> str | None:
    return f"PT{minutes}M" if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0 else None


def _extra(material: Mapping[str, Any]) -> dict[str, Any]:
    names = (
        "material_type",
        "material_id",
        "license_type_id",
        "material_category_id",
        "updated_at",
        "version",
    )
    extra = {name: material[name] for name in names if name in material}
    cover = material.get("cover")
    if isinstance(cover, dict) and isinstance(cover.get("preview_url"), str):
        extra["cover_url"] = cover["preview_url"]
    return extra


def modified_at(ref: ItemRef) -> datetime | None:
    """``updated_at`` of the material (the API has no server-side filter, so ``--since`` filters here)."""
    try:
        material = json.loads(ref.payload or b"{}")
    except ValueError:
        return None
    return parse_timestamp(material.get("updated_at")) if isinstance(material, dict) else None


SOURCE = SourceDefinition(
    code=SOURCE_CODE,
    production_origin=PRODUCTION_ORIGIN,
    allowed_hosts=frozenset({"uchebnik.mos.ru"}),
    gather=gather,
    transform=transform,
    modified_at=modified_at,
)
