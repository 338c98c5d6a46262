"""From a normalised record to the catalog's field values: subject, levels, vocabularies, checked.

Every door ends here before the loader: a harvest transforms pages into :class:`HarvestedRecord`, the JSON-LD
reader does the same for feeds and vendors, the spreadsheet for its rows. ``strict`` is the difference
between a source we read and a sender who can fix what it sends: a harvested subject nobody mapped or an
unknown topic code is kept as a note (the source may lag behind the programme) while a vendor or a
spreadsheet gets an error for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from content_repo.curriculum.services import levels_for_grades
from content_repo.resources.codes import CatalogCodes

from .items import IntakeItem
from .records import HarvestedRecord
from .subjects import SubjectMapper
from .validation import FieldProblem, check_required, validate_values

__all__ = ["Mapped", "map_record", "prepare_values"]

_AGE_RANGE = re.compile(r"^\s*(\d{1,2})\s*[-–]\s*(\d{1,2})\s*$")


@dataclass
class Mapped:
    """An item ready to load, or the problems that stop it; ``notes`` are kept but do not stop it."""

    item: IntakeItem | None
    problems: list[FieldProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def prepare_values(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the catalog stores them from outside: levels follow the grades when not given, and
    alignments from outside are suggestions (a methodist confirms them)."""
    values = dict(values)
    if isinstance(values.get("grades"), list) and not values.get("levels"):
        values["levels"] = levels_for_grades(g for g in values["grades"] if isinstance(g, int) and 1 <= g <= 11)
    if isinstance(values.get("alignments"), list):
        values["alignments"] = [
            {"target": a.get("target"), "type": a.get("type", "teaches"), "status": "suggested"}
            if isinstance(a, dict)
            else a
            for a in values["alignments"]
        ]
    return values


def map_record(
    record: HarvestedRecord, subjects: SubjectMapper, codes: CatalogCodes, *, strict: bool = False
) -> Mapped:
    """Turn a record into checked overlay-field values (an :class:`IntakeItem`), or say why not."""
    notes: list[str] = []
    problems: list[FieldProblem] = []
    subject_code = record.subject_code or subjects.map(record.subject_name, record.source)
    if record.subject_name and not subject_code:
        if strict:
            problems.append(
                FieldProblem(
                    "subjects",
                    f"неизвестный предмет {record.subject_name!r}: "
                    "укажите код или название из /api/v1/curriculum/subjects/",
                )
            )
        else:
            notes.append(f"предмет не сопоставлен с программой: {record.subject_name!r}")
    topics = [code for code in record.topics if code in codes.topics]
    for code in record.topics:
        if code not in codes.topics:
            if strict:
                problems.append(FieldProblem("alignments", f"неизвестный код темы программы: {code!r}"))
            else:
                notes.append(f"неизвестный код темы пропущен: {code}")
    age_min, age_max = _age_range(record.typical_age_range)
    values = prepare_values(
        {
            "title": record.title,
            "description": record.description or "",
            "keywords": list(record.keywords),
            "resource_type": record.resource_type,
            "subjects": [subject_code] if subject_code else [],
            "grades": list(record.grades),
            "lesson_number": record.lesson_number,
            "language": record.language,
            "license": record.license,
            "access": record.access,
            "authors": list(record.authors),
            "url": record.url,
            "embed_url": record.embed_url or "",
            "duration": record.duration,
            "typical_age_min": age_min,
            "typical_age_max": age_max,
            "parts": [part.to_dict() for part in record.parts],
            "alignments": [{"target": code, "type": "teaches"} for code in topics],
        }
    )
    problems += validate_values(values, codes)
    if strict:
        problems += [p for p in check_required(values) if not any(q.field == p.field for q in problems)]
    if problems:
        return Mapped(None, problems, notes)
    item = IntakeItem(
        source=record.source,
        external_id=record.external_id,
        source_url=record.url,
        content_hash=record.content_hash(),
        values=values,
        provider_code=record.provider or None,
    )
    return Mapped(item, [], notes)


def _age_range(text: str | None) -> tuple[int | None, int | None]:
    match = _AGE_RANGE.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)
