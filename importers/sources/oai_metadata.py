"""Reading OAI-PMH metadata (IEEE LOM, Dublin Core) into the fields of a normalised record.

Pure functions over one ``<metadata>`` child: what the OAI-PMH source's transform
(:mod:`importers.sources.oai`) hands to :class:`~content_repo.intake.records.HarvestedRecord`. The catalog's own
LOM (``content_repo/exchange/oai/formats.py``) comes back whole: subject and topics by their catalog URIs, the
resource type by the catalog's label; other providers' records by the LOMv1.0 and DCMI vocabularies and names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from lxml import etree

from content_repo.intake.jsonld import RESOURCE_TYPES, access_code, license_code
from content_repo.intake.records import PartKind, RecordPart
from content_repo.intake.text import normalise_text

__all__ = ["NS", "read_metadata"]

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lom": "http://ltsc.ieee.org/xsd/LOM",
}

_SUBJECT_URI = re.compile(r"/curriculum/subjects/([a-z_]+)/?$")
_TOPIC_URI = re.compile(r"/curriculum/topics/([a-z_]+(?:-adv)?(?:\.\d+)+)/?$")
_GRADE = re.compile(r"^\s*(\d{1,2})(\s*класс)?\s*$", re.IGNORECASE)
_AGES = re.compile(r"^\s*\d{1,2}\s*[-–]\s*\d{1,2}\s*$")
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
# LOMv1.0 learningResourceType → the catalog's resource types; DCMI types for Dublin Core.
_LOM_TYPES = {
    "lecture": "lesson",
    "exercise": "interactive_task",
    "simulation": "virtual_lab",
    "experiment": "virtual_lab",
    "exam": "test",
    "questionnaire": "test",
    "self assessment": "test",
    "slide": "presentation",
    "narrative text": "theory",
    "problem statement": "worksheet",
    "figure": "image",
    "diagram": "image",
    "graph": "image",
}
_DCMI_TYPES = {
    "interactiveresource": "interactive_task",
    "movingimage": "video",
    "sound": "audio",
    "image": "image",
    "stillimage": "image",
    "text": "theory",
    "collection": "collection",
}
# The catalog's own resource type labels (as its LOM and Dublin Core name them), with the feed's synonyms.
_LABELS = {
    **RESOURCE_TYPES,
    "конспект": "lesson_notes",
    "аудио": "audio",
    "видео": "video",
    "образовательная игра": "game",
    "изображение": "image",
    "карта": "map",
    "подборка материалов": "collection",
    "тест": "test",
}
_PART_KINDS = {
    "начнём урок": PartKind.START,
    "основная часть": PartKind.MAIN,
    "конспект": PartKind.SUMMARY,
    "тренировочные задания": PartKind.TRAINING,
    "контрольные задания": PartKind.CONTROL,
}
_LANGUAGES = {"rus": "ru", "eng": "en", "ger": "de", "deu": "de", "fre": "fr", "fra": "fr", "spa": "es", "chi": "zh"}


def _texts(node: etree._Element, path: str) -> list[str]:
    return [text for element in node.iterfind(path, NS) if (text := normalise_text(element.text or ""))]


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _http(values: list[str]) -> str | None:
    return next((value for value in values if value.lower().startswith(("http://", "https://"))), None)


def _resource_type(labels: Sequence[str], vocabulary_values: Sequence[str] = ()) -> str:
    """The catalog's type from its own labels first, then from LOMv1.0 or DCMI type values."""
    for label in labels:
        if code := _LABELS.get(label.lower()):
            return code
    for value in vocabulary_values:
        if code := _LOM_TYPES.get(value.lower()) or _DCMI_TYPES.get(value.lower().replace(" ", "")):
            return code
    return "other"


def _license(texts: list[str]) -> str:
    joined = " ".join(texts)
    code = license_code(joined)
    if code == "commercial" and "все права защищены" in joined.lower() and "свободный просмотр" in joined.lower():
        return "all-rights-reserved-free-view"
    return code


def _language(values: list[str]) -> str:
    value = (values[0] if values else "ru").lower().split("-")[0]
    return _LANGUAGES.get(value, value)


def _vcard_name(entity: str) -> str | None:
    for line in entity.replace("\r\n", "\n").split("\n"):
        if line.upper().startswith("FN:"):
            name = line[3:].replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
            return normalise_text(name) or None
    return normalise_text(entity) if "BEGIN:VCARD" not in entity.upper() else None


def _lom_strings(node: etree._Element, path: str) -> list[str]:
    """The texts of a LOM LangString (Russian first)."""
    found = []
    for lang_string in node.iterfind(path, NS):
        strings = sorted(lang_string.iterfind("lom:string", NS), key=lambda s: s.get("language") != "ru")
        found += [text for s in strings[:1] if (text := normalise_text(s.text or ""))]
    return found


def _taxa(lom: etree._Element, purpose: str) -> list[tuple[str, str]]:
    found = []
    for classification in lom.iterfind("lom:classification", NS):
        if normalise_text(classification.findtext("lom:purpose/lom:value", default="", namespaces=NS)) != purpose:
            continue
        for taxon in classification.iterfind("lom:taxonPath/lom:taxon", NS):
            entry = _first(_lom_strings(taxon, "lom:entry")) or ""
            found.append((normalise_text(taxon.findtext("lom:id", default="", namespaces=NS)), entry))
    return found


def _grade(value: str) -> int | None:
    match = _GRADE.match(value)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 11 else None


def _from_lom(lom: etree._Element) -> dict[str, Any]:
    subjects = _taxa(lom, "discipline")
    subject_codes = [m.group(1) for taxon_id, _ in subjects if (m := _SUBJECT_URI.search(taxon_id))]
    grades = {g for pair in _taxa(lom, "educational level") for value in pair if (g := _grade(value))}
    topics = [m.group(1) for taxon_id, _ in _taxa(lom, "educational objective") if (m := _TOPIC_URI.search(taxon_id))]
    contributions = [  # a vCard is read line by line: its text is taken as it is
        (
            normalise_text(c.findtext("lom:role/lom:value", default="", namespaces=NS)),
            [e.text for e in c.iterfind("lom:entity", NS) if e.text],
        )
        for c in lom.iterfind("lom:lifeCycle/lom:contribute", NS)
    ]
    names = [(role, name) for role, entities in contributions for e in entities if (name := _vcard_name(e))]
    authors = [name for role, name in names if role == "author"]
    publishers = [name for role, name in names if role == "publisher"]
    rights = _lom_strings(lom, "lom:rights/lom:description")
    cost = normalise_text(lom.findtext("lom:rights/lom:cost/lom:value", default="", namespaces=NS))
    types = [
        (normalise_text(t.findtext("lom:source", default="", namespaces=NS)), _texts(t, "lom:value"))
        for t in lom.iterfind("lom:educational/lom:learningResourceType", NS)
    ]
    duration = _first(_texts(lom, "lom:educational/lom:typicalLearningTime/lom:duration"))
    ages = _first(_lom_strings(lom, "lom:educational/lom:typicalAgeRange"))
    return {
        "title": _first(_lom_strings(lom, "lom:general/lom:title")) or "",
        "description": "\n".join(_lom_strings(lom, "lom:general/lom:description")) or None,
        "keywords": tuple(dict.fromkeys(_lom_strings(lom, "lom:general/lom:keyword"))),
        "url": _http(_texts(lom, "lom:technical/lom:location"))
        or _http(_texts(lom, "lom:general/lom:identifier/lom:entry"))
        or "",
        "language": _language(_texts(lom, "lom:general/lom:language") or _texts(lom, "lom:educational/lom:language")),
        "subject_code": subject_codes[0] if subject_codes else None,
        "subject_name": subjects[0][1] or None if subjects else None,
        "grades": tuple(sorted(grades)),
        "topics": tuple(dict.fromkeys(topics)),
        "authors": tuple(authors),
        "resource_type": _resource_type(
            [v for source, values in types if source != "LOMv1.0" for v in values],
            [v for source, values in types if source == "LOMv1.0" for v in values],
        ),
        "license": _license(rights),
        "access": access_code({"isAccessibleForFree": cost != "yes", "conditionsOfAccess": " ".join(rights)}),
        "duration": duration if duration and _DURATION.match(duration) else None,
        "typical_age_range": ages if ages and _AGES.match(ages) else None,
        "parts": tuple(_lom_parts(lom)),
        "extra": {"publisher": publishers[0]} if publishers else {},
    }


def _lom_parts(lom: etree._Element) -> Iterator[RecordPart]:
    for relation in lom.iterfind("lom:relation", NS):
        if normalise_text(relation.findtext("lom:kind/lom:value", default="", namespaces=NS)) != "haspart":
            continue
        url = _http(_texts(relation, "lom:resource/lom:identifier/lom:entry"))
        if url:
            title = _first(_lom_strings(relation, "lom:resource/lom:description")) or ""
            yield RecordPart(kind=_PART_KINDS.get(title.lower(), PartKind.OTHER), title=title, url=url)


def _from_dc(dc: etree._Element) -> dict[str, Any]:
    subjects = _texts(dc, "dc:subject")
    grades = {grade for value in subjects if (grade := _grade(value))}
    topical = [value for value in subjects if _grade(value) is None]
    topics = [m.group(1) for value in _texts(dc, "dc:relation") if (m := _TOPIC_URI.search(value))]
    rights = _texts(dc, "dc:rights")
    types = _texts(dc, "dc:type")
    return {
        "title": _first(_texts(dc, "dc:title")) or "",
        "description": "\n".join(_texts(dc, "dc:description")) or None,
        "keywords": tuple(dict.fromkeys(topical[1:])),
        "url": _http(_texts(dc, "dc:identifier")) or "",
        "language": _language(_texts(dc, "dc:language")),
        "subject_name": topical[0] if topical else None,
        "grades": tuple(sorted(grades)),
        "topics": tuple(dict.fromkeys(topics)),
        "authors": tuple(_texts(dc, "dc:creator")),
        "resource_type": _resource_type(types, types),
        "license": _license(rights),
        "access": "free",
        "extra": {"publisher": publisher} if (publisher := _first(_texts(dc, "dc:publisher"))) else {},
    }


_READERS: dict[str, Callable[[etree._Element], dict[str, Any]]] = {
    f"{{{NS['lom']}}}lom": _from_lom,
    "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc": _from_dc,
}


def read_metadata(content: etree._Element) -> dict[str, Any] | None:
    """The record fields a metadata element holds, or ``None`` for a format the catalog does not read."""
    reader = _READERS.get(content.tag)
    return reader(content) if reader is not None else None
