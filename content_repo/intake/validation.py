"""Validation of resource field values (plain codes) — the one check every door into the catalog runs.

Values arrive from harvests, vendors (single and bulk, either format) and spreadsheets; they are checked
here against the vocabularies, the curriculum and the limits of the columns they will be stored in, and
*every* problem is reported at once, each naming its field (``grades[1]``, ``parts[2].url``). The same limits
hold for every door, so a value accepted by one is accepted by all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_duration

from content_repo.resources.codes import CatalogCodes
from content_repo.resources.models import Alignment, Resource, ResourceFile, ResourcePart
from content_repo.resources.overlay import OVERLAY_FIELDS

__all__ = [
    "LIMITS",
    "FieldProblem",
    "check_required",
    "problems_as_errors",
    "validate_values",
]

_TERM_FIELDS = {
    "resource_type": "resource_type",
    "interactivity": "interactivity",
    "language": "language",
    "license": "license",
    "access": "access",
}
_M2M_CODES = {"educational_use": "образовательного использования", "subjects": "предмета", "levels": "уровня"}
_TEXT_FIELDS = ("title", "description", "url", "embed_url", "license_terms_url", "rights_holder")
_URL_FIELDS = ("url", "embed_url", "license_terms_url")
_LIST_OF_TEXT = ("keywords", "authors", "accessibility_features")
_INTEGER_RANGES = {"lesson_number": (1, 100_000), "typical_age_min": (0, 99), "typical_age_max": (0, 99)}
_ALIGNMENT_STATUSES = set(Alignment.Status.values)


def _max_length(name: str) -> int | None:
    return getattr(Resource._meta.get_field(name), "max_length", None)


@dataclass(frozen=True)
class Limits:
    """How long a value may be, the same on every door (the columns' lengths where a column has one)."""

    description: int = 20_000
    list_items: int = 100
    list_item_length: int = 300
    duration_text: int = 32
    part_title: int = ResourcePart._meta.get_field("title").max_length or 300
    part_url: int = ResourcePart._meta.get_field("url").max_length or 1000
    files: int = 20

    def text(self, name: str) -> int:
        return self.description if name == "description" else _max_length(name) or self.description


LIMITS = Limits()


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field: ``field`` is a path such as ``grades`` or ``parts[2].url``."""

    field: str
    message: str


def problems_as_errors(problems: Iterable[FieldProblem]) -> dict[str, list[str]]:
    """Problems as ``{field: [messages]}``, the shape of the API's validation errors."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return errors


def validate_values(values: dict[str, Any], codes: CatalogCodes) -> list[FieldProblem]:
    """Check overlay-field values; returns every problem found (empty when the values can be saved)."""
    problems: list[FieldProblem] = []
    for name, value in values.items():
        if name not in OVERLAY_FIELDS:
            problems.append(FieldProblem(name, "неизвестное поле"))
            continue
        problems += _check(name, value, codes)
    if "title" in values and isinstance(values["title"], str) and not values["title"].strip():
        problems.append(FieldProblem("title", "название обязательно"))
    return problems


def check_required(values: dict[str, Any]) -> list[FieldProblem]:
    """The minimum a vendor or a spreadsheet must give: title, url, subject, grades, a licence or access."""
    problems: list[FieldProblem] = []
    for name, message in (
        ("title", "название обязательно"),
        ("url", "адрес ресурса обязателен"),
        ("subjects", "укажите предмет"),
        ("grades", "укажите хотя бы один класс"),
    ):
        if not values.get(name) and not any(p.field == name for p in problems):
            problems.append(FieldProblem(name, message))
    if not values.get("license") and not values.get("access"):
        problems.append(FieldProblem("license", "укажите лицензию или условия доступа"))
    return problems


def _check(name: str, value: Any, codes: CatalogCodes) -> list[FieldProblem]:
    if name in _TEXT_FIELDS:
        return _check_text(name, value, LIMITS.text(name), url=name in _URL_FIELDS)
    if name in _LIST_OF_TEXT:
        return _check_text_list(name, value)
    if name in _INTEGER_RANGES:
        return _check_integer(name, value, *_INTEGER_RANGES[name])
    if name in _TERM_FIELDS:
        return _check_term(name, value, codes.vocabulary(_TERM_FIELDS[name]))
    if name in _M2M_CODES:
        allowed = codes.vocabulary("educational_use") if name == "educational_use" else getattr(codes, name)
        return _check_codes(name, value, allowed, _M2M_CODES[name])
    if name == "grades":
        if not isinstance(value, list):
            return [FieldProblem(name, "ожидается список классов")]
        return [
            FieldProblem(f"{name}[{i}]", f"класс должен быть числом от 1 до 11, получено {grade!r}")
            for i, grade in enumerate(value)
            if not isinstance(grade, int) or isinstance(grade, bool) or grade not in codes.grades
        ]
    if name == "duration":
        return _check_duration(value)
    if name == "parts":
        return _check_parts(value)
    if name == "alignments":
        return _check_alignments(value, codes)
    if name == "files":
        return _check_files(value)
    if name == "thumbnail":
        return _check_integer(name, value, 1, 2**63 - 1)
    return []


def _text_problem(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"длина {len(value)} символов, больше предела {limit}"
    if "\x00" in value:
        return "недопустимый символ NUL (\\u0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "недопустимый символ: одиночный суррогат UTF-16"
    return None


def _check_text(name: str, value: Any, limit: int, *, url: bool = False) -> list[FieldProblem]:
    if value is None or value == "":
        return []
    if not isinstance(value, str):
        return [FieldProblem(name, f"ожидается строка, получено {type(value).__name__}")]
    if problem := _text_problem(value, limit):
        return [FieldProblem(name, problem)]
    if url and not value.lower().startswith(("http://", "https://")):
        return [FieldProblem(name, f"{value[:80]!r} — не абсолютный адрес http(s)")]
    return []


def _check_text_list(name: str, value: Any) -> list[FieldProblem]:
    if not isinstance(value, list):
        return [FieldProblem(name, "ожидается список строк")]
    if len(value) > LIMITS.list_items:
        return [FieldProblem(name, f"{len(value)} элементов, больше предела {LIMITS.list_items}")]
    problems = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            problems.append(FieldProblem(f"{name}[{i}]", "ожидается строка"))
        elif problem := _text_problem(item, LIMITS.list_item_length):
            problems.append(FieldProblem(f"{name}[{i}]", problem))
    return problems


def _check_integer(name: str, value: Any, minimum: int, maximum: int) -> list[FieldProblem]:
    if value is None:
        return []
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        return [FieldProblem(name, f"ожидается целое число от {minimum} до {maximum}, получено {value!r}")]
    return []


def _check_term(name: str, value: Any, allowed: dict[str, Any]) -> list[FieldProblem]:
    if value is None or value == "":
        return []
    if not isinstance(value, str) or value not in allowed:
        return [FieldProblem(name, f"неизвестный код {value!r}; допустимы: {', '.join(sorted(allowed))}")]
    return []


def _check_codes(name: str, values: Any, allowed: dict[str, Any], what: str) -> list[FieldProblem]:
    if not isinstance(values, list):
        return [FieldProblem(name, "ожидается список кодов")]
    return [
        FieldProblem(f"{name}[{i}]", f"неизвестный код {what}: {value!r}")
        for i, value in enumerate(values)
        if not isinstance(value, str) or value not in allowed
    ]


def _check_duration(value: Any) -> list[FieldProblem]:
    if value is None or value == "":
        return []
    example = "ожидается длительность ISO 8601 (например PT45M)"
    if not isinstance(value, str) or len(value) > LIMITS.duration_text:
        return [FieldProblem("duration", f"{example}, получено {str(value)[:40]!r}")]
    try:
        parsed = parse_duration(value)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        return [FieldProblem("duration", f"{example}, получено {value!r}")]
    return []


def _check_parts(parts: Any) -> list[FieldProblem]:
    if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
        return [FieldProblem("parts", "ожидается список частей {kind, title, url}")]
    if len(parts) > LIMITS.list_items:
        return [FieldProblem("parts", f"{len(parts)} частей, больше предела {LIMITS.list_items}")]
    kinds = ResourcePart.Kind.values
    problems = []
    for i, part in enumerate(parts):
        if part.get("kind") not in kinds:
            problems.append(FieldProblem(f"parts[{i}].kind", f"вид части должен быть одним из: {', '.join(kinds)}"))
        problems += _check_text(f"parts[{i}].title", part.get("title"), LIMITS.part_title)
        url = part.get("url")
        if not url:
            problems.append(FieldProblem(f"parts[{i}].url", "нужен адрес http(s)"))
        else:
            problems += _check_text(f"parts[{i}].url", url, LIMITS.part_url, url=True)
    return problems


def _check_alignments(alignments: Any, codes: CatalogCodes) -> list[FieldProblem]:
    if not isinstance(alignments, list) or not all(isinstance(entry, dict) for entry in alignments):
        return [FieldProblem("alignments", "ожидается список привязок {target, type}")]
    if len(alignments) > LIMITS.list_items:
        return [FieldProblem("alignments", f"{len(alignments)} привязок, больше предела {LIMITS.list_items}")]
    problems = []
    for i, alignment in enumerate(alignments):
        target = alignment.get("target")
        if not isinstance(target, str):
            problems.append(FieldProblem(f"alignments[{i}].target", "нужен код темы программы"))
        elif target.startswith("codifier:"):
            if target.removeprefix("codifier:") not in codes.codifier_elements:
                problems.append(FieldProblem(f"alignments[{i}].target", f"неизвестный элемент кодификатора: {target}"))
        elif target not in codes.topics:
            problems.append(
                FieldProblem(f"alignments[{i}].target", f"неизвестный код темы программы: {target[:130]!r}")
            )
        if alignment.get("type", "teaches") not in Alignment.Type.values:
            problems.append(FieldProblem(f"alignments[{i}].type", f"допустимы: {', '.join(Alignment.Type.values)}"))
        if alignment.get("status", "suggested") not in _ALIGNMENT_STATUSES:
            problems.append(FieldProblem(f"alignments[{i}].status", "допустимы: confirmed, suggested"))
    return problems


def _check_files(files: Any) -> list[FieldProblem]:
    if not isinstance(files, list) or not all(isinstance(entry, dict) for entry in files):
        return [FieldProblem("files", "ожидается список файлов {upload, title, role}")]
    if len(files) > LIMITS.files:
        return [FieldProblem("files", f"{len(files)} файлов, больше предела {LIMITS.files}")]
    problems = []
    for i, entry in enumerate(files):
        problems += _check_integer(f"files[{i}].file", entry.get("file"), 1, 2**63 - 1)
        problems += _check_text(f"files[{i}].title", entry.get("title"), LIMITS.part_title)
        if entry.get("role", "other") not in ResourceFile.Role.values:
            problems.append(FieldProblem(f"files[{i}].role", f"допустимы: {', '.join(ResourceFile.Role.values)}"))
    return problems
