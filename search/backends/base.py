"""The interface every search backend implements, and the behaviour they share.

A backend is configured like a Django cache (``settings.SEARCH_BACKENDS``) and built by
``search.backends.get_search_backend()``. Its collaborators are class attributes, so a project can swap
one part (say, how facet labels are produced) by subclassing that part only:

- ``query_compiler_class`` turns a :class:`~search.query.SearchQuery` into the backend's request;
- ``results_class`` turns the backend's answer into :class:`~search.query.SearchResults`.

The shared :meth:`BaseSearchBackend.search` understands the query (grades, subjects) and fixes a wrong
keyboard layout, then calls the backend's :meth:`~BaseSearchBackend.execute`.
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
        text as typed finds nothing. ``SearchResults.corrected_text`` says which text was used.
        """
        corrected = fix_layout(query.text) if query.text else None
        if corrected is not None:
            return self._corrected(self.execute(query, corrected), query, corrected)
        results = self.execute(query, query.text)
        if results.total == 0 and query.text:
            retyped = convert_layout(query.text)
            if retyped is not None and retyped != query.text:
                retry = self.execute(query, retyped)
                if retry.total:
                    return self._corrected(retry, query, retyped)
        return results

    @abstractmethod
    def execute(self, query: SearchQuery, text: str) -> SearchResults:
        """Run ``query`` with ``text`` in place of ``query.text`` (cursors stay bound to ``query``)."""

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
        return dataclasses.replace(results, query_text=query.text, corrected_text=corrected)


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
