"""Resources for the alignment service tests, loaded through the intake (so its hook runs) as a source would."""

from __future__ import annotations

import hashlib
from typing import Any

from content_repo.intake.items import IntakeItem, Policy
from content_repo.intake.mapping import prepare_values
from content_repo.intake.services import Intake
from content_repo.resources.models import Alignment, Resource

VIETA = "Урок 14. Теорема Виета"
QUADRATIC = "Урок 15. Решение квадратных уравнений по формуле"
FRACTIONS = "Сложение и вычитание обыкновенных дробей с одинаковыми знаменателями"
HOLIDAY = "Сценарий праздника 8 Марта"


def item(
    external_id: str,
    title: str,
    *,
    subjects: tuple[str, ...] = ("algebra",),
    grades: tuple[int, ...] = (8,),
    source: str = "resh",
    digest: str | None = None,
    **values: Any,
) -> IntakeItem:
    return IntakeItem(
        source=source,
        external_id=external_id,
        source_url=f"https://{source}.example/lesson/{external_id}/",
        content_hash=digest or hashlib.sha256(f"{title}-{subjects}-{grades}".encode()).hexdigest(),
        provider_code=source if source in ("resh", "yaklass", "uchi", "mesh") else None,
        values=prepare_values(
            {
                "title": title,
                "description": values.pop("description", ""),
                "subjects": list(subjects),
                "grades": list(grades),
                "resource_type": values.pop("resource_type", "lesson"),
                "alignments": values.pop("alignments", []),
                **values,
            }
        ),
    )


def load(*items: IntakeItem, publish: bool = True, user: Any = None) -> list[Resource]:
    """Load through ``Intake.load`` (the hook suggests for what the batch created or changed)."""
    results = Intake(policy=Policy.PUBLISH if publish else Policy.REVIEW, user=user).load(list(items))
    assert all(result.resource_id for result in results), [result.problems for result in results]
    return [Resource.objects.get(pk=result.resource_id) for result in results]


def suggestions(resource: Resource) -> list[tuple[str, float]]:
    """The engine suggestions of a resource as (node code, score), best first."""
    rows = Alignment.objects.filter(resource=resource, status="suggested", score__isnull=False).select_related(
        "topic", "codifier_element"
    )
    return sorted(((a.target.code, a.score) for a in rows), key=lambda pair: (-pair[1], pair[0]))  # type: ignore[union-attr]


def codes(resource: Resource, status: str | None = None) -> list[str]:
    rows = Alignment.objects.filter(resource=resource).select_related("topic", "codifier_element")
    if status:
        rows = rows.filter(status=status)
    return sorted(a.target.code for a in rows)  # type: ignore[union-attr]
