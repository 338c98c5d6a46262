"""The results page: its state in the URL (text, filters, order, page), facets to tick, and the notices.

Everything here reads the API's search response (:func:`portal.catalog.search`); the page's URL takes the
API's own parameters (``q``, ``subject``, ``grade``, ``type``, …, ``sort``, ``cursor``) plus ``p``, the
page number shown, so a search can be shared as a link and replayed against the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.html import escape

from search.query import FILTER_NAMES

from .presenters import grades_in_words, plural

FACETS_SHOWN = (
    ("subject", "Предмет"),
    ("grade", "Класс"),
    ("type", "Тип ресурса"),
    ("access", "Доступ"),
    ("license", "Лицензия"),
    ("provider", "Поставщик"),
    ("topic", "Тема программы"),
    ("level", "Уровень образования"),
    ("language", "Язык"),
)
FACET_TITLES = dict(FACETS_SHOWN)
VALUES_SHOWN = 8
SORTS = (("relevance", "по релевантности"), ("newest", "сначала новые"), ("title", "по названию"))
PAGE_PARAMETERS = frozenset({"q", "sort", "cursor", "p", *FILTER_NAMES})
EXAMS = {"EGE": "ЕГЭ", "OGE": "ОГЭ", "VPR": "ВПР"}


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class FacetGroup:
    name: str
    title: str
    choices: list[FacetChoice]
    shown: int = VALUES_SHOWN

    @property
    def first(self) -> list[FacetChoice]:
        return self.choices[: self.shown]

    @property
    def rest(self) -> list[FacetChoice]:
        return self.choices[self.shown :]

    @property
    def selected_count(self) -> int:
        return sum(choice.selected for choice in self.choices)


@dataclass
class Notice:
    """A line above the results; ``html`` is built from escaped parts only."""

    kind: str
    html: str
    links: list[tuple[str, str]] = field(default_factory=list)


def page_params(query: QueryDict) -> QueryDict:
    """The page's own parameters, in the API's spelling: repeated values kept, anything else dropped."""
    kept = QueryDict(mutable=True)
    for name in query:
        if name in PAGE_PARAMETERS:
            values = [value for value in query.getlist(name) if value.strip()]
            if values:
                kept.setlist(name, values)
    return kept


def url_with(params: QueryDict, **changes: list[str] | str | None) -> str:
    """``?…`` with ``changes`` applied (``None`` removes); the cursor and page go whenever anything else
    changes, since a cursor belongs to one query."""
    updated = params.copy()
    if set(changes) - {"cursor", "p"}:
        changes = {"cursor": None, "p": None, **changes}
    for name, value in changes.items():
        if value is None or value == []:
            updated.pop(name, None)
        elif isinstance(value, list):
            updated.setlist(name, value)
        else:
            updated[name] = value
    encoded = updated.urlencode()
    return f"?{encoded}" if encoded else "?"


def selected(params: QueryDict, name: str) -> list[str]:
    """The values of a filter, comma-separated ones split as the API splits them."""
    return [part for value in params.getlist(name) for part in value.split(",") if part]


def facet_groups(response: dict[str, Any], params: QueryDict) -> list[FacetGroup]:
    """The facets to show, each value with its count, whether it is ticked, and the link that toggles it."""
    groups = []
    for name, title in FACETS_SHOWN:
        chosen = selected(params, name)
        values = {item["value"]: item for item in response["facets"].get(name, [])}
        for value in chosen:
            values.setdefault(value, {"value": value, "label": value, "count": 0})
        items = list(values.values())
        if name == "grade":
            items.sort(key=lambda item: int(item["value"]) if item["value"].isdigit() else 99)
        choices = [
            FacetChoice(
                item["value"],
                item["label"],
                item["count"],
                item["value"] in chosen,
                url_with(params, **{name: _toggled(chosen, item["value"])}),
            )
            for item in items
        ]
        if len(choices) > 1 or any(choice.selected for choice in choices):
            groups.append(FacetGroup(name, title, choices))
    return groups


def active_filters(groups: list[FacetGroup]) -> list[tuple[str, str]]:
    """(«Класс: 5 класс», link that removes it) for each ticked value."""
    return [
        (f"{group.title}: {choice.label}", choice.url)
        for group in groups
        for choice in group.choices
        if choice.selected
    ]


def notices(response: dict[str, Any], params: QueryDict, subjects: dict[str, str]) -> list[Notice]:
    """What the search made of the query: a corrected text, words not used, what was recognised, nothing found."""
    query = response["query"]
    found: list[Notice] = []
    if query["corrected"]:
        found.append(
            Notice(
                "corrected",
                f"Показаны результаты по запросу «<strong>{escape(query['corrected'])}</strong>» "
                f"(набрано: «{escape(query['text'])}»).",
            )
        )
    if query["relaxed"] and response["count"]:
        if query["unmatched"]:
            words = ", ".join(f"«{escape(word)}»" for word in query["unmatched"])
            label = plural(len(query["unmatched"]), "слова", "слов", "слов")
            text = (
                "Ни один ресурс не содержит все слова запроса. "
                f"Показаны результаты по части слов — без {label} {words}."
            )
        else:
            text = "Ни один ресурс не содержит все слова запроса. Показаны ресурсы, где есть часть слов."
        found.append(Notice("relaxed", text))
    recognised = query["recognised"]
    understood, links = _understood(recognised, params, subjects)
    if understood and response["count"]:
        found.append(
            Notice(
                "recognised",
                "Учли в запросе: " + ", ".join(escape(part) for part in understood) + ". Подходящие ресурсы — выше.",
                links,
            )
        )
    if not response["count"]:
        found.append(_nothing_found(query["text"], params))
    return found


def _understood(
    recognised: dict[str, Any], params: QueryDict, subjects: dict[str, str]
) -> tuple[list[str], list[tuple[str, str]]]:
    parts: list[str] = []
    links: list[tuple[str, str]] = []
    if recognised["subjects"]:
        titles = [subjects.get(code, code) for code in recognised["subjects"]]
        parts.append(" или ".join(titles))
        if not selected(params, "subject"):
            links.append((f"Только {' / '.join(titles)}", url_with(params, subject=list(recognised["subjects"]))))
    if recognised["grades"]:
        parts.append(grades_in_words(recognised["grades"]))
        if not selected(params, "grade"):
            grades = [str(grade) for grade in recognised["grades"]]
            links.append((f"Только {grades_in_words(recognised['grades'])}", url_with(params, grade=grades)))
    if recognised["exam"]:
        parts.append(f"{EXAMS.get(recognised['exam'], recognised['exam'])} — сначала тесты и тренажёры")
    elif recognised["assessment"]:
        parts.append("проверочные материалы — сначала тесты")
    return parts, links


def _nothing_found(text: str, params: QueryDict) -> Notice:
    filters = [name for name in FILTER_NAMES if selected(params, name)]
    links = []
    if filters:
        links.append(("Искать без фильтров", url_with(params, **{name: None for name in filters})))
    links.append(("Открыть программу по предметам", "/curriculum/"))
    words = f" по запросу «{escape(text)}»" if text else ""
    return Notice(
        "empty",
        f"Ничего не нашлось{words}. Проверьте фильтры или поищите по теме программы.",
        links,
    )


def _toggled(chosen: list[str], value: str) -> list[str]:
    return [item for item in chosen if item != value] if value in chosen else [*chosen, value]
