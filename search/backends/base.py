"""The interface every search backend implements, and the behaviour they share.

A backend is configured like a Django cache (``settings.SEARCH_BACKENDS``) and built by
``search.backends.get_search_backend()``. Its collaborators are class attributes, so a project can swap
one part (say, how facet labels are produced) by subclassing that part only:

- ``query_compiler_class`` turns a :class:`~search.query.SearchQuery` into the backend's request;
- ``results_class`` turns the backend's answer into :class:`~search.query.SearchResults`.

The shared :meth:`BaseSearchBackend.search` plans the query (grades, subjects, exam and test words, the
required words with their synonyms: :mod:`search.relaxation`), fixes a wrong keyboard layout, and calls the
backend's :meth:`~BaseSearchBackend.execute` in passes — strict, with the backend's typo tolerance, then
relaxed — so that a query finds nothing only when none of its words matches anything.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..documents import SearchDocument
from ..layout import convert_layout, fix_layout
from ..query import SearchQuery, SearchResults
from ..relaxation import QueryPlan, QueryWord, corrected_text, explain, plan_query
from ..understanding import names_known_terms

ProgressCallback = Callable[[int], None]
DEFAULT_CHUNK_SIZE = 500


class SearchBackendError(Exception):
    """The backend failed to do what was asked (a rejected request, a failed bulk write)."""


class SearchBackendUnavailable(SearchBackendError):
    """The backend cannot be reached (connection refused, timeout)."""


class IndexNotFound(SearchBackendError):
    """The index or alias the backend works on does not exist yet."""


@dataclass(frozen=True)
class BackendStatus:
    """What an operator needs to know about a backend: reachable, which index, how many documents."""

    backend: str
    reachable: bool
    alias: str | None = None
    index: str | None = None
    documents: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class RebuildResult:
    """The outcome of a full rebuild: the new index now behind the alias and what it replaced."""

    index: str
    documents: int
    replaced: tuple[str, ...] = ()


class BaseSearchBackend(ABC):
    """A search backend. Subclasses implement :meth:`execute`, indexing and the maintenance operations."""

    name: ClassVar[str] = "base"
    query_compiler_class: ClassVar[type[Any]]
    results_class: ClassVar[type[Any]]

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params = dict(params or {})
        self.index_prefix = str(self.params.get("INDEX_PREFIX") or "catalog")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.index_prefix!r}>"

    # Searching

    def search(self, query: SearchQuery) -> SearchResults:
        """Run ``query``; a query typed on the wrong keyboard layout is retyped («lhj,b» → «дроби»).

        The retyped text is used at once when it clearly reads as Russian, and otherwise only when the
        text as typed finds nothing. School abbreviations («днк», «кпд») are never retyped. When no document
        has every word, the relaxed pass answers (:meth:`answer`). ``SearchResults.corrected_text`` says
        which text was used.
        """
        known = names_known_terms(query.text) if query.text else True
        corrected = None if known else fix_layout(query.text)
        if corrected is not None:
            return self._corrected(self.answer(query, corrected), query, corrected)
        results = self.answer(query, query.text)
        if results.total == 0 and query.text and not known:
            retyped = convert_layout(query.text)
            if retyped is not None and retyped != query.text:
                retry = self.answer(query, retyped)
                if retry.total:
                    return self._corrected(retry, query, retyped)
        return results

    def answer(self, query: SearchQuery, text: str) -> SearchResults:
        """``text`` in passes: strict; strict with the backend's spelling alternatives; relaxed (any word)."""
        plan = plan_query(text)
        results = self.execute(query, plan)
        if results.total == 0 and plan.words:
            spellings = self.spellings([word for word in plan.words if len(word.stems) == 1])
            if spellings:
                plan = plan.with_spellings(spellings)
                results = self.execute(query, plan)
        if results.total == 0 and len(plan.words) > 1:
            plan = plan.relax()
            results = self.execute(query, plan)
        return self._explained(results, plan)

    @abstractmethod
    def execute(self, query: SearchQuery, plan: QueryPlan) -> SearchResults:
        """Run ``query`` as ``plan`` says (its text may differ from ``query.text``; cursors stay bound to
        ``query``): the strict pass needs every required word, the relaxed one any of them."""

    def spellings(self, words: Sequence[QueryWord]) -> dict[str, tuple[str, ...]]:
        """Index stems a misspelt single word may stand for, by its stem; none by default (the engines'
        queries are fuzzy)."""
        return {}

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        """Titles completing what has been typed so far, best first."""
        raise NotImplementedError("This search backend does not support suggestions")

    # Indexing

    @abstractmethod
    def index_documents(self, documents: Iterable[SearchDocument]) -> int:
        """Add or replace documents (by id); returns how many were written."""

    @abstractmethod
    def delete_documents(self, ids: Sequence[str]) -> int:
        """Remove documents by id (unknown ids are ignored); returns how many were asked to go."""

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        progress: ProgressCallback | None = None,
    ) -> RebuildResult:
        """Write every document into a new versioned index, then point the alias at it in one step."""
        raise NotImplementedError("This search backend does not support rebuilding")

    def refresh(self) -> None:  # noqa: B027 - optional hook, a no-op where writes are visible at once
        """Make recent writes visible to searches (engines refresh on their own within a second)."""

    # Operations

    @abstractmethod
    def ping(self) -> bool:
        """Whether the backend answers at all."""

    def status(self) -> BackendStatus:
        """Reachability, index and document count, for a health endpoint or a management command."""
        return BackendStatus(backend=self.name, reachable=self.ping())

    @staticmethod
    def _corrected(results: SearchResults, query: SearchQuery, corrected: str) -> SearchResults:
        if results.corrected_text is not None:
            corrected = results.corrected_text
        return dataclasses.replace(results, query_text=query.text, corrected_text=corrected)

    @staticmethod
    def _explained(results: SearchResults, plan: QueryPlan) -> SearchResults:
        """The results with what the query was understood as and what the shown hits make of its words."""
        notices = explain(plan, [hit.document for hit in results.hits])
        parsed = plan.parsed
        recognised = {"grades": list(parsed.grades), "subjects": list(parsed.subjects), "exam": parsed.exam}
        recognised["assessment"] = parsed.assessment
        corrected = corrected_text(plan.text, notices.corrections) if notices.corrections else None
        return dataclasses.replace(
            results,
            relaxed=plan.relaxed,
            unmatched=notices.unmatched,
            recognised=recognised,
            corrected_text=corrected,
        )


def chunked(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """``items`` in lists of at most ``size`` (the last one shorter), without reading ahead."""
    if size < 1:
        raise ValueError("chunk size must be positive")
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
