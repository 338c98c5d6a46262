"""The editorial overlay: which value of a field wins, the source's or the methodist's.

Each overlayable field has an adapter that reads the field off a Resource as plain JSON (codes, not objects)
and writes such a value back. The source layer stores those plain values; `overlaid_fields` on the Resource
names the fields a methodist changed. A harvest applies the source's value only to fields nobody overlaid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_duration

from .codes import CatalogCodes
from .durations import iso_duration
from .models import Alignment, Resource, ResourceFile, ResourcePart

# Writes a value onto a resource, resolving codes through a CatalogCodes read once by the caller.
Setter = Callable[[Resource, Any, CatalogCodes], None]


@dataclass(frozen=True)
class FieldAdapter:
    """Reads a field as JSON-able data and writes such data back onto an (unsaved) Resource cluster."""

    name: str
    label: str
    get: Callable[[Resource], Any]
    write: Setter
    # Brings a source value into the form `get` returns, so the two compare equal when they mean the same.
    normalise: Callable[[Any], Any] = lambda value: value

    def set(self, resource: Resource, value: Any, codes: CatalogCodes | None = None) -> None:
        """Write ``value``; without ``codes`` the code tables are read for this one call."""
        self.write(resource, value, codes or CatalogCodes())


def _scalar(name: str, label: str) -> FieldAdapter:
    return FieldAdapter(name, label, lambda r: getattr(r, name), lambda r, v, codes: setattr(r, name, v))


def _term(name: str, label: str, vocabulary: str) -> FieldAdapter:
    def get(resource: Resource) -> str | None:
        value = getattr(resource, name)
        return value.code if value else None

    def write(resource: Resource, code: str | None, codes: CatalogCodes) -> None:
        setattr(resource, name, codes.term(vocabulary, code))

    return FieldAdapter(name, label, get, write)


def _m2m(name: str, label: str, key: str) -> FieldAdapter:
    def get(resource: Resource) -> list[Any]:
        return sorted(getattr(obj, key) for obj in getattr(resource, name).all())

    def write(resource: Resource, values: list[Any], codes: CatalogCodes) -> None:
        getattr(resource, name).set(codes.rows(name, sorted(set(values or []))))

    return FieldAdapter(name, label, get, write, normalise=lambda values: sorted(set(values or [])))


def _get_duration(resource: Resource) -> str | None:
    return iso_duration(resource.duration) if resource.duration else None


def _set_duration(resource: Resource, value: str | None, codes: CatalogCodes) -> None:
    resource.duration = parse_duration(value) if value else None


def _normalise_duration(value: str | None) -> str | None:
    parsed = parse_duration(value) if value else None
    return iso_duration(parsed) if parsed else None


def _get_parts(resource: Resource) -> list[dict[str, str]]:
    return [{"kind": p.kind, "title": p.title, "url": p.url} for p in resource.parts.all()]


def _set_parts(resource: Resource, parts: list[dict[str, str]], codes: CatalogCodes) -> None:
    resource.parts = [  # type: ignore[assignment]  # modelcluster accepts a list of children
        ResourcePart(kind=p["kind"], title=p.get("title", ""), url=p["url"], sort_order=i)
        for i, p in enumerate(parts or [])
    ]


def _get_alignments(resource: Resource) -> list[dict[str, str]]:
    """The alignments a source or an editor gave; the engine's suggestions are not the field's value.

    Suggestions are kept up to date by the alignment service (content_repo/alignment/services.py) and never
    compared with what a source says, so a re-harvest neither wipes them nor counts them as an editor's change.
    """
    return [
        {
            "target": a.topic.code if a.topic else f"codifier:{a.codifier_element.code}",  # type: ignore[union-attr]
            "type": a.alignment_type,
            "status": a.status,
        }
        for a in resource.alignments.all()
        if not a.is_engine_suggestion
    ]


def _set_alignments(resource: Resource, alignments: list[dict[str, str]], codes: CatalogCodes) -> None:
    """Write the given alignments; the engine's suggestions for other targets stay (see ``_get_alignments``)."""
    children = []
    for i, spec in enumerate(alignments or []):
        target = spec["target"]
        alignment = Alignment(alignment_type=spec.get("type", "teaches"), status=spec.get("status", "suggested"))
        if target.startswith("codifier:"):
            alignment.codifier_element_id = codes.codifier_elements[target.removeprefix("codifier:")]
        else:
            alignment.topic_id = codes.topics[target]
        alignment.sort_order = i
        children.append(alignment)
    targets = {alignment.target_key for alignment in children}
    suggestions = [a for a in resource.alignments.all() if a.is_engine_suggestion and a.target_key not in targets]
    resource.alignments = children + suggestions  # type: ignore[assignment]


def _get_files(resource: Resource) -> list[dict[str, Any]]:
    return [{"file": f.file_id, "title": f.title, "role": f.role} for f in resource.files.all()]


def _set_files(resource: Resource, files: list[dict[str, Any]], codes: CatalogCodes) -> None:
    resource.files = [  # type: ignore[assignment]  # modelcluster accepts a list of children
        ResourceFile(file_id=f["file"], title=f.get("title", ""), role=f.get("role", "other"), sort_order=i)
        for i, f in enumerate(files or [])
    ]


def _set_thumbnail(resource: Resource, image_id: int | None, codes: CatalogCodes) -> None:
    resource.thumbnail_id = image_id


OVERLAY_FIELDS: dict[str, FieldAdapter] = {
    adapter.name: adapter
    for adapter in [
        _scalar("title", "название"),
        _scalar("description", "описание"),
        _scalar("keywords", "ключевые слова"),
        _term("resource_type", "тип ресурса", "resource_type"),
        _m2m("educational_use", "образовательное использование", "code"),
        _term("interactivity", "интерактивность", "interactivity"),
        _m2m("subjects", "предметы", "code"),
        _m2m("grades", "классы", "number"),
        _m2m("levels", "уровни", "code"),
        _scalar("lesson_number", "номер урока"),
        _term("language", "язык", "language"),
        _term("license", "лицензия", "license"),
        _scalar("license_terms_url", "условия лицензии"),
        _term("access", "условия доступа", "access"),
        _scalar("rights_holder", "правообладатель"),
        _scalar("authors", "авторы"),
        _scalar("url", "адрес у поставщика"),
        _scalar("embed_url", "адрес для встраивания"),
        FieldAdapter("duration", "продолжительность", _get_duration, _set_duration, _normalise_duration),
        _scalar("typical_age_min", "возраст от"),
        _scalar("typical_age_max", "возраст до"),
        _scalar("accessibility_features", "особенности доступности"),
        FieldAdapter("parts", "части урока", _get_parts, _set_parts),
        FieldAdapter("alignments", "привязки к программе", _get_alignments, _set_alignments),
        FieldAdapter("files", "файлы", _get_files, _set_files),
        FieldAdapter("thumbnail", "обложка", lambda resource: resource.thumbnail_id, _set_thumbnail),
    ]
}


def read_fields(resource: Resource, names: list[str] | None = None) -> dict[str, Any]:
    """The current values of overlayable fields as plain JSON-able data."""
    return {name: OVERLAY_FIELDS[name].get(resource) for name in names or OVERLAY_FIELDS}


def apply_source_values(resource: Resource, values: dict[str, Any], codes: CatalogCodes | None = None) -> list[str]:
    """Write source values onto the resource for every field nobody overlaid; returns the fields changed."""
    changed = []
    overlaid = set(resource.overlaid_fields or [])
    for name, value in values.items():
        adapter = OVERLAY_FIELDS[name]
        if name in overlaid:
            continue
        if adapter.get(resource) != adapter.normalise(value):
            codes = codes or CatalogCodes()
            adapter.set(resource, value, codes)
            changed.append(name)
    return changed


def write_new(resource: Resource, values: dict[str, Any], codes: CatalogCodes) -> None:
    """Write source values onto a resource made just now (nothing to compare with, nothing overlaid)."""
    for name, value in values.items():
        OVERLAY_FIELDS[name].write(resource, value, codes)


def mark_overlaid(resource: Resource, source_values: dict[str, Any], changed_fields: list[str]) -> None:
    """Record the fields an editor changed: overlaid when they now differ from the source, else released."""
    overlaid = set(resource.overlaid_fields or [])
    for name in changed_fields:
        if name not in OVERLAY_FIELDS:
            continue
        if name in source_values and OVERLAY_FIELDS[name].get(resource) == OVERLAY_FIELDS[name].normalise(
            source_values[name]
        ):
            overlaid.discard(name)
        elif source_values or name in overlaid:
            overlaid.add(name)
    resource.overlaid_fields = sorted(overlaid)


def field_origins(resource: Resource, source_values: dict[str, Any]) -> list[dict[str, Any]]:
    """Per field: its current value, the source's value and where the current value comes from."""
    overlaid = set(resource.overlaid_fields or [])
    rows = []
    for name, adapter in OVERLAY_FIELDS.items():
        current = adapter.get(resource)
        if name in overlaid:
            origin = "methodist"
        elif name in source_values:
            origin = "source"
        else:
            origin = "editor" if current not in (None, "", [], {}) else "empty"
        rows.append(
            {
                "name": name,
                "label": adapter.label,
                "current": current,
                "source": source_values.get(name),
                "origin": origin,
            }
        )
    return rows
