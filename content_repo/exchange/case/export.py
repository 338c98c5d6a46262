"""A framework of the catalog as an IMS CASE 1.1 CFPackage (``GET /api/v1/curriculum/case/{framework}/``).

* ФРП 2025 (and any framework whose topics were imported): a CFItem per subject and per section and topic of
  the thematic plans, with ``humanCodingScheme`` (the node's code), ``fullStatement``, ``educationLevel`` (the
  grade, «05»), ``isChildOf`` associations (topic → section → subject → document), and ``exactMatchOf`` from a
  базовый node to the углублённый node of the same subject and grade with the same title;
* the ФИПИ codifiers (``FIPI-KES``): a CFItem per codifier and per element, ``educationLevel`` 09 (ОГЭ) or 11
  (ЕГЭ), ``isChildOf`` by the element hierarchy;
* ФГОС and ФОП: the document alone (their content is the programmes above).

Identifiers are UUIDs derived from the codes (:mod:`.identity`), ``uri`` the node's catalog URL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from content_repo.curriculum.models import CodifierElement, Framework, Subject, Topic

from ..conf import exchange_settings
from .identity import EDITION_DATE, case_uuid

__all__ = ["CODIFIER_FRAMEWORK", "case_package", "package_url"]

CODIFIER_FRAMEWORK = "FIPI-KES"
_EXAM_GRADES = {"OGE": "09", "EGE": "11"}
_ELEMENT_TYPES = {
    "content_element": "Элемент содержания",
    "requirement_subject": "Предметное требование",
    "requirement_metasubject": "Метапредметное требование",
}


def package_url(framework: Framework) -> str:
    return f"{settings.CATALOG_BASE_URL}/api/v1/curriculum/case/{framework.code}/"


def _link(title: str, identifier: str, uri: str) -> dict[str, str]:
    return {"title": title[:500], "identifier": identifier, "uri": uri}


class PackageBuilder:
    """Collects the document, items and associations of one package."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.document_id = case_uuid("document", framework.code)
        self.document_link = _link(framework.title, self.document_id, package_url(framework))
        self.items: list[dict[str, Any]] = []
        self.associations: list[dict[str, Any]] = []
        self.subjects: list[str] = []

    def item(self, identifier: str, uri: str, statement: str, **fields: Any) -> dict[str, str]:
        self.items.append(
            {
                "identifier": identifier,
                "uri": uri,
                "fullStatement": statement,
                **{name: value for name, value in fields.items() if value not in (None, "", [])},
                "language": "ru",
                "lastChangeDateTime": EDITION_DATE,
                "CFDocumentURI": self.document_link,
            }
        )
        return _link(statement, identifier, uri)

    def associate(self, kind: str, origin: dict[str, str], destination: dict[str, str], sequence: int | None = None):
        key = f"{kind}:{origin['identifier']}:{destination['identifier']}"
        identifier = case_uuid("association", key)
        association = {
            "identifier": identifier,
            "uri": f"urn:uuid:{identifier}",
            "associationType": kind,
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": EDITION_DATE,
            "CFDocumentURI": self.document_link,
        }
        if sequence is not None:
            association["sequenceNumber"] = sequence
        self.associations.append(association)

    def document(self) -> dict[str, Any]:
        framework = self.framework
        conf = exchange_settings()
        creator = "ФГБНУ «ФИПИ»" if framework.code.startswith("FIPI") else "Минпросвещения России"
        document = {
            "identifier": self.document_id,
            "uri": framework.uri,
            "caseVersion": "1.1",
            "creator": creator if not framework.code.startswith("case-") else conf.repository_name,
            "title": framework.title,
            "lastChangeDateTime": EDITION_DATE,
            "publisher": conf.repository_name,
            "description": framework.legal_act,
            "subject": self.subjects,
            "language": "ru",
            "adoptionStatus": "Adopted",
            "notes": framework.source,
            "CFPackageURI": self.document_link,
        }
        return {name: value for name, value in document.items() if value not in (None, "", [])}

    def package(self) -> dict[str, Any]:
        return {
            "CFDocument": self.document(),
            "CFItems": self.items,
            "CFAssociations": self.associations,
            "CFDefinitions": {"CFItemTypes": _item_types(self.items, self.document_link)},
        }


def _item_types(items: list[dict[str, Any]], document_link: dict[str, str]) -> list[dict[str, Any]]:
    titles = sorted({item["CFItemType"] for item in items if item.get("CFItemType")})
    return [
        {
            "identifier": (identifier := case_uuid("item-type", title)),
            "uri": f"urn:uuid:{identifier}",
            "title": title,
            "description": title,
            "hierarchyCode": str(position),
            "lastChangeDateTime": EDITION_DATE,
        }
        for position, title in enumerate(titles, start=1)
    ]


def case_package(framework: Framework) -> dict[str, Any]:
    """The framework as a CFPackage (a dict ready for JSON)."""
    builder = PackageBuilder(framework)
    topics = Topic.objects.filter(framework=framework).select_related("subject", "parent").order_by("order", "pk")
    if topics.exists():
        _add_topics(builder, topics)
    elif framework.code == CODIFIER_FRAMEWORK:
        _add_codifiers(builder, CodifierElement.objects.select_related("parent", "subject").order_by("order", "pk"))
    return builder.package()


def _grades(grades: Iterable[int]) -> list[str]:
    return [f"{grade:02d}" for grade in sorted(grades)]


def _add_topics(builder: PackageBuilder, topics: QuerySet[Topic]) -> None:
    nodes = list(topics)
    subjects = Subject.objects.filter(pk__in={topic.subject_id for topic in nodes}).order_by("title")
    subject_links = {}
    for subject in subjects:
        link = builder.item(
            case_uuid("subject", subject.code),
            subject.uri,
            subject.title,
            humanCodingScheme=subject.code,
            CFItemType="Предмет",
            educationLevel=_grades(subject.grades),
        )
        subject_links[subject.pk] = link
        builder.subjects.append(subject.title)
        builder.associate("isChildOf", link, builder.document_link)
    topic_links = {}
    for topic in nodes:
        topic_links[topic.pk] = builder.item(
            case_uuid("topic", topic.code),
            topic.uri,
            topic.title,
            humanCodingScheme=topic.code,
            listEnumeration=topic.number or str(topic.order),
            CFItemType=topic.get_kind_display(),
            educationLevel=_grades([topic.grade_id]),
            subject=[topic.subject.title],
            notes=f"вариант программы: {topic.variant}" if topic.variant else None,
        )
    for topic in nodes:
        parent = topic_links.get(topic.parent_id) if topic.parent_id else subject_links[topic.subject_id]
        builder.associate("isChildOf", topic_links[topic.pk], parent or subject_links[topic.subject_id], topic.order)
    _add_exact_matches(builder, nodes, topic_links)


def _add_exact_matches(builder: PackageBuilder, nodes: list[Topic], links: dict[int, dict[str, str]]) -> None:
    """A базовый node and an углублённый node of one subject and grade with the same title are the same topic."""
    by_title: dict[tuple[int, int, str], dict[str, list[Topic]]] = defaultdict(lambda: defaultdict(list))
    for topic in nodes:
        if topic.variant in (Topic.Variant.BASIC, Topic.Variant.ADVANCED):
            key = (topic.subject_id, topic.grade_id, " ".join(topic.title.lower().split()))
            by_title[key][topic.variant].append(topic)
    for variants in by_title.values():
        for basic in variants.get(Topic.Variant.BASIC, []):
            for advanced in variants.get(Topic.Variant.ADVANCED, []):
                builder.associate("exactMatchOf", links[basic.pk], links[advanced.pk])


def _add_codifiers(builder: PackageBuilder, elements: QuerySet[CodifierElement]) -> None:
    nodes = list(elements)
    codifiers = {}
    for element in nodes:
        if element.codifier not in codifiers:
            identifier = case_uuid("codifier", element.codifier)
            subject = element.subject.title if element.subject else None
            codifiers[element.codifier] = builder.item(
                identifier,
                f"urn:uuid:{identifier}",
                f"Кодификатор {element.exam} {element.year or ''} {subject or ''}".strip(),
                humanCodingScheme=element.codifier,
                CFItemType="Кодификатор",
                educationLevel=[_EXAM_GRADES.get(element.exam, "11")],
                subject=[subject] if subject else None,
            )
            if subject and subject not in builder.subjects:
                builder.subjects.append(subject)
            builder.associate("isChildOf", codifiers[element.codifier], builder.document_link)
    links = {
        element.pk: builder.item(
            case_uuid("codifier-element", element.code),
            element.uri,
            element.title,
            humanCodingScheme=element.element_code,
            CFItemType=_ELEMENT_TYPES.get(element.kind, "Элемент кодификатора"),
            educationLevel=[_EXAM_GRADES.get(element.exam, "11")],
            subject=[element.subject.title] if element.subject else None,
            notes=element.source,
        )
        for element in nodes
    }
    for element in nodes:
        parent = links.get(element.parent_id) if element.parent_id else codifiers[element.codifier]
        builder.associate("isChildOf", links[element.pk], parent or codifiers[element.codifier], element.order)
