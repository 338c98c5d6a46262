"""Validation of resource field values (as plain codes) against the vocabularies and the curriculum.

Every path that writes a resource from outside — importers, the vendor API, the bulk feed — checks values
here first, so an unknown subject, grade, licence or topic is named precisely instead of failing later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_duration

from content_repo.curriculum.models import CodifierElement, Grade, Level, Subject, Topic
from content_repo.vocabularies.models import Term

from .models import ResourcePart
from .overlay import OVERLAY_FIELDS

_TERM_FIELDS = {
    "resource_type": "resource_type",
    "interactivity": "interactivity",
    "language": "language",
    "license": "license",
    "access": "access",
}
_ALIGNMENT_TYPES = {"teaches", "assesses", "requires"}
_ALIGNMENT_STATUSES = {"confirmed", "suggested"}


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field: `field` is a path such as `grades` or `parts[2].url`."""

    field: str
    message: str


class KnownCodes:
    """The codes of the vocabularies and the curriculum, read once (for a whole batch)."""

    def __init__(self) -> None:
        self.terms: dict[str, set[str]] = {}
        for vocabulary, code in Term.objects.values_list("vocabulary", "code"):
            self.terms.setdefault(vocabulary, set()).add(code)
        self.subjects = set(Subject.objects.values_list("code", flat=True))
        self.grades = set(Grade.objects.values_list("number", flat=True))
        self.levels = set(Level.objects.values_list("code", flat=True))
        self._topics: set[str] | None = None
        self._codifier: set[str] | None = None

    @property
    def topics(self) -> set[str]:
        if self._topics is None:
            self._topics = set(Topic.objects.values_list("code", flat=True))
        return self._topics

    @property
    def codifier_elements(self) -> set[str]:
        if self._codifier is None:
            self._codifier = set(CodifierElement.objects.values_list("code", flat=True))
        return self._codifier


def validate_values(values: dict[str, Any], known: KnownCodes | None = None) -> list[FieldProblem]:
    """Check overlay-field values; returns every problem found (empty when the values can be saved)."""
    known = known or KnownCodes()
    problems: list[FieldProblem] = []
    for name, value in values.items():
        if name not in OVERLAY_FIELDS:
            problems.append(FieldProblem(name, "неизвестное поле"))
            continue
        problems += _check(name, value, known)
    if not (values.get("title") or "").strip() and "title" in values:
        problems.append(FieldProblem("title", "название обязательно"))
    return problems


def _check(name: str, value: Any, known: KnownCodes) -> list[FieldProblem]:
    if name in _TERM_FIELDS:
        if value and value not in known.terms.get(_TERM_FIELDS[name], set()):
            options = ", ".join(sorted(known.terms.get(_TERM_FIELDS[name], set())))
            return [FieldProblem(name, f"неизвестный код {value!r}; допустимы: {options}")]
        return []
    if name == "educational_use":
        return _unknown(name, value, known.terms.get("educational_use", set()))
    if name == "subjects":
        return _unknown(name, value, known.subjects, "предмета")
    if name == "levels":
        return _unknown(name, value, known.levels, "уровня")
    if name == "grades":
        return [
            FieldProblem(f"{name}[{i}]", f"класс должен быть числом от 1 до 11, получено {grade!r}")
            for i, grade in enumerate(value or [])
            if not isinstance(grade, int) or grade not in known.grades
        ]
    if name == "duration" and value and parse_duration(value) is None:
        return [FieldProblem(name, f"ожидается длительность ISO 8601 (например PT45M), получено {value!r}")]
    if name == "parts":
        return _check_parts(value or [])
    if name == "alignments":
        return _check_alignments(value or [], known)
    return []


def _unknown(name: str, values: Iterable[Any], allowed: set[str], what: str = "") -> list[FieldProblem]:
    label = f"неизвестный код {what}".strip()
    return [
        FieldProblem(f"{name}[{i}]", f"{label}: {value!r}")
        for i, value in enumerate(values or [])
        if value not in allowed
    ]


def _check_parts(parts: list[dict[str, Any]]) -> list[FieldProblem]:
    kinds = set(ResourcePart.Kind.values)
    problems = []
    for i, part in enumerate(parts):
        if part.get("kind") not in kinds:
            problems.append(FieldProblem(f"parts[{i}].kind", f"вид части должен быть одним из: {', '.join(kinds)}"))
        if not str(part.get("url", "")).startswith(("http://", "https://")):
            problems.append(FieldProblem(f"parts[{i}].url", "нужен адрес http(s)"))
    return problems


def _check_alignments(alignments: list[dict[str, Any]], known: KnownCodes) -> list[FieldProblem]:
    problems = []
    for i, alignment in enumerate(alignments):
        target = str(alignment.get("target", ""))
        if target.startswith("codifier:"):
            if target.removeprefix("codifier:") not in known.codifier_elements:
                problems.append(FieldProblem(f"alignments[{i}].target", f"неизвестный элемент кодификатора: {target}"))
        elif target not in known.topics:
            problems.append(FieldProblem(f"alignments[{i}].target", f"неизвестный код темы программы: {target!r}"))
        if alignment.get("type", "teaches") not in _ALIGNMENT_TYPES:
            problems.append(FieldProblem(f"alignments[{i}].type", "допустимы: teaches, assesses, requires"))
        if alignment.get("status", "suggested") not in _ALIGNMENT_STATUSES:
            problems.append(FieldProblem(f"alignments[{i}].status", "допустимы: confirmed, suggested"))
    return problems


def levels_for_grades(grades: Iterable[int]) -> list[str]:
    """НОО for grades 1–4, ООО for 5–9, СОО for 10–11."""
    levels = set()
    for grade in grades:
        levels.add("NOO" if grade <= 4 else "OOO" if grade <= 9 else "SOO")
    return sorted(levels)
