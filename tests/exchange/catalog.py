"""Resources for the exchange tests, put into the catalog the way a harvest does: through the intake path."""

from __future__ import annotations

from typing import Any

from content_repo.intake.items import IntakeItem, Policy
from content_repo.intake.loading import load_items
from content_repo.intake.mapping import prepare_values
from content_repo.resources.codes import CatalogCodes

LESSONS = "https://resh.edu.ru/subject/lesson"
SUBJECTS = [("math", 5, "math.5.3"), ("physics", 7, "physics.7.1.1"), ("russian", 6, None)]


def values(number: int, **overrides: Any) -> dict[str, Any]:
    """Overlay values of the ``number``-th test resource: subject, grade, topic and licence vary with it."""
    subject, grade, topic = SUBJECTS[number % len(SUBJECTS)]
    return prepare_values(
        {
            "title": f"Урок {number}: {subject}, {grade} класс",
            "description": f"Описание урока {number} — объяснение и задания.",
            "keywords": [f"тема {number}", subject],
            "resource_type": "lesson" if number % 2 == 0 else "interactive_task",
            "subjects": [subject],
            "grades": [grade],
            "language": "ru",
            "license": "cc-by-4.0" if number % 3 else "cc-by-sa-4.0",
            "access": "free" if number % 4 else "registration",
            "authors": [f"Автор {number}"],
            "url": f"{LESSONS}/{7000 + number}/",
            "duration": "PT40M",
            "typical_age_min": grade + 6,
            "typical_age_max": grade + 7,
            "parts": [{"kind": "main", "title": "Основная часть", "url": f"{LESSONS}/{7000 + number}/main/"}],
            "alignments": [{"target": topic, "type": "teaches"}] if topic else [],
        }
        | overrides
    )


def item(number: int, source: str = "resh", **overrides: Any) -> IntakeItem:
    data = values(number, **overrides)
    return IntakeItem(
        source=source,
        external_id=f"lesson-{number}",
        source_url=data["url"],
        content_hash=f"hash-{number}-{sorted(overrides.items())!r}",
        values=data,
        provider_code=source,
    )


def publish(numbers: range | list[int], source: str = "resh", **overrides: Any) -> list[Any]:
    """Publish the numbered test resources (one batch through the intake); their ids, in order."""
    results = load_items([item(n, source, **overrides) for n in numbers], policy=Policy.PUBLISH, codes=CatalogCodes())
    assert all(result.outcome.value in ("created", "updated") for result in results), [r.problems for r in results]
    return [result.resource_id for result in results]
