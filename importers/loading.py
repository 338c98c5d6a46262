"""From a harvested record to the catalog's field values (the load stage's mapping)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from content_repo.resources.services import SourceRecordValues
from content_repo.resources.validation import FieldProblem, KnownCodes, levels_for_grades, validate_values

from .records import HarvestedRecord

_AGE_RANGE = re.compile(r"^\s*(\d{1,2})\s*[-–]\s*(\d{1,2})\s*$")


@dataclass
class MappedRecord:
    """A record ready to load, or the problems that stop it; `notes` are kept but do not stop it."""

    values: SourceRecordValues | None
    problems: list[FieldProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def map_record(record: HarvestedRecord, subject_code: str | None, known: KnownCodes) -> MappedRecord:
    """Turn a HarvestedRecord into overlay-field values, validated against vocabularies and curriculum.

    Topic codes the curriculum does not know are dropped with a note (a source may lag behind the
    programme) rather than failing the record; everything else unknown fails it with a precise message.
    """
    notes: list[str] = []
    topics = [code for code in record.topics if code in known.topics]
    notes += [f"неизвестный код темы пропущен: {code}" for code in record.topics if code not in known.topics]
    if record.subject_name and not subject_code:
        notes.append(f"предмет источника не сопоставлен с программой: {record.subject_name!r}")
    age_min, age_max = _age_range(record.typical_age_range)
    values = {
        "title": record.title,
        "description": record.description or "",
        "keywords": list(record.keywords),
        "resource_type": record.resource_type,
        "subjects": [subject_code] if subject_code else [],
        "grades": list(record.grades),
        "levels": levels_for_grades(record.grades),
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
        "alignments": [{"target": code, "type": "teaches", "status": "suggested"} for code in topics],
    }
    problems = validate_values(values, known)
    if problems:
        return MappedRecord(None, problems, notes)
    return MappedRecord(
        SourceRecordValues(
            source=record.source,
            external_id=record.external_id,
            source_url=record.url,
            content_hash=record.content_hash(),
            values=values,
            provider_code=record.provider,
        ),
        [],
        notes,
    )


def _age_range(text: str | None) -> tuple[int | None, int | None]:
    match = _AGE_RANGE.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)
