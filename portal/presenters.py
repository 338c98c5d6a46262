"""What the API's codes mean for a teacher, in plain words: licences, access, lesson parts, files, levels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from content_repo.resources.models import ResourceFile, ResourcePart

LEVELS = {
    "NOO": "Начальная школа, 1–4 классы",
    "OOO": "Основная школа, 5–9 классы",
    "SOO": "Старшая школа, 10–11 классы",
}
LEVEL_ORDER = tuple(LEVELS)

ACCESS = {
    "free": "Бесплатно, без регистрации",
    "registration": "Бесплатно, нужна регистрация на сайте источника",
    "subscription": "По подписке у поставщика",
    "paid": "Платно",
    "contract": "По договору с поставщиком (например, для школ региона)",
}

# What a teacher may do with the material under each licence.
LICENCES = {
    "cc-by-4.0": "Можно копировать, показывать и изменять, в том числе для своих материалов, указав автора.",
    "cc-by-3.0": "Можно копировать, показывать и изменять, указав автора.",
    "cc-by-sa-4.0": "Можно копировать и изменять, указав автора; изменённое — под той же лицензией.",
    "cc-by-sa-3.0": "Можно копировать и изменять, указав автора; изменённое — под той же лицензией.",
    "cc-by-nd-4.0": "Можно копировать и показывать без изменений, указав автора.",
    "cc-by-nc-4.0": "Можно копировать и изменять для некоммерческих целей (урок — можно), указав автора.",
    "cc-by-nc-sa-4.0": "Можно копировать и изменять для некоммерческих целей, указав автора; изменённое — под "
    "той же лицензией.",
    "cc-by-nc-nd-4.0": "Можно показывать и раздавать без изменений для некоммерческих целей, указав автора.",
    "cc0-1.0": "Можно использовать как угодно, без ограничений.",
    "public-domain": "Общественное достояние: можно использовать как угодно.",
    "all-rights-reserved-free-view": "Можно смотреть и показывать на уроке с сайта источника; копировать и "
    "изменять нельзя.",
    "commercial": "Пользоваться можно на условиях поставщика (обычно — по подписке или договору школы).",
}
UNKNOWN_LICENCE = "Условия использования не указаны — уточните у поставщика."

PART_KINDS = dict(ResourcePart.Kind.choices)
FILE_ROLES = dict(ResourceFile.Role.choices)


def access_in_words(access: dict[str, Any] | None) -> str:
    if not access:
        return "Условия доступа не указаны"
    return ACCESS.get(access["code"], access["label"])


def licence_in_words(licence: dict[str, Any] | None) -> str:
    if not licence:
        return UNKNOWN_LICENCE
    return LICENCES.get(licence["code"], UNKNOWN_LICENCE)


def part(item: dict[str, Any]) -> dict[str, Any]:
    """A lesson part of the API with the name of its kind."""
    return {**item, "kind_label": PART_KINDS.get(item["kind"], item["kind"])}


def file(item: dict[str, Any]) -> dict[str, Any]:
    """A file of the API with the name of its role and its size in words."""
    return {**item, "role_label": FILE_ROLES.get(item["role"], item["role"]), "size_label": file_size(item["size"])}


def grades_in_words(grades: Iterable[int]) -> str:
    """«5 класс», «5–6 классы», «2, 4 классы»."""
    ordered = sorted(set(grades))
    if not ordered:
        return ""
    if len(ordered) == 1:
        return f"{ordered[0]} класс"
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]} классы"
    return ", ".join(map(str, ordered)) + " классы"


def file_size(size: int) -> str:
    """«340 КБ», «2,4 МБ»."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} КБ"
    return f"{size / 1024 / 1024:.1f} МБ".replace(".", ",")


def plural(count: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 ресурс, 2 ресурса, 5 ресурсов."""
    tail = count % 100
    if 11 <= tail <= 14:
        return many
    if count % 10 == 1:
        return one
    if 2 <= count % 10 <= 4:
        return few
    return many
