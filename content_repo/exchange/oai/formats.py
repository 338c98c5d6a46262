"""Metadata formats of the provider: ``oai_dc`` (required by OAI-PMH) and ``lom`` (IEEE LOM, the rich one).

Both are written from a resource's public document (what ``GET /api/v1/resources/{id}/`` shows and the change
feed keeps), so the provider needs no query per record.

Why LOM and not LRMI as XML: LOM has a published XML binding with schemas (IEEE 1484.12.3) that OAI-PMH
harvesters of learning objects already read (ARIADNE, edu-sharing, OERSI's and WLO's sources), and its
``classification`` carries a curriculum alignment as a taxon path with an identifier. LRMI is defined for
RDF/JSON-LD only; an «LRMI XML» would be our own schema that no harvester knows — the catalog already serves
LRMI as JSON-LD at ``/api/v1/resources/{id}/?format=jsonld``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from lxml import etree

from .xml import NS, SCHEMAS, XSI, element, qname, text

__all__ = ["FORMATS", "LOM_RESOURCE_TYPES", "MetadataFormat", "catalog_url"]

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LOM_VOCABULARY = "LOMv1.0"
LRMI_VOCABULARY = "LRMI"  # values: the catalog's labels, as learningResourceType reads in LRMI JSON-LD
# The catalog's resource types in the LOMv1.0 learningResourceType vocabulary (where one fits).
LOM_RESOURCE_TYPES = {
    "lesson": "lecture",
    "video_lesson": "lecture",
    "lesson_notes": "narrative text",
    "interactive_task": "exercise",
    "test": "exam",
    "trainer": "exercise",
    "presentation": "slide",
    "textbook": "narrative text",
    "virtual_lab": "simulation",
    "worksheet": "problem statement",
    "theory": "narrative text",
    "image": "figure",
    "map": "diagram",
}
_PAID_ACCESS = {"subscription", "paid", "contract"}


@dataclass(frozen=True)
class MetadataFormat:
    """A format's prefix, schema, namespace and the writer of one record's metadata."""

    prefix: str
    schema: str
    namespace: str
    write: Callable[[etree._Element, Mapping[str, Any], str], None]


def catalog_url(document: Mapping[str, Any]) -> str:
    return f"{settings.CATALOG_BASE_URL}/api/v1/resources/{document['id']}"


def _code(value: Any) -> str | None:
    return value.get("code") if isinstance(value, Mapping) else value


def _label(value: Any) -> str | None:
    return value.get("label") if isinstance(value, Mapping) else None


# --- oai_dc -------------------------------------------------------------------------------------------


def write_dc(metadata: etree._Element, document: Mapping[str, Any], identifier: str) -> None:
    """Simple Dublin Core: grades go to ``dc:subject`` as «5 класс», topics to ``dc:relation`` by URI."""
    root = etree.SubElement(
        metadata,
        qname("oai_dc", "dc"),
        {f"{{{XSI}}}schemaLocation": f"{NS['oai_dc']} {SCHEMAS['oai_dc']}"},
        nsmap={"oai_dc": NS["oai_dc"], "dc": NS["dc"], "xsi": XSI},
    )
    dc: list[tuple[str, Any]] = [("title", document.get("title"))]
    dc += [("creator", author) for author in document.get("authors") or []]
    dc += [("subject", subject.get("title")) for subject in document.get("subjects") or []]
    dc += [("subject", f"{grade} класс") for grade in document.get("grades") or []]
    dc += [("subject", keyword) for keyword in document.get("keywords") or []]
    dc += [("description", document.get("description"))]
    dc += [("publisher", (document.get("provider") or {}).get("name"))]
    dc += [("date", (document.get("published_at") or "")[:10])]
    dc += [("type", _label(document.get("resource_type")))]
    dc += [("identifier", document.get("url")), ("identifier", catalog_url(document))]
    dc += [("language", document.get("language"))]
    dc += [("relation", alignment.get("uri")) for alignment in document.get("alignments") or []]
    license_ = document.get("license") or {}
    dc += [("rights", license_.get("uri") or license_.get("label"))]
    for name, value in dc:
        if value:
            child = element(root, "dc", name, value)
            if name in ("title", "description", "subject"):
                child.set(_XML_LANG, "ru")


# --- lom ----------------------------------------------------------------------------------------------


def _lang_string(parent: etree._Element, name: str, value: Any) -> None:
    child = element(parent, "lom", name)
    element(child, "lom", "string", value, language="ru")


def _vocabulary(parent: etree._Element, name: str, value: str, source: str = LOM_VOCABULARY) -> None:
    child = element(parent, "lom", name)
    element(child, "lom", "source", source)
    element(child, "lom", "value", value)


def _vcard(name: str) -> str:
    escaped = text(name).replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", " ")
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{escaped}\r\nN:{escaped}\r\nEND:VCARD\r\n"


def _contribute(parent: etree._Element, role: str, name: str, date: str | None = None) -> None:
    contribute = element(parent, "lom", "contribute")
    _vocabulary(contribute, "role", role)
    element(contribute, "lom", "entity", _vcard(name))
    if date:
        element(element(contribute, "lom", "date"), "lom", "dateTime", date)


def _taxon_path(classification: etree._Element, source: str, taxa: list[tuple[str, str]]) -> None:
    path = element(classification, "lom", "taxonPath")
    _lang_string(path, "source", source)
    for taxon_id, entry in taxa:
        taxon = element(path, "lom", "taxon")
        element(taxon, "lom", "id", taxon_id)
        _lang_string(taxon, "entry", entry)


def _classification(lom: etree._Element, purpose: str, source: str, taxa: list[tuple[str, str]]) -> None:
    if not taxa:
        return
    classification = element(lom, "lom", "classification")
    _vocabulary(classification, "purpose", purpose)
    for taxon in taxa:
        _taxon_path(classification, source, [taxon])


def _general(lom: etree._Element, document: Mapping[str, Any]) -> None:
    general = element(lom, "lom", "general")
    identifier = element(general, "lom", "identifier")
    element(identifier, "lom", "catalog", "URI")
    element(identifier, "lom", "entry", catalog_url(document))
    _lang_string(general, "title", document.get("title") or "")
    if document.get("language"):
        element(general, "lom", "language", document["language"])
    if document.get("description"):
        _lang_string(general, "description", document["description"])
    for keyword in document.get("keywords") or []:
        _lang_string(general, "keyword", keyword)


def _life_cycle(lom: etree._Element, document: Mapping[str, Any]) -> None:
    provider = (document.get("provider") or {}).get("name")
    if not document.get("authors") and not provider:
        return
    life_cycle = element(lom, "lom", "lifeCycle")
    for author in document.get("authors") or []:
        _contribute(life_cycle, "author", author)
    if provider:
        _contribute(life_cycle, "publisher", provider, document.get("published_at"))


def _educational(lom: etree._Element, document: Mapping[str, Any]) -> None:
    educational = element(lom, "lom", "educational")
    if document.get("interactivity"):
        _vocabulary(educational, "interactivityType", document["interactivity"])
    type_code = _code(document.get("resource_type"))
    if type_code in LOM_RESOURCE_TYPES:
        _vocabulary(educational, "learningResourceType", LOM_RESOURCE_TYPES[type_code])
    if label := _label(document.get("resource_type")):
        _vocabulary(educational, "learningResourceType", label, LRMI_VOCABULARY)
    _vocabulary(educational, "intendedEndUserRole", "learner")
    _vocabulary(educational, "context", "school")
    ages = (document.get("typical_age_min"), document.get("typical_age_max"))
    if all(age is not None for age in ages):
        _lang_string(educational, "typicalAgeRange", f"{ages[0]}-{ages[1]}")
    if document.get("duration"):
        element(element(educational, "lom", "typicalLearningTime"), "lom", "duration", document["duration"])
    if document.get("language"):
        element(educational, "lom", "language", document["language"])


def _rights(lom: etree._Element, document: Mapping[str, Any]) -> None:
    license_, access = document.get("license") or {}, document.get("access") or {}
    rights = element(lom, "lom", "rights")
    _vocabulary(rights, "cost", "yes" if access.get("code") in _PAID_ACCESS else "no")
    restricted = not str(license_.get("code") or "").startswith(("cc0", "public-domain"))
    _vocabulary(rights, "copyrightAndOtherRestrictions", "yes" if restricted else "no")
    lines = [" ".join(part for part in (license_.get("uri"), license_.get("label")) if part)]
    if access.get("label"):
        lines.append(f"Условия доступа: {access['label']}")
    if document.get("license_terms_url"):
        lines.append(f"Условия лицензии: {document['license_terms_url']}")
    description = "\n".join(line for line in lines if line)
    if description:
        _lang_string(rights, "description", description)


def _relations(lom: etree._Element, document: Mapping[str, Any]) -> None:
    for part in document.get("parts") or []:
        relation = element(lom, "lom", "relation")
        _vocabulary(relation, "kind", "haspart")
        resource = element(relation, "lom", "resource")
        identifier = element(resource, "lom", "identifier")
        element(identifier, "lom", "catalog", "URI")
        element(identifier, "lom", "entry", part.get("url"))
        _lang_string(resource, "description", part.get("title") or part.get("kind") or "")


def write_lom(metadata: etree._Element, document: Mapping[str, Any], identifier: str) -> None:
    """IEEE LOM: subjects, grades and levels, and the curriculum alignments as ``classification``."""
    lom = etree.SubElement(
        metadata,
        qname("lom", "lom"),
        {f"{{{XSI}}}schemaLocation": f"{NS['lom']} {SCHEMAS['lom']}"},
        nsmap={None: NS["lom"], "xsi": XSI},
    )
    _general(lom, document)
    _life_cycle(lom, document)
    meta = element(lom, "lom", "metaMetadata")
    meta_identifier = element(meta, "lom", "identifier")
    element(meta_identifier, "lom", "catalog", "oai")
    element(meta_identifier, "lom", "entry", identifier)
    element(meta, "lom", "metadataSchema", "LOMv1.0")
    element(meta, "lom", "language", "ru")
    if document.get("url"):
        technical = element(lom, "lom", "technical")
        element(technical, "lom", "location", document["url"])
    _educational(lom, document)
    _rights(lom, document)
    _relations(lom, document)
    subjects = [(subject_uri(s["code"]), s.get("title") or s["code"]) for s in document.get("subjects") or []]
    _classification(lom, "discipline", "Предметы ФОП", subjects)
    grades = [(str(grade), f"{grade} класс") for grade in document.get("grades") or []]
    _classification(lom, "educational level", "Классы", grades)
    alignments = [(a["uri"], a.get("title") or a["uri"]) for a in document.get("alignments") or [] if a.get("uri")]
    _classification(lom, "educational objective", "ФРП 2025 и кодификаторы ФИПИ", alignments)


def subject_uri(code: str) -> str:
    return f"{settings.CATALOG_BASE_URL}/api/v1/curriculum/subjects/{code}"


FORMATS = {
    "oai_dc": MetadataFormat("oai_dc", SCHEMAS["oai_dc"], NS["oai_dc"], write_dc),
    "lom": MetadataFormat("lom", SCHEMAS["lom"], NS["lom"], write_lom),
}
