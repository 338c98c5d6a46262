"""The normalised record that crosses from the transform stage to the load stage.

A :class:`HarvestedRecord` is what every source's ``transform()`` returns. It is frozen and built from
tuples so that a record, once made, cannot drift between the moment its hash is taken and the moment
it is loaded. ``to_dict()`` / ``from_dict()`` give the JSON form used in golden files and in the raw
record table; ``content_hash()`` is what the engine compares to decide «updated» versus «unchanged».
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

__all__ = ["HarvestedRecord", "PartKind", "RecordPart"]


class PartKind(StrEnum):
    """Kinds of the parts a lesson is made of (РЭШ «Начнём урок», «Основная часть», …)."""

    START = "start"
    MAIN = "main"
    SUMMARY = "summary"
    TRAINING = "training"
    CONTROL = "control"
    OTHER = "other"


@dataclass(frozen=True)
class RecordPart:
    """A deep link to one part of a resource; we store the link, never the part's content."""

    kind: PartKind
    title: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "title": self.title, "url": self.url}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordPart:
        return cls(kind=PartKind(data["kind"]), title=str(data["title"]), url=str(data["url"]))


@dataclass(frozen=True)
class HarvestedRecord:
    """One resource as a source describes it, in the catalog's vocabulary.

    ``url`` always uses the production origin of the source (never the host we happened to fetch
    from), so records harvested from a recorded site equal records harvested from the real one.
    Controlled values (``resource_type``, ``license``, ``access``, ``language``) are vocabulary codes
    from ``content_repo/vocabularies/data/vocabularies.json``. ``subject_code`` stays ``None`` in
    transform: mapping a site's subject name to a curriculum code is a separate, reported step
    (see :func:`importers.subjects.map_subject`).
    """

    source: str
    external_id: str
    url: str
    title: str
    resource_type: str
    license: str
    access: str
    provider: str
    description: str | None = None
    keywords: tuple[str, ...] = ()
    subject_name: str | None = None
    subject_code: str | None = None
    grades: tuple[int, ...] = ()
    lesson_number: int | None = None
    authors: tuple[str, ...] = ()
    parts: tuple[RecordPart, ...] = ()
    language: str = "ru"
    embed_url: str | None = None
    duration: str | None = None
    typical_age_range: str | None = None
    topics: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Sorting here, not in every source, keeps equal records equal whatever order a page lists
        # its grades in.
        object.__setattr__(self, "grades", tuple(sorted(set(self.grades))))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (tuples become lists, parts become dicts)."""
        data: dict[str, Any] = {}
        for record_field in fields(self):
            value = getattr(self, record_field.name)
            if record_field.name == "parts":
                value = [part.to_dict() for part in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif record_field.name == "extra":
                value = dict(value)
            data[record_field.name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HarvestedRecord:
        """Rebuild a record from :meth:`to_dict` output; unknown keys raise ``TypeError``."""
        values = dict(data)
        values["parts"] = tuple(RecordPart.from_dict(part) for part in values.get("parts", ()))
        for name in ("keywords", "grades", "authors", "topics"):
            values[name] = tuple(values.get(name, ()))
        values["extra"] = dict(values.get("extra", {}))
        return cls(**values)

    def canonical_json(self) -> str:
        """The record as canonical JSON: sorted keys, no insignificant whitespace, UTF-8 text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def content_hash(self) -> str:
        """A stable SHA-256 hex digest of the record's fields, equal across processes and runs."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()
