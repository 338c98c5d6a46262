"""JSON-LD (schema.org / LRMI) documents of resources and of the curriculum.

Documents carry an inline `@context` with `@vocab` https://schema.org/, so a consumer expands them without
fetching anything. A resource is a `LearningResource`; its `educationalAlignment` holds AlignmentObjects
whose `targetUrl` is the stable URI of a curriculum node — only the alignments a methodist **confirmed**:
LRMI has no status for an AlignmentObject and consumers take every one as asserted, so suggestions (the
engine's or a source's) are left out of JSON-LD; the JSON representation lists them with status and score.
The curriculum is a set of vocabularies: a subject is a `DefinedTermSet`, a topic or codifier element is a
`DefinedTerm` in it (with `skos:broader` pointing at its section), a framework (ФГОС, ФОП, ФРП) is a
`CreativeWork`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from content_repo.curriculum.models import CodifierElement, Framework, Subject, Topic
from content_repo.publishers.models import Organization
from content_repo.resources.attachments import attachment_store
from content_repo.resources.durations import iso_duration
from content_repo.resources.models import Resource

from .serializers import ordered_alignments, resource_files

SCHEMA = "https://schema.org/"
CONTEXT: dict[str, Any] = {
    "@vocab": SCHEMA,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "broader": {"@id": "skos:broader", "@type": "@id"},
    "url": {"@type": "@id"},
    "embedUrl": {"@type": "@id"},
    "license": {"@type": "@id"},
    "targetUrl": {"@type": "@id"},
    "inDefinedTermSet": {"@type": "@id"},
    "isBasedOn": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
    "dateModified": {"@type": "DateTime"},
    "datePublished": {"@type": "DateTime"},
}


def api_url(path: str) -> str:
    return f"{settings.CATALOG_BASE_URL}/api/v1/{path}"


def document(node: dict[str, Any]) -> dict[str, Any]:
    return {"@context": CONTEXT, **node}


def graph(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"@context": CONTEXT, "@graph": nodes}


def _compact(node: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if value not in (None, "", [], {})}


def organization_node(organization: Organization) -> dict[str, Any]:
    return _compact(
        {
            "@type": "Organization",
            "@id": api_url(f"organizations/{organization.code}"),
            "identifier": organization.code,
            "name": organization.name,
            "url": organization.site,
            "description": organization.description,
        }
    )


def resource_node(resource: Resource) -> dict[str, Any]:
    """A published resource as schema.org LearningResource (LRMI)."""
    access = resource.access
    license_uri = (resource.license.uri if resource.license else "") or resource.license_terms_url
    grades = sorted(g.number for g in resource.grades.all())
    ages = (resource.typical_age_min, resource.typical_age_max)
    thumbnail = attachment_store().describe_image(resource.thumbnail) if resource.thumbnail_id else None
    return _compact(
        {
            "@type": "LearningResource",
            "@id": api_url(f"resources/{resource.pk}"),
            "identifier": str(resource.pk),
            "name": resource.title,
            "description": resource.description,
            "keywords": list(resource.keywords or []),
            "url": resource.url,
            "embedUrl": resource.embed_url,
            "learningResourceType": resource.resource_type.label if resource.resource_type else None,
            "educationalUse": [term.label for term in resource.educational_use.all()],
            "interactivityType": resource.interactivity.term if resource.interactivity else None,
            "inLanguage": resource.language.code if resource.language else None,
            "license": license_uri,
            "isAccessibleForFree": access.extra.get("is_free") if access else None,
            "conditionsOfAccess": access.label if access else None,
            "copyrightHolder": resource.rights_holder,
            "provider": organization_node(resource.provider) if resource.provider else None,
            "author": [{"@type": "Person", "name": name} for name in resource.authors or []],
            "timeRequired": iso_duration(resource.duration) if resource.duration else None,
            "typicalAgeRange": f"{ages[0]}-{ages[1]}" if all(a is not None for a in ages) else None,
            "accessibilityFeature": list(resource.accessibility_features or []),
            "educationalLevel": [level.title for level in resource.levels.all()],
            "educationalAlignment": [
                *(_subject_alignment(subject) for subject in resource.subjects.all()),
                *(
                    {"@type": "AlignmentObject", "alignmentType": "educationalLevel", "targetName": f"{g} класс"}
                    for g in grades
                ),
                *(_alignment(a) for a in ordered_alignments(resource.alignments.all()) if a.status == "confirmed"),
            ],
            "hasPart": [
                _compact(
                    {
                        "@type": "LearningResource",
                        "name": part.title or part.get_kind_display(),
                        "learningResourceType": part.get_kind_display(),
                        "url": part.url,
                        "position": position,
                    }
                )
                for position, part in enumerate(resource.parts.all(), start=1)
            ],
            "associatedMedia": [_media_object(file) for file in resource_files(resource)],
            "thumbnailUrl": thumbnail["thumbnail_url"] if thumbnail else None,
            "image": thumbnail["url"] if thumbnail else None,
            "datePublished": resource.first_published_at.isoformat() if resource.first_published_at else None,
            "dateModified": resource.updated_at.isoformat() if resource.updated_at else None,
        }
    )


def _media_object(file: dict[str, Any]) -> dict[str, Any]:
    """A file as a schema.org MediaObject (`encoding`'s type), with its title and role."""
    media = attachment_store().media_object(file)
    return media | {"name": file["title"] or None, "additionalType": file["role"]}


def _subject_alignment(subject: Subject) -> dict[str, Any]:
    return {
        "@type": "AlignmentObject",
        "alignmentType": "educationalSubject",
        "targetName": subject.title,
        "targetUrl": subject.uri,
    }


def _alignment(alignment) -> dict[str, Any]:
    target = alignment.target
    framework = getattr(target, "framework", None)
    return _compact(
        {
            "@type": "AlignmentObject",
            "alignmentType": alignment.alignment_type,
            "targetName": target.title,
            "targetUrl": target.uri,
            "targetDescription": str(target),
            "educationalFramework": framework.title if framework else None,
        }
    )


def framework_node(framework: Framework) -> dict[str, Any]:
    return _compact(
        {
            "@type": "CreativeWork",
            "@id": framework.uri,
            "identifier": framework.code,
            "name": framework.title,
            "legislationIdentifier": framework.legal_act,
            "isPartOf": {"@id": framework.parent.uri} if framework.parent else None,
        }
    )


def subject_node(subject: Subject) -> dict[str, Any]:
    return _compact(
        {
            "@type": "DefinedTermSet",
            "@id": subject.uri,
            "identifier": subject.code,
            "name": subject.title,
            "educationalLevel": [level.title for level in subject.levels.all()],
        }
    )


def topic_node(topic: Topic) -> dict[str, Any]:
    return _compact(
        {
            "@type": "DefinedTerm",
            "@id": topic.uri,
            "termCode": topic.code,
            "name": topic.title,
            "inDefinedTermSet": topic.subject.uri,
            "broader": topic.parent.uri if topic.parent else None,
            "educationalLevel": f"{topic.grade_id} класс",
            "additionalType": topic.get_kind_display(),
            "position": topic.order,
        }
    )


def codifier_element_node(element: CodifierElement) -> dict[str, Any]:
    return _compact(
        {
            "@type": "DefinedTerm",
            "@id": element.uri,
            "termCode": element.code,
            "name": element.title,
            "inDefinedTermSet": {"@type": "DefinedTermSet", "name": f"{element.exam} {element.year or ''}".strip()},
            "broader": element.parent.uri if element.parent else None,
            "additionalType": element.kind,
        }
    )
