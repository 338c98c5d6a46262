"""Loading the curriculum dataset idempotently.

The dataset (`data/curriculum.json`, copied from the official ФРП 2025 programmes with `source` notes kept per
node) is matched to the database by stable codes: a node whose fields are unchanged is not written, a changed
title updates the node in place (its primary key and URI stay), new nodes are created. Nothing is deleted: a
node that disappears from a later edition may still be referenced by resources' alignments.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models, transaction

from .codes import codifier_element_code
from .models import CodifierElement, Framework, Grade, Level, Subject, Topic

DEFAULT_DATASET = Path(__file__).resolve().parent / "data" / "curriculum.json"

LEVELS = [
    ("NOO", "Начальное общее образование", "НОО", [1, 2, 3, 4]),
    ("OOO", "Основное общее образование", "ООО", [5, 6, 7, 8, 9]),
    ("SOO", "Среднее общее образование", "СОО", [10, 11]),
]


@dataclass
class LoadReport:
    """What one load changed, per model: created, updated and unchanged counts."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, model: str, outcome: str, n: int = 1) -> None:
        per_model = self.counts.setdefault(model, {"created": 0, "updated": 0, "unchanged": 0})
        per_model[outcome] += n

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())

    def summary(self) -> str:
        parts = [f"{model}: +{c['created']} ~{c['updated']} ={c['unchanged']}" for model, c in self.counts.items()]
        return "; ".join(parts)


class _Upserter:
    """Upserts rows of one model keyed by a unique field, writing only rows whose values changed."""

    def __init__(self, model: type[models.Model], key: str, report: LoadReport, label: str) -> None:
        self.model, self.key, self.report, self.label = model, key, report, label
        self.existing = {getattr(obj, key): obj for obj in model._default_manager.all()}

    def upsert(self, key_value: Any, values: dict[str, Any]) -> models.Model:
        obj = self.existing.get(key_value)
        if obj is None:
            obj = self.model._default_manager.create(**{self.key: key_value}, **values)
            self.existing[key_value] = obj
            self.report.add(self.label, "created")
            return obj
        changed = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.report.add(self.label, "updated")
        else:
            self.report.add(self.label, "unchanged")
        return obj


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, Decimal) and new is not None:
        return current != Decimal(str(new))
    return bool(current != new)


def load_curriculum(path: Path | None = None) -> LoadReport:
    """Load (or refresh) the curriculum from a dataset file; safe to run any number of times."""
    data = json.loads((path or DEFAULT_DATASET).read_text(encoding="utf-8"))
    report = LoadReport()
    with transaction.atomic():
        levels = _load_levels(report)
        _load_frameworks(data["frameworks"], report)
        subjects = _load_subjects(data["subjects"], levels, report)
        _load_topics(data["topics"], subjects, levels, report)
        _load_codifiers(data["codifiers"], subjects, report)
    return report


def _load_levels(report: LoadReport) -> dict[str, Level]:
    levels = _Upserter(Level, "code", report, "levels")
    grades = _Upserter(Grade, "number", report, "grades")
    by_code: dict[str, Level] = {}
    for code, title, short, level_grades in LEVELS:
        level = levels.upsert(code, {"title": title, "short_title": short, "grades": level_grades})
        assert isinstance(level, Level)
        by_code[code] = level
        for number in level_grades:
            grades.upsert(number, {"level_id": level.pk})
    return by_code


def _load_frameworks(entries: Iterable[dict[str, Any]], report: LoadReport) -> None:
    upserter = _Upserter(Framework, "code", report, "frameworks")
    for entry in entries:
        upserter.upsert(
            entry["code"],
            {
                "title": entry["title"],
                "legal_act": entry.get("order") or "",
                "levels": entry.get("levels") or [],
                "grades": entry.get("grades") or [],
                "source": entry.get("source") or "",
            },
        )
    for entry in entries:
        if entry.get("parent"):
            framework: Any = upserter.existing[entry["code"]]
            parent = upserter.existing[entry["parent"]]
            if framework.parent_id != parent.pk:
                framework.parent = parent
                framework.save(update_fields=["parent"])


def _load_subjects(
    entries: Iterable[dict[str, Any]], levels: dict[str, Level], report: LoadReport
) -> dict[str, Subject]:
    upserter = _Upserter(Subject, "code", report, "subjects")
    subjects: dict[str, Subject] = {}
    for entry in entries:
        subject = upserter.upsert(
            entry["code"],
            {
                "title": entry["title"],
                "grades": entry.get("grades") or [],
                "variants": entry.get("variants") or [],
                "hours_by_grade": entry.get("hours_by_grade") or {},
                "has_topics": bool(entry.get("topics_available")),
                "source": "; ".join(s["pdf"] for s in entry.get("frp_sources") or [] if s.get("pdf")),
            },
        )
        assert isinstance(subject, Subject)
        wanted = {levels[code].pk for code in entry.get("levels") or []}
        if set(subject.levels.values_list("pk", flat=True)) != wanted:
            subject.levels.set(wanted)
        subjects[subject.code] = subject
    return subjects


def _load_topics(
    entries: list[dict[str, Any]], subjects: dict[str, Subject], levels: dict[str, Level], report: LoadReport
) -> None:
    frp = Framework.objects.filter(code="FRP-2025").first()
    upserter = _Upserter(Topic, "code", report, "topics")
    # Parents first, so a topic's parent always exists when the topic is written; the position in the dataset
    # is the order of the thematic plan.
    for position, entry in sorted(enumerate(entries), key=lambda pair: pair[1]["parent"] is not None):
        parent = upserter.existing[entry["parent"]] if entry.get("parent") else None
        upserter.upsert(
            entry["code"],
            {
                "subject_id": subjects[entry["subject"]].pk,
                "grade_id": entry["grade"],
                "level_id": levels[entry["level"]].pk,
                "variant": entry.get("variant") or "",
                "kind": entry["kind"],
                "number": entry.get("num") or "",
                "title": entry["title"],
                "parent_id": parent.pk if parent else None,
                "order": position,
                "hours": entry.get("hours"),
                "framework_id": frp.pk if frp else None,
                "source": entry.get("source") or "",
            },
        )


def _load_codifiers(entries: list[dict[str, Any]], subjects: dict[str, Subject], report: LoadReport) -> None:
    upserter = _Upserter(CodifierElement, "code", report, "codifier_elements")
    ordered = sorted(enumerate(entries), key=lambda pair: pair[1].get("parent") is not None)
    for position, entry in ordered:
        parent = upserter.existing[codifier_element_code(entry, entry["parent"])] if entry.get("parent") else None
        known = {
            "exam",
            "subject",
            "year",
            "edition",
            "kind",
            "code",
            "title",
            "source",
            "level",
            "parent",
            "set",
        }
        upserter.upsert(
            codifier_element_code(entry),
            {
                "codifier": entry["set"],
                "exam": entry["exam"],
                "year": entry.get("year"),
                "edition": entry.get("edition") or "",
                "subject_id": subject.pk if (subject := subjects.get(entry.get("subject") or "")) else None,
                "kind": entry["kind"],
                "element_code": entry["code"],
                "title": entry["title"],
                "parent_id": parent.pk if parent else None,
                "order": position,
                "extra": {k: v for k, v in entry.items() if k not in known} | {"level": entry.get("level")},
                "source": entry.get("source") or "",
            },
        )


def levels_for_grades(grades: Iterable[int]) -> list[str]:
    """The education levels of grades: НОО for 1–4, ООО for 5–9, СОО for 10–11."""
    levels = set()
    for grade in grades:
        levels.add("NOO" if grade <= 4 else "OOO" if grade <= 9 else "SOO")
    return sorted(levels)
