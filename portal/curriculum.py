"""The curriculum browser's shapes (subjects by level, grades, a grade's thematic plan) and result cards,
built from the API's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .presenters import ACCESS, LEVEL_ORDER, LEVELS, grades_in_words


@dataclass
class SubjectEntry:
    code: str
    title: str
    grades: str
    count: int


@dataclass
class Level:
    code: str
    title: str
    subjects: list[SubjectEntry]


@dataclass
class PlanTopic:
    code: str
    title: str
    number: str
    count: int
    children: list[PlanTopic] = field(default_factory=list)


@dataclass
class PlanVariant:
    title: str
    sections: list[PlanTopic]


def subjects_by_level(subjects: list[dict[str, Any]], counts: dict[str, list[dict[str, Any]]]) -> list[Level]:
    """Subjects with topics under each level they are taught at, with their number of resources at that level
    (``counts``: the subject facet of a search filtered by the level, by level code)."""
    levels = []
    for level in LEVEL_ORDER:
        by_code = {item["value"]: item["count"] for item in counts.get(level, [])}
        entries = [
            SubjectEntry(
                item["code"], item["title"], grades_in_words(_level_grades(item, level)), by_code.get(item["code"], 0)
            )
            for item in subjects
            if level in item["levels"] and item["has_topics"]
        ]
        entries.sort(key=lambda entry: (-min(entry.count, 1), entry.title))
        levels.append(Level(level, LEVELS[level], entries))
    return levels


def grades_of(subject: dict[str, Any], counts: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(grade, number of resources) for each grade the subject is taught in."""
    by_grade = {int(item["value"]): item["count"] for item in counts if item["value"].isdigit()}
    return [(grade, by_grade.get(grade, 0)) for grade in subject["grades"]]


def plan_of(topics: list[dict[str, Any]], counts: list[dict[str, Any]]) -> list[PlanVariant]:
    """A grade's sections with their topics, per programme variant (базовый / углублённый), in order."""
    by_code = {item["value"]: item["count"] for item in counts}
    nodes = {
        item["code"]: PlanTopic(item["code"], item["title"], item["number"] or "", by_code.get(item["code"], 0))
        for item in topics
        if item["kind"] != "content_section"
    }
    ordered = sorted(
        (item for item in topics if item["code"] in nodes), key=lambda item: (item["variant"], item["order"])
    )
    variants: dict[str, list[PlanTopic]] = {}
    for item in ordered:
        node = nodes[item["code"]]
        if item["parent"] and item["parent"] in nodes:
            nodes[item["parent"]].children.append(node)
        else:
            variants.setdefault(item["variant"], []).append(node)
    titles = {"": "Программа", "базовый": "Базовый уровень", "углублённый": "Углублённый уровень"}
    return [PlanVariant(titles.get(variant, variant), sections) for variant, sections in variants.items()]


def hit_card(hit: dict[str, Any], labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A search hit as a result card: highlighted title and snippet, labels for codes, link to its page."""
    subjects = labels.get("subject", {})
    types = labels.get("type", {})
    return {
        "id": hit["id"],
        "url": f"/resources/{hit['id']}/",
        "source_url": hit["url"],
        "title": hit["title"],
        "title_html": hit["highlight"].get("title"),
        "snippet_html": hit["highlight"].get("description"),
        "description": hit["description"],
        "provider": hit["provider"]["name"] or hit["provider"]["code"],
        "subjects": [subjects.get(code, code) for code in hit["subjects"]],
        "grades": grades_in_words(hit["grades"]),
        "type": types.get(hit["resource_type"], hit["resource_type"]),
        "access": ACCESS.get(hit["access"], hit["access"]),
        "free": hit["access"] in {"free", "registration"},
    }


def _level_grades(subject: dict[str, Any], level: str) -> list[int]:
    bounds = {"NOO": range(1, 5), "OOO": range(5, 10), "SOO": range(10, 12)}[level]
    return [grade for grade in subject["grades"] if grade in bounds]
