"""The search document: what is indexed for a resource, built from plain values (no Django model needed).

The lead's indexing code turns a published ``Resource`` into a :class:`SearchDocument` with
:func:`build_document` and hands it to ``get_search_backend().index_documents([...])``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from content_repo.text.analysis import normalize, sort_key

# API filter/facet name → document field (see search/query.py FILTER_NAMES).
FILTER_FIELDS: Mapping[str, str] = {
    "subject": "subjects",
    "grade": "grades",
    "level": "levels",
    "topic": "topics",
    "alignment": "alignment",
    "confirmed_topic": "confirmed_topics",
    "type": "resource_type",
    "license": "license",
    "access": "access",
    "provider": "provider",
    "language": "language",
    "source": "source",
}

# Full-text fields and their weights, shared by the engine query and the embedded backend's ranking.
TEXT_FIELDS: Mapping[str, float] = {
    "title": 4.0,
    "keywords": 2.0,
    "topic_titles": 2.0,
    "description": 1.0,
    "provider_name": 1.0,
}

HIGHLIGHT_FIELDS = ("title", "description")


@dataclass(frozen=True)
class SearchDocument:
    """A published resource as the search index sees it.

    ``topics`` holds the codes of the aligned topics *and* of their parent sections, so filtering by a
    section finds the resources aligned to its topics; ``confirmed_topics`` the same for the alignments a
    methodist confirmed. ``alignment`` holds the statuses of its alignments (``confirmed``, ``suggested``).
    ``title_sort`` and ``suggest`` are derived.
    """

    id: str
    title: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    topic_titles: tuple[str, ...] = ()
    provider_name: str = ""
    subjects: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()
    levels: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    confirmed_topics: tuple[str, ...] = ()
    alignment: tuple[str, ...] = ()
    resource_type: str = ""
    license: str = ""
    access: str = ""
    language: str = "ru"
    source: str = ""
    provider: str = ""
    published_at: datetime | None = None
    url: str = ""
    external_id: str = ""
    published: bool = True
    title_sort: str = field(default="", compare=False)
    suggest: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a search document needs an id")
        if not self.title_sort:
            object.__setattr__(self, "title_sort", sort_key(self.title))
        if not self.suggest:
            object.__setattr__(self, "suggest", suggest_inputs(self.title, self.keywords))

    def to_source(self) -> dict[str, Any]:
        """The JSON-ready body stored in the index (lists for tuples, ISO 8601 for the date)."""
        source = self._values()
        for name, value in source.items():
            if isinstance(value, tuple):
                source[name] = list(value)
        return source

    def to_json(self) -> str:
        """:meth:`to_source` as :func:`compact_json` text, what the engine stores for this document.

        Tuples are written as JSON arrays straight away, without the list copies :meth:`to_source` makes.
        """
        return compact_json(self._values())

    def _values(self) -> dict[str, Any]:
        # Shallow on purpose: values are strings, numbers and tuples of them (asdict() deep-copies, slowly).
        values = {name: getattr(self, name) for name in _FIELD_NAMES}
        values["published_at"] = self.published_at.isoformat() if self.published_at else None
        return values

    @classmethod
    def from_source(cls, source: Mapping[str, Any]) -> SearchDocument:
        """Rebuild a document from :meth:`to_source` output (or a fixture record)."""
        values = {name: source[name] for name in cls.__dataclass_fields__ if name in source}
        for name, value in values.items():
            if isinstance(value, list):
                values[name] = tuple(value)
        published_at = values.get("published_at")
        if isinstance(published_at, str):
            values["published_at"] = datetime.fromisoformat(published_at)
        return cls(**values)


_FIELD_NAMES = tuple(f.name for f in fields(SearchDocument))
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact_json(value: Any) -> str:
    """``value`` as JSON the way the engine clients write it: UTF-8 text (no ``\\u`` escapes), no spaces."""
    return _JSON_ENCODER.encode(value)


def build_document(
    *,
    id: str | int,
    title: str,
    topic_codes: Iterable[str] = (),
    topic_parents: Mapping[str, str | None] | None = None,
    confirmed_topic_codes: Iterable[str] = (),
    **values: Any,
) -> SearchDocument:
    """A :class:`SearchDocument` from plain values; topic codes (all, and confirmed) are widened with their
    ancestors.

    ``topic_parents`` maps a topic code to its parent code (``None`` for a section); it usually comes
    from the curriculum app.
    """
    for name in ("keywords", "topic_titles", "subjects", "levels", "alignment"):
        if name in values:
            values[name] = tuple(dict.fromkeys(values[name]))
    if "grades" in values:
        values["grades"] = tuple(sorted({int(grade) for grade in values["grades"]}))
    topics = with_ancestors(topic_codes, topic_parents or {})
    confirmed = with_ancestors(confirmed_topic_codes, topic_parents or {})
    return SearchDocument(id=str(id), title=title, topics=topics, confirmed_topics=confirmed, **values)


def with_ancestors(codes: Iterable[str], parents: Mapping[str, str | None]) -> tuple[str, ...]:
    """``codes`` followed by every ancestor not already listed (cycles in bad data are cut)."""
    result: dict[str, None] = {}
    for code in codes:
        current: str | None = code
        while current and current not in result:
            result[current] = None
            current = parents.get(current)
    return tuple(result)


def suggest_inputs(title: str, keywords: Iterable[str] = ()) -> tuple[str, ...]:
    """Phrases offered as completions: the title and the keywords, normalised and de-duplicated."""
    phrases = (title, *keywords)
    return tuple(dict.fromkeys(" ".join(normalize(phrase).split()) for phrase in phrases if phrase.strip()))
