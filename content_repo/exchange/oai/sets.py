"""Sets of the provider: by subject, grade, level, provider and source (``subject:math``, ``grade:5``, …).

A record's sets are read from its public document when the provider takes the record in; a family name alone
(``subject``) is the parent of its members, as OAI-PMH's set hierarchy asks, so harvesting ``subject`` gives
every record that has a subject. ListSets names every set the catalog can have, in Russian.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from content_repo.curriculum.models import Grade, Level, Subject
from content_repo.publishers.models import Organization
from content_repo.resources.models import SourceLayer

__all__ = ["FAMILIES", "SET_SPEC", "all_sets", "specs_of"]

FAMILIES = {
    "subject": "Предмет",
    "grade": "Класс",
    "level": "Уровень образования",
    "provider": "Поставщик",
    "source": "Источник записей",
}
# setSpecType of the OAI-PMH schema: unreserved characters, «:» separating the levels of the hierarchy.
SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
MAX_SPEC_LENGTH = 150


def _member(family: str, code: Any) -> str | None:
    spec = f"{family}:{code}"
    return spec if len(spec) <= MAX_SPEC_LENGTH and SET_SPEC.match(spec) else None


def specs_of(document: Mapping[str, Any]) -> list[str]:
    """The sets a published resource (its public document) belongs to, families included, sorted."""
    members = [
        *(_member("subject", subject.get("code")) for subject in document.get("subjects") or []),
        *(_member("grade", grade) for grade in document.get("grades") or []),
        *(_member("level", level) for level in document.get("levels") or []),
        _member("provider", (document.get("provider") or {}).get("code")),
        _member("source", (document.get("source") or {}).get("code")),
    ]
    specs = {spec for spec in members if spec}
    specs |= {spec.split(":", 1)[0] for spec in specs}
    return sorted(specs)


def all_sets() -> Iterator[tuple[str, str]]:
    """Every set with its Russian name: families first, then their members."""
    yield from FAMILIES.items()
    for code, title in Subject.objects.order_by("code").values_list("code", "title"):
        if spec := _member("subject", code):
            yield spec, f"Предмет: {title}"
    for number in Grade.objects.order_by("number").values_list("number", flat=True):
        yield f"grade:{number}", f"{number} класс"
    for code, title in Level.objects.order_by("id").values_list("code", "title"):
        if spec := _member("level", code):
            yield spec, f"Уровень: {title}"
    for code, name in Organization.objects.order_by("code").values_list("code", "name"):
        if spec := _member("provider", code):
            yield spec, f"Поставщик: {name}"
    for code in SourceLayer.objects.order_by("source").values_list("source", flat=True).distinct():
        if spec := _member("source", code):
            yield spec, f"Источник: {code}"
