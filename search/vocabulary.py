"""Curriculum vocabulary the search needs without a database: subjects, grades, levels, aliases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from content_repo.text.analysis import stem, tokenize

DATA_DIR = Path(__file__).resolve().parent / "data"
SUBJECTS_FILE = DATA_DIR / "subjects.json"
ALIASES_FILE = DATA_DIR / "subject_aliases.json"
INTENTS_FILE = DATA_DIR / "intents.json"

LEVEL_TITLES = {
    "NOO": "Начальное общее образование",
    "OOO": "Основное общее образование",
    "SOO": "Среднее общее образование",
}
EXAM_TITLES = {"EGE": "ЕГЭ", "OGE": "ОГЭ", "VPR": "ВПР"}
ALIGNMENT_TITLES = {"confirmed": "подтверждена методистом", "suggested": "предложена автоматически"}
GRADES = range(1, 12)


@dataclass(frozen=True, slots=True)
class Subject:
    """A school subject of the curriculum."""

    code: str
    title: str
    levels: tuple[str, ...]
    grades: tuple[int, ...]


@lru_cache(maxsize=1)
def subjects() -> dict[str, Subject]:
    """Subjects by code, from ``search/data/subjects.json``."""
    data = _load(SUBJECTS_FILE)
    return {
        item["code"]: Subject(item["code"], item["title"], tuple(item["levels"]), tuple(item["grades"]))
        for item in data["subjects"]
    }


@lru_cache(maxsize=1)
def subject_aliases() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Alias phrase (stems of all its words, stop words kept) → subject codes, in data file order."""
    return _invert(_load(ALIASES_FILE)["subjects"])


@dataclass(frozen=True, slots=True)
class Intent:
    """What an exam or assessment word asks for: resources of these types (and of these grades, for an exam)."""

    code: str
    types: tuple[str, ...]
    grades: tuple[int, ...]


@lru_cache(maxsize=1)
def intents() -> dict[str, Intent]:
    """Intents by code (``EGE``, ``OGE``, ``VPR``, ``assessment``), from ``search/data/intents.json``."""
    data = _load(INTENTS_FILE)["intents"]
    return {code: Intent(code, tuple(item["types"]), tuple(item["grades"])) for code, item in data.items()}


@lru_cache(maxsize=1)
def intent_aliases() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Alias phrase (stems, stop words kept) → intent codes: exams and assessment words."""
    return _invert({code: item["words"] for code, item in _load(INTENTS_FILE)["intents"].items()})


@lru_cache(maxsize=1)
def exam_aliases() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Analysed alias phrase → exam codes (``EGE``, ``OGE``, ``VPR``)."""
    return {phrase: codes for phrase, codes in intent_aliases().items() if set(codes) & set(EXAM_TITLES)}


def grade_label(grade: int | str) -> str:
    """«5 класс»."""
    return f"{grade} класс"


def _invert(names_by_code: dict[str, list[str]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    inverted: dict[tuple[str, ...], list[str]] = {}
    for code, names in names_by_code.items():
        for name in names:
            codes = inverted.setdefault(tuple(stem(token) for token in tokenize(name)), [])
            if code not in codes:
                codes.append(code)
    return {phrase: tuple(codes) for phrase, codes in inverted.items() if phrase}


def _load(path: Any) -> Any:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def facet_label(facet: str, value: str) -> str:
    """A human label for a facet value: subject and level titles, «5 класс»; other values as they are."""
    if facet == "subject" and value in subjects():
        return subjects()[value].title
    if facet == "grade":
        return grade_label(value)
    if facet == "level":
        return LEVEL_TITLES.get(value, value)
    if facet == "alignment":
        return ALIGNMENT_TITLES.get(value, value)
    return value
