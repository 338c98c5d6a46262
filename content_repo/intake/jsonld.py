"""The JSON-LD reader: schema.org ``LearningResource`` objects (the vendor feed format) → normalised records.

The Учи.ру partner feed, any vendor's feed and the vendor API's JSON-LD documents use it. One object is
one resource; every rule an object breaks is reported at once, each naming its field in the object's own
terms (``educationalAlignment[2].targetName``), so a vendor fixes a line in one go. The rules and the
field mapping are documented in docs/importers.md («Формат фида поставщика»).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .records import HarvestedRecord
from .safe_json import InvalidJSON, load_json
from .text import normalise_text
from .validation import FieldProblem

__all__ = [
    "MAX_DESCRIPTION_LENGTH",
    "FeedLine",
    "InvalidDocument",
    "access_code",
    "is_learning_resource",
    "license_code",
    "parse_json",
    "read_learning_resource",
    "read_lines",
]

MAX_DESCRIPTION_LENGTH = 5000
_GRADE_LEVEL = re.compile(r"^(\d{1,2})\s+класс$")
_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_TOPIC_CODE = re.compile(r"^[a-z_]+(-adv)?(\.\d+)+$")
_TOPIC_URL = re.compile(r"/curriculum/topics/([a-z_]+(?:-adv)?(?:\.\d+)+)/?$")
_CC_LICENSE = re.compile(r"creativecommons\.org/licenses/(by(?:-nc)?(?:-sa|-nd)?)/(\d\.\d)", re.IGNORECASE)

RESOURCE_TYPES = {
    "интерактивный курс": "course",
    "курс": "course",
    "тренажёр": "trainer",
    "тренажер": "trainer",
    "проверочная работа": "test",
    "тест": "test",
    "урок": "lesson",
    "видеоурок": "video_lesson",
    "интерактивное задание": "interactive_task",
    "теория": "theory",
    "презентация": "presentation",
    "рабочий лист": "worksheet",
    "электронный учебник": "textbook",
    "виртуальная лаборатория": "virtual_lab",
}
_JSON_TYPES = {list: "массив", dict: "объект", str: "строка", int: "число", float: "число", bool: "логическое значение"}


class InvalidDocument(ValueError):
    """A line or body is not a JSON object at all; ``field`` is ``line`` (or ``body``)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class FeedLine:
    """One non-blank line of a feed with its 1-based number."""

    number: int
    raw: bytes


def read_lines(lines: Iterable[bytes]) -> Iterator[FeedLine]:
    """Number the lines of a feed and drop blank ones, streaming."""
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped:
            yield FeedLine(number=number, raw=stripped)


def parse_json(raw: bytes | str, field: str = "line") -> dict[str, Any]:
    """Decode one JSON object with the strict check of :mod:`.safe_json`; a problem names its place."""
    try:
        value = load_json(raw)
    except InvalidJSON as error:
        raise InvalidDocument(error.path or field, error.message) from error
    if not isinstance(value, dict):
        raise InvalidDocument(field, f"ожидается JSON-объект, получено: {_JSON_TYPES.get(type(value), 'значение')}")
    return value


def is_learning_resource(document: Mapping[str, Any]) -> bool:
    """Whether a document is JSON-LD (it names a ``@type`` or a ``@context``) rather than catalog fields."""
    return "@type" in document or "@context" in document


def read_learning_resource(
    item: Mapping[str, Any], *, source: str, provider: str
) -> tuple[HarvestedRecord | None, list[FieldProblem]]:
    """The record a ``LearningResource`` object describes, or every rule it breaks."""
    problems = _check(item)
    if problems:
        return None, problems
    return _record(item, source, provider), []


def _check(item: Mapping[str, Any]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    types = item.get("@type")
    if not (types == "LearningResource" or (isinstance(types, list) and "LearningResource" in types)):
        problems.append(FieldProblem("@type", f"{str(types)[:60]!r} — не LearningResource"))
    for name in ("identifier", "name", "url"):
        if name not in item:
            problems.append(FieldProblem(name, "обязательное поле отсутствует"))
        elif not isinstance(item[name], str):
            problems.append(FieldProblem(name, f"ожидается строка, получено: {_JSON_TYPES.get(type(item[name]))}"))
        elif name != "url" and not normalise_text(item[name]):
            problems.append(FieldProblem(name, "пустое значение"))
    if isinstance(item.get("url"), str):
        problems += _check_url("url", item["url"])
    problems += _check_alignment(item.get("educationalAlignment"))
    if "isAccessibleForFree" in item and not isinstance(item["isAccessibleForFree"], bool):
        problems.append(
            FieldProblem("isAccessibleForFree", f"ожидается true или false, получено {item['isAccessibleForFree']!r}")
        )
    description = item.get("description")
    if description is not None:
        if not isinstance(description, str):
            problems.append(FieldProblem("description", "ожидается строка"))
        elif len(description) > MAX_DESCRIPTION_LENGTH:
            problems.append(
                FieldProblem("description", f"{len(description)} символов, больше предела {MAX_DESCRIPTION_LENGTH}")
            )
    for name in ("timeRequired", "embedUrl", "typicalAgeRange", "inLanguage", "learningResourceType"):
        if name in item and item[name] is not None and not isinstance(item[name], str):
            problems.append(FieldProblem(name, "ожидается строка"))
    if isinstance(item.get("timeRequired"), str) and not _ISO_DURATION.match(item["timeRequired"]):
        problems.append(
            FieldProblem("timeRequired", f"ожидается длительность ISO 8601 (PT45M): {item['timeRequired']!r}")
        )
    return problems


def _check_url(field: str, url: str) -> list[FieldProblem]:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port out of range or not a number raises here
    except ValueError:
        return [FieldProblem(field, f"{url[:80]!r} — неверный адрес")]
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return [FieldProblem(field, f"{url[:80]!r} — не абсолютный адрес http(s)")]
    return []


def _check_alignment(alignment: Any) -> list[FieldProblem]:
    field = "educationalAlignment"
    if not isinstance(alignment, list) or not all(isinstance(entry, dict) for entry in alignment):
        return [FieldProblem(field, "ожидается массив объектов AlignmentObject")]
    problems = []
    subjects = [entry for entry in alignment if entry.get("alignmentType") == "educationalSubject"]
    if len(subjects) != 1 or not isinstance(subjects[0].get("targetName"), str):
        problems.append(
            FieldProblem(field, f"нужен ровно один educationalSubject с targetName, найдено {len(subjects)}")
        )
    levels = [(i, entry) for i, entry in enumerate(alignment) if entry.get("alignmentType") == "educationalLevel"]
    if not levels:
        problems.append(FieldProblem(field, "нужен хотя бы один educationalLevel («N класс»)"))
    for i, entry in levels:
        if _grade_of(entry.get("targetName")) is None:
            problems.append(
                FieldProblem(
                    f"{field}[{i}].targetName",
                    f"неизвестный класс {str(entry.get('targetName'))[:40]!r} (классы: «1 класс»–«11 класс»)",
                )
            )
    return problems


def _grade_of(target_name: Any) -> int | None:
    match = _GRADE_LEVEL.match(normalise_text(target_name)) if isinstance(target_name, str) else None
    grade = int(match.group(1)) if match else 0
    return grade if 1 <= grade <= 11 else None


def license_code(value: Any) -> str:
    """A licence URL or text as a vocabulary code; anything but Creative Commons is «commercial»."""
    text = str(value or "")
    cc = _CC_LICENSE.search(text)
    if cc:
        return f"cc-{cc.group(1).lower()}-{cc.group(2)}"
    if "publicdomain/zero" in text:
        return "cc0-1.0"
    if "publicdomain/mark" in text:
        return "public-domain"
    return "commercial"


def access_code(item: Mapping[str, Any]) -> str:
    """``isAccessibleForFree`` plus the wording of ``conditionsOfAccess`` as an access code."""
    conditions = str(item.get("conditionsOfAccess") or "").lower()
    if item.get("isAccessibleForFree") is False:
        return "subscription" if "подписк" in conditions else "paid"
    return "registration" if "регистрац" in conditions else "free"


def _names(value: Any) -> tuple[str, ...]:
    entries = value if isinstance(value, list) else [value]
    names = (entry.get("name") if isinstance(entry, dict) else entry for entry in entries)
    return tuple(normalise_text(name) for name in names if isinstance(name, str) and normalise_text(name))


def _keywords(value: Any) -> tuple[str, ...]:
    entries = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(normalise_text(entry) for entry in entries if isinstance(entry, str) and normalise_text(entry))


def _topic_code(entry: Mapping[str, Any]) -> str | None:
    """A topic named by its code in ``targetName`` or by its catalog URI in ``targetUrl``."""
    name = str(entry.get("targetName") or "")
    if _TOPIC_CODE.match(name):
        return name
    match = _TOPIC_URL.search(str(entry.get("targetUrl") or ""))
    return match.group(1) if match else None


def _record(item: Mapping[str, Any], source: str, provider: str) -> HarvestedRecord:
    alignment = item["educationalAlignment"]
    subject = next(entry for entry in alignment if entry.get("alignmentType") == "educationalSubject")
    grades = [
        _grade_of(entry.get("targetName")) for entry in alignment if entry.get("alignmentType") == "educationalLevel"
    ]
    topics = [code for entry in alignment if entry.get("alignmentType") == "teaches" and (code := _topic_code(entry))]
    kind = normalise_text(str(item.get("learningResourceType") or ""))
    duration = item.get("timeRequired")
    embed_url = item.get("embedUrl")
    description = normalise_text(item["description"]) if item.get("description") else None
    return HarvestedRecord(
        source=source,
        external_id=item["identifier"].strip(),
        url=item["url"].strip(),
        title=normalise_text(item["name"]),
        description=description or None,
        keywords=_keywords(item.get("keywords")),
        subject_name=normalise_text(subject["targetName"]) or None,
        grades=tuple(grade for grade in grades if grade is not None),
        authors=_names(item.get("author")),
        resource_type=RESOURCE_TYPES.get(kind.lower(), "other"),
        license=license_code(item.get("license")),
        access=access_code(item),
        language=str(item.get("inLanguage") or "ru").lower(),
        provider=provider,
        embed_url=embed_url if isinstance(embed_url, str) and embed_url.lower().startswith("https://") else None,
        duration=duration if isinstance(duration, str) else None,
        typical_age_range=str(item["typicalAgeRange"]) if item.get("typicalAgeRange") else None,
        topics=tuple(dict.fromkeys(topics)),
        extra={
            key: item[name]
            for key, name in (
                ("learning_resource_type", "learningResourceType"),
                ("is_accessible_for_free", "isAccessibleForFree"),
                ("conditions_of_access", "conditionsOfAccess"),
                ("license_text", "license"),
                ("educational_level", "educationalLevel"),
                ("date_modified", "dateModified"),
                ("image", "image"),
            )
            if name in item
        },
    )
