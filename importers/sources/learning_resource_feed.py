"""The vendor feed format: JSON Lines of schema.org ``LearningResource`` objects (JSON-LD).

The Учи.ру partner feed uses it, and so can any vendor. One line is one resource; a line that breaks
a rule is rejected with its line number and the reason, and the rest of the feed is still read.
The rules and the field mapping are documented in docs/importers.md («Формат фида поставщика»).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from importers.html import normalise_text
from importers.records import HarvestedRecord

__all__ = [
    "MAX_DESCRIPTION_LENGTH",
    "FeedLine",
    "InvalidItem",
    "parse_line",
    "read_lines",
    "record_from_item",
    "validate_item",
]

MAX_DESCRIPTION_LENGTH = 5000
_GRADE_LEVEL = re.compile(r"^(\d{1,2})\s+класс$")
_ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_TOPIC_CODE = re.compile(r"^[a-z_]+(-adv)?(\.\d+)+$")
_CC_LICENSE = re.compile(r"creativecommons\.org/licenses/(by(?:-nc)?(?:-sa|-nd)?)/(\d\.\d)", re.IGNORECASE)

_RESOURCE_TYPES = {
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


_JSON_TYPES = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


class InvalidItem(ValueError):
    """A feed object breaks a rule; ``field`` names the offending field."""

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
    """Number the lines of a feed and drop blank ones (rule 8), streaming."""
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped:
            yield FeedLine(number=number, raw=stripped)


def parse_line(raw: bytes | str) -> dict[str, Any]:
    """Parse one line into a validated object (rules 1–7); raises :class:`InvalidItem`."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        item = json.loads(text)
    except UnicodeDecodeError as error:
        raise InvalidItem("line", f"not UTF-8: {error}") from error
    except json.JSONDecodeError as error:
        raise InvalidItem("line", f"not valid JSON: {error.msg} at column {error.colno}") from error
    if not isinstance(item, dict):
        raise InvalidItem("line", f"not a JSON object but a JSON {_JSON_TYPES.get(type(item), 'value')}")
    validate_item(item)
    return item


def validate_item(item: Mapping[str, Any]) -> None:
    """Check the rules of docs/importers.md on a parsed object; raises :class:`InvalidItem`."""
    types = item.get("@type")
    if not (types == "LearningResource" or (isinstance(types, list) and "LearningResource" in types)):
        raise InvalidItem("@type", f"{types!r} is not a LearningResource")
    for name in ("identifier", "name", "url"):
        if name not in item:
            raise InvalidItem(name, "required field is missing")
        if not isinstance(item[name], str):
            raise InvalidItem(name, f"must be a string, not {type(item[name]).__name__}")
        if name != "url" and not normalise_text(item[name]):
            raise InvalidItem(name, "is empty")
    _check_url(item["url"])
    _check_alignment(item.get("educationalAlignment"))
    free = item.get("isAccessibleForFree")
    if "isAccessibleForFree" in item and not isinstance(free, bool):
        raise InvalidItem("isAccessibleForFree", f"must be a JSON boolean, not {free!r}")
    description = item.get("description")
    if description is not None:
        if not isinstance(description, str):
            raise InvalidItem("description", "must be a string")
        if len(description) > MAX_DESCRIPTION_LENGTH:
            raise InvalidItem(
                "description",
                f"{len(description)} characters, more than the limit of {MAX_DESCRIPTION_LENGTH}",
            )


def _check_url(url: str) -> None:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidItem("url", f"{url[:80]!r} is not an absolute http(s) URL")


def _check_alignment(alignment: Any) -> None:
    if not isinstance(alignment, list) or not all(isinstance(entry, dict) for entry in alignment):
        raise InvalidItem("educationalAlignment", "must be a list of AlignmentObject objects")
    subjects = [entry for entry in alignment if entry.get("alignmentType") == "educationalSubject"]
    levels = [entry for entry in alignment if entry.get("alignmentType") == "educationalLevel"]
    if len(subjects) != 1 or not isinstance(subjects[0].get("targetName"), str):
        raise InvalidItem("educationalAlignment", f"needs exactly one educationalSubject, found {len(subjects)}")
    if not levels:
        raise InvalidItem("educationalAlignment", "needs at least one educationalLevel («N класс»)")
    for level in levels:
        _grade_of(level.get("targetName"))


def _grade_of(target_name: Any) -> int:
    match = _GRADE_LEVEL.match(normalise_text(target_name)) if isinstance(target_name, str) else None
    grade = int(match.group(1)) if match else 0
    if not 1 <= grade <= 11:
        raise InvalidItem("educationalAlignment", f"unknown grade {target_name!r} (grades are «1 класс»–«11 класс»)")
    return grade


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


def record_from_item(item: Mapping[str, Any], source: str, provider: str) -> HarvestedRecord:
    """Map a validated feed object to a record (see docs/importers.md for the field mapping)."""
    alignment = item["educationalAlignment"]
    subject = next(entry for entry in alignment if entry.get("alignmentType") == "educationalSubject")
    grades = [
        _grade_of(entry.get("targetName")) for entry in alignment if entry.get("alignmentType") == "educationalLevel"
    ]
    topics = [
        entry["targetName"]
        for entry in alignment
        if entry.get("alignmentType") == "teaches" and _TOPIC_CODE.match(str(entry.get("targetName", "")))
    ]
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
        grades=tuple(grades),
        authors=_names(item.get("author")),
        resource_type=_RESOURCE_TYPES.get(kind.lower(), "other"),
        license=license_code(item.get("license")),
        access=access_code(item),
        language=str(item.get("inLanguage") or "ru").lower(),
        provider=provider,
        embed_url=embed_url if isinstance(embed_url, str) and embed_url.lower().startswith("https://") else None,
        duration=duration if isinstance(duration, str) and _ISO_DURATION.match(duration) else None,
        typical_age_range=str(item["typicalAgeRange"]) if item.get("typicalAgeRange") else None,
        topics=tuple(topics),
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
