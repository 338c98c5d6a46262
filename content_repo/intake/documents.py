"""A vendor's document → an item to load: one reader for the single and the bulk endpoint, both formats.

A document is either JSON-LD (a schema.org ``LearningResource``, recognised by ``@type`` / ``@context``, read
by :mod:`.jsonld`) or the catalog's own field names (``title``, ``subjects``, ``grades``, codes as the read API
shows them). Either way it passes the same mapping and checks as every other door, and every problem is
reported at once, per field. The minimum a vendor must send is the spreadsheet's: title, url, subject,
grades, and a licence or access conditions.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from content_repo.resources.codes import CatalogCodes
from content_repo.resources.overlay import OVERLAY_FIELDS

from .items import IntakeItem
from .jsonld import is_learning_resource, read_learning_resource
from .mapping import Mapped, map_record, prepare_values
from .subjects import SubjectMapper
from .validation import FieldProblem, check_required, validate_values

__all__ = ["CATALOG_FIELDS", "EXTERNAL_ID_MAX_LENGTH", "read_document", "values_hash"]

EXTERNAL_ID_MAX_LENGTH = 300
# Fields of the catalog format besides the overlay fields themselves.
CATALOG_FIELDS = frozenset({"external_id", *OVERLAY_FIELDS})
_CODE_FIELDS = ("resource_type", "interactivity", "language", "license", "access")
# Where a catalog field's problem points in a JSON-LD document.
_JSONLD_NAMES = {
    "title": "name",
    "subjects": "educationalAlignment",
    "subject": "educationalAlignment",
    "grades": "educationalAlignment",
    "topics": "educationalAlignment",
    "alignments": "educationalAlignment",
    "duration": "timeRequired",
    "embed_url": "embedUrl",
    "language": "inLanguage",
    "keywords": "keywords",
    "authors": "author",
    "external_id": "identifier",
}


def values_hash(values: Mapping[str, Any]) -> str:
    canonical = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_document(
    document: Mapping[str, Any],
    *,
    organization: str,
    subjects: SubjectMapper,
    codes: CatalogCodes,
    source: str | None = None,
    external_id: str | None = None,
) -> Mapped:
    """The item a vendor's document describes (identity ``(source or organization, external_id)``).

    ``external_id`` given by the caller (a PATCH of a known resource) wins over the document's; without
    either, a new identity is made.
    """
    if is_learning_resource(document):
        return _read_jsonld(document, organization, subjects, codes, source, external_id)
    return _read_catalog(document, organization, subjects, codes, source, external_id)


def _read_jsonld(document, organization, subjects, codes, source, external_id) -> Mapped:
    record, problems = read_learning_resource(document, source=source or organization, provider=organization)
    if record is None:
        return Mapped(None, problems)
    if external_id is not None and record.external_id != external_id:
        return Mapped(None, [FieldProblem("identifier", "идентификатор нельзя изменить")])
    mapped = map_record(record, subjects, codes, strict=True)
    mapped.problems = [FieldProblem(_jsonld_field(problem, document), problem.message) for problem in mapped.problems]
    return mapped


def _jsonld_field(problem: FieldProblem, document: Mapping[str, Any]) -> str:
    """Where a problem found in the mapped values points in the JSON-LD document it came from."""
    name = problem.field.split("[")[0].split(".")[0]
    alignment = document.get("educationalAlignment") or []
    for index, entry in enumerate(alignment):
        kind, target = entry.get("alignmentType"), str(entry.get("targetName") or entry.get("targetUrl") or "")
        if (name == "subjects" and kind == "educationalSubject") or (
            name == "alignments" and kind == "teaches" and target and target in problem.message
        ):
            return f"educationalAlignment[{index}].targetName"
    return _JSONLD_NAMES.get(name, problem.field)


def _read_catalog(document, organization, subjects, codes, source, external_id) -> Mapped:
    problems = [FieldProblem(name, "неизвестное поле") for name in sorted(set(document) - CATALOG_FIELDS)]
    given_id = document.get("external_id")
    if given_id is not None:
        if not isinstance(given_id, str) or not given_id.strip():
            problems.append(FieldProblem("external_id", "ожидается непустая строка"))
        elif len(given_id) > EXTERNAL_ID_MAX_LENGTH:
            problems.append(FieldProblem("external_id", f"длиннее {EXTERNAL_ID_MAX_LENGTH} символов"))
        elif external_id is not None and given_id != external_id:
            problems.append(FieldProblem("external_id", "идентификатор нельзя изменить"))
    values = {name: value for name, value in document.items() if name in OVERLAY_FIELDS}
    for name in _CODE_FIELDS:
        if name in values and values[name] == "":
            values[name] = None
    if isinstance(values.get("subjects"), list):
        values["subjects"] = [_subject_code(value, subjects, codes) for value in values["subjects"]]
    values = prepare_values(values)
    problems += validate_values(values, codes)
    problems += [p for p in check_required(values) if not any(q.field.startswith(p.field) for q in problems)]
    if problems:
        return Mapped(None, problems)
    item = IntakeItem(
        source=source or organization,
        external_id=external_id or (given_id.strip() if isinstance(given_id, str) else str(uuid.uuid4())),
        source_url=values.get("url") or "",
        content_hash=values_hash(values),
        values=values,
        provider_code=organization,
    )
    return Mapped(item)


def _subject_code(value: Any, subjects: SubjectMapper, codes: CatalogCodes) -> Any:
    """A subject given by its code, or by a name the mapping knows («Английский язык», «ИЗО»)."""
    if not isinstance(value, str) or value in codes.subjects:
        return value
    return subjects.map(value) or value
