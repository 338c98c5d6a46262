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
from dataclasses import replace
from typing import Any

from content_repo.resources.attachments import attachment_store
from content_repo.resources.codes import CatalogCodes
from content_repo.resources.overlay import OVERLAY_FIELDS

from .items import IntakeItem
from .jsonld import is_learning_resource, read_learning_resource
from .mapping import Mapped, map_record, prepare_values
from .subjects import SubjectMapper
from .validation import LIMITS, FieldProblem, check_required, validate_values

__all__ = ["CATALOG_FIELDS", "EXTERNAL_ID_MAX_LENGTH", "read_document", "values_hash"]

EXTERNAL_ID_MAX_LENGTH = 300
# Fields of the catalog format besides the overlay fields themselves.
CATALOG_FIELDS = frozenset({"external_id", *OVERLAY_FIELDS})
# Fields sent as upload ids and resolved by the file policy rather than taken as values.
_ATTACHED = ("files", "thumbnail")
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
    kept: Mapping[str, Any] | None = None,
) -> Mapped:
    """The item a vendor's document describes (identity ``(source or organization, external_id)``).

    ``external_id`` given by the caller (a PATCH of a known resource) wins over the document's; without
    either, a new identity is made. ``kept`` are values carried over as they are (a PATCH keeps the files and
    cover it does not mention).
    """
    if is_learning_resource(document):
        mapped = _read_jsonld(document, organization, subjects, codes, source, external_id)
        files, thumbnail = document.get("associatedMedia"), _thumbnail_id(document.get("thumbnail"))
        names = ("associatedMedia", "thumbnail")
    else:
        mapped = _read_catalog(document, organization, subjects, codes, source, external_id)
        files, thumbnail = document.get("files"), document.get("thumbnail")
        names = ("files", "thumbnail")
    attached, problems = _attachments(files, thumbnail, names, codes.organizations.get(organization), mapped)
    mapped.problems += problems
    if mapped.item is None or mapped.problems:
        return Mapped(None, mapped.problems, mapped.notes)
    values = dict(mapped.item.values) | dict(kept or {}) | attached
    item = replace(mapped.item, values=values, content_hash=values_hash(values))
    return Mapped(item, [], mapped.notes)


def _read_jsonld(document, organization, subjects, codes, source, external_id) -> Mapped:
    record, problems = read_learning_resource(document, source=source or organization, provider=organization)
    if record is None:
        return Mapped(None, problems + _subject_problems(document, subjects))
    if external_id is not None and record.external_id != external_id:
        return Mapped(None, [FieldProblem("identifier", "идентификатор нельзя изменить")])
    mapped = map_record(record, subjects, codes, strict=True)
    mapped.problems = [FieldProblem(_jsonld_field(problem, document), problem.message) for problem in mapped.problems]
    return mapped


def _subject_problems(document: Mapping[str, Any], subjects: SubjectMapper) -> list[FieldProblem]:
    """The subject checked even when the document is refused for other reasons: every problem at once."""
    alignment = document.get("educationalAlignment")
    if not isinstance(alignment, list):
        return []
    return [
        FieldProblem(
            f"educationalAlignment[{index}].targetName",
            f"неизвестный предмет {entry['targetName']!r}: укажите код или название из /api/v1/curriculum/subjects/",
        )
        for index, entry in enumerate(alignment)
        if isinstance(entry, dict)
        and entry.get("alignmentType") == "educationalSubject"
        and isinstance(entry.get("targetName"), str)
        and not subjects.knows(entry["targetName"])
    ]


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
    values = {name: value for name, value in document.items() if name in OVERLAY_FIELDS and name not in _ATTACHED}
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


def _thumbnail_id(value: Any) -> Any:
    """JSON-LD names the cover upload as ``"thumbnail": {"@type": "ImageObject", "identifier": "<id>"}`` or a string."""
    return value.get("identifier") if isinstance(value, dict) else value


def _attachments(
    files: Any, thumbnail: Any, names: tuple[str, str], organization: Any, mapped: Mapped
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The ``files`` and ``thumbnail`` a vendor sent (upload ids) as values, checked by the file policy.

    Catalog format: ``files: [{"upload": id, "title": …, "role": …}]``, ``thumbnail: id``; JSON-LD:
    ``associatedMedia: [{"@type": "MediaObject", "identifier": id, "name": …, "additionalType": role}]`` and
    ``thumbnail: {"@type": "ImageObject", "identifier": id}``. An id of another organisation, an unfinished
    upload or one of the wrong use is a problem of that entry.
    """
    files_name, thumbnail_name = names
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    if files is not None:
        entries, problems = _file_entries(files, files_name)
        sent = [entry["upload"] for entry in entries if isinstance(entry["upload"], str) and entry["upload"]]
        resolved, refused = attachment_store().resolve_files(organization, sent) if sent else ({}, [])
        problems += [
            FieldProblem(f"{files_name}[{index}].{_ID[files_name]}", problem.message)
            for problem in refused
            for index, entry in enumerate(entries)
            if entry["upload"] == problem.upload_id
        ]
        values["files"] = [
            {"file": resolved[entry["upload"]], "title": entry["title"], "role": entry["role"]}
            for entry in entries
            if entry["upload"] in resolved
        ]
    if thumbnail is not None:
        if not isinstance(thumbnail, str):
            problems.append(FieldProblem(thumbnail_name, "ожидается id загрузки с назначением cover_image"))
        else:
            title = mapped.item.values.get("title", "") if mapped.item else ""
            image_id, problem = attachment_store().resolve_thumbnail(organization, thumbnail, title)
            if problem is not None:
                problems.append(FieldProblem(thumbnail_name, problem.message))
            values["thumbnail"] = image_id
    return values, problems


_ID = {"files": "upload", "associatedMedia": "identifier"}
_ROLE_KEY = {"files": "role", "associatedMedia": "additionalType"}
_TITLE_KEY = {"files": "title", "associatedMedia": "name"}


def _file_entries(files: Any, name: str) -> tuple[list[dict[str, str]], list[FieldProblem]]:
    if not isinstance(files, list) or not all(isinstance(entry, dict) for entry in files):
        return [], [FieldProblem(name, "ожидается список объектов файлов")]
    if len(files) > LIMITS.files:
        return [], [FieldProblem(name, f"{len(files)} файлов, больше предела {LIMITS.files}")]
    entries, problems = [], []
    for index, entry in enumerate(files):
        upload, title, role = entry.get(_ID[name]), entry.get(_TITLE_KEY[name], ""), entry.get(_ROLE_KEY[name], "other")
        if not isinstance(upload, str) or not upload:
            problems.append(FieldProblem(f"{name}[{index}].{_ID[name]}", "нужен id загрузки из POST /api/v1/uploads/"))
        unknown = sorted(set(entry) - {_ID[name], _TITLE_KEY[name], _ROLE_KEY[name], "@type"})
        problems += [FieldProblem(f"{name}[{index}].{key}", "неизвестное поле") for key in unknown]
        entries.append({"upload": upload, "title": title, "role": role})
    checked = [{"file": 1, "title": entry["title"], "role": entry["role"]} for entry in entries]
    problems += [
        FieldProblem(problem.field.replace("files", name, 1).replace(".role", f".{_ROLE_KEY[name]}"), problem.message)
        for problem in validate_values({"files": checked}, None)  # type: ignore[arg-type]  # needs no codes
    ]
    return entries, problems
