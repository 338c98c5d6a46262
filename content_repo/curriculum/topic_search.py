"""Finding curriculum topics by words, the way a methodist types them.

Words are read by the shared Russian analysis (``content_repo.text``: «ё» folded, Snowball stems, stop words),
the last word still being typed counts as a prefix («квадратн» finds «Квадратные уравнения»). A topic is found
by its title, its section's title and the node terms of the alignment engine
(``content_repo/alignment/data/node_terms``: «теорема Виета» finds «Квадратные уравнения»). Every word typed
must be found; a word in the title counts most, then in the terms, then in the section.

The index is built from the topic rows once per process and rebuilt when the topic table changes (a cheap
count-and-latest-id check per search), under a lock: searches from any thread share it read-only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.db.models import Count, Max

from content_repo.text.analysis import analyze, analyze_prefix

from .models import Topic

TITLE_WEIGHT = 3.0
TERM_WEIGHT = 2.0
SECTION_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class _Entry:
    title: frozenset[str]
    terms: frozenset[str]
    section: frozenset[str]


class TopicIndex:
    """Stems of every topic's title, terms and section title, by topic id."""

    def __init__(self, entries: dict[int, _Entry]) -> None:
        self.entries = entries

    @classmethod
    def from_database(cls) -> TopicIndex:
        from content_repo.alignment.curriculum import load_node_terms

        terms = load_node_terms()
        rows = list(Topic.objects.values_list("id", "code", "title", "parent__title"))
        entries = {
            pk: _Entry(
                frozenset(analyze(title)),
                frozenset(stem for term in terms.get(code, ()) for stem in analyze(term)),
                frozenset(analyze(section or "")),
            )
            for pk, code, title, section in rows
        }
        return cls(entries)

    def search(self, text: str, within: Iterable[int] | None = None) -> dict[int, float]:
        """Topic id → score for the topics that have every word of ``text`` (among ``within``, if given)."""
        typed = analyze_prefix(text)
        tests: list[Callable[[frozenset[str]], bool]] = [partial(_has_term, term) for term in typed.terms]
        if typed.prefix:
            tests.append(partial(_has_prefix, typed.prefix))
        if not tests:
            return {}
        ids = self.entries.keys() if within is None else (pk for pk in within if pk in self.entries)
        found = {}
        for pk in ids:
            weights = [_weight(self.entries[pk], test) for test in tests]
            if all(weights):
                found[pk] = sum(weights)
        return found


def _has_term(term: str, stems: frozenset[str]) -> bool:
    return term in stems


def _has_prefix(prefix: str, stems: frozenset[str]) -> bool:
    return any(stem.startswith(prefix) for stem in stems)


def _weight(entry: _Entry, has: Callable[[frozenset[str]], bool]) -> float:
    if has(entry.title):
        return TITLE_WEIGHT
    if has(entry.terms):
        return TERM_WEIGHT
    if has(entry.section):
        return SECTION_WEIGHT
    return 0.0


class _IndexHolder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: TopicIndex | None = None
        self._version: tuple[int, int | None] | None = None

    def get(self) -> TopicIndex:
        state = Topic.objects.aggregate(count=Count("id"), last=Max("id"))
        version = (state["count"], state["last"])
        with self._lock:
            if self._index is None or self._version != version:
                self._index, self._version = TopicIndex.from_database(), version
            return self._index


_holder = _IndexHolder()


def topic_index() -> TopicIndex:
    """The process's topic index (built on first use, rebuilt after the topics change)."""
    return _holder.get()
