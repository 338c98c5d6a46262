"""Small helpers shared by the API tests."""

from __future__ import annotations

import json
from typing import Any

from content_repo.resources.models import Resource


def feed_item(identifier: str, name: str, *, subject: str = "Математика", grade: int = 5, **extra: Any) -> dict:
    """One line of the vendor feed format (schema.org LearningResource)."""
    return {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "identifier": identifier,
        "name": name,
        "url": f"https://vendor.example/{identifier}",
        "learningResourceType": "Урок",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isAccessibleForFree": True,
        "timeRequired": "PT30M",
        "educationalAlignment": [
            {"@type": "AlignmentObject", "alignmentType": "educationalSubject", "targetName": subject},
            {"@type": "AlignmentObject", "alignmentType": "educationalLevel", "targetName": f"{grade} класс"},
        ],
        **extra,
    }


def ndjson(*items: dict | str) -> bytes:
    return "\n".join(i if isinstance(i, str) else json.dumps(i, ensure_ascii=False) for i in items).encode()


def post_feed(client, *items: dict | str):
    return client.post("/api/v1/resources/bulk/", ndjson(*items), content_type="application/x-ndjson")


def state(resource_id) -> tuple:
    """What a forbidden call must not change."""
    r = Resource.objects.get(pk=resource_id)
    return (r.status, r.status_reason, r.live, r.title, r.latest_revision_id, r.withdrawn_at)


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()
