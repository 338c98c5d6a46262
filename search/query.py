"""The one query model and the one result model shared by every search backend."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.utils.crypto import salted_hmac

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_TEXT_LENGTH = 500
MAX_FILTER_VALUES = 50
MAX_FILTER_VALUE_LENGTH = 200

# Filter and facet names of the API; search/documents.py maps them to document fields.
FILTER_NAMES = (
    "subject",
    "grade",
    "level",
    "topic",
    "type",
    "license",
    "access",
    "provider",
    "language",
    "source",
    # Curriculum alignment: statuses present (confirmed, suggested) and the confirmed topics with their
    # sections — the API's `alignment=confirmed` reads `topic` through the latter (search/api.py).
    "alignment",
    "confirmed_topic",
)
FACET_NAMES = FILTER_NAMES

_CURSOR_VERSION = 1
_CURSOR_SALT = "search.query.cursor"
_SIGNATURE_BYTES = 12

CursorValue = str | int | float | None


class InvalidQuery(ValueError):
    """A search request that cannot be run; ``param`` names the offending parameter (for a 400 answer)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


class SortOrder(Enum):
    """How hits are ordered; every order ends with the document id as a tiebreaker."""

    RELEVANCE = "relevance"
    NEWEST = "newest"
    TITLE = "title"


@dataclass(frozen=True)
class SearchQuery:
    """A search request: free text, exact-match filters, facets to count, order and one page."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: SortOrder = SortOrder.RELEVANCE
    page_size: int = DEFAULT_PAGE_SIZE
    cursor: str | None = None
    facets: tuple[str, ...] = ()
    highlight: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or len(self.text) > MAX_TEXT_LENGTH:
            raise InvalidQuery("text", f"must be a string of at most {MAX_TEXT_LENGTH} characters")
        object.__setattr__(self, "text", " ".join(self.text.split()))
        object.__setattr__(self, "filters", _clean_filters(self.filters))
        object.__setattr__(self, "sort", _clean_sort(self.sort))
        if isinstance(self.page_size, bool) or not isinstance(self.page_size, int):
            raise InvalidQuery("page_size", "must be an integer")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidQuery("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
        unknown = sorted(set(self.facets) - set(FACET_NAMES))
        if unknown:
            raise InvalidQuery("facets", f"unknown facet {unknown[0]!r}; known: {', '.join(FACET_NAMES)}")
        object.__setattr__(self, "facets", tuple(dict.fromkeys(self.facets)))
        if self.cursor is not None:
            self.decoded_cursor()

    @property
    def fingerprint(self) -> str:
        """A short hash of what selects and orders the hits: a cursor is only valid for the same one."""
        payload = json.dumps([self.text, sorted(self.filters.items()), self.sort.value], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def decoded_cursor(self) -> tuple[CursorValue, ...] | None:
        """The sort values to search after, or ``None`` for the first page."""
        if self.cursor is None:
            return None
        return decode_cursor(self.cursor, self)

    def with_text(self, text: str) -> SearchQuery:
        """The same query for another text; the cursor is dropped (it belonged to the old text)."""
        return SearchQuery(text, self.filters, self.sort, self.page_size, None, self.facets, self.highlight)


@dataclass(frozen=True)
class SearchHit:
    """One found document; ``highlight`` maps a field to an HTML fragment (text escaped, ``<mark>`` added)."""

    id: str
    score: float | None
    document: Mapping[str, Any]
    highlight: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FacetValue:
    """A value of a facet with a human label and the number of hits it would give."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    """One page of results.

    ``corrected_text`` is set when the hits are for another text: the query retyped on the other keyboard
    layout, or with misspelt words read as the words the hits have («биссиктриса» → «биссектриса»).
    ``relaxed`` is true when no document has all the words and the hits match only some of them;
    ``unmatched`` lists the words none of the shown hits contains («впр»). ``recognised`` says what the
    query was understood to ask for (``grades``, ``subjects``, ``exam``, ``assessment``), which ranks
    rather than filters. ``fallback`` is true when the configured backend could not answer and the
    embedded one did.
    """

    total: int
    hits: tuple[SearchHit, ...]
    facets: Mapping[str, list[FacetValue]]
    next_cursor: str | None
    query_text: str
    corrected_text: str | None = None
    backend: str = ""
    fallback: bool = False
    relaxed: bool = False
    unmatched: tuple[str, ...] = ()
    recognised: Mapping[str, Any] = field(default_factory=dict)


def encode_cursor(query: SearchQuery, sort_values: Sequence[CursorValue]) -> str:
    """An opaque, signed token for the page after the hit with ``sort_values`` (keyset, not offset)."""
    payload = {"v": _CURSOR_VERSION, "q": query.fingerprint, "k": list(sort_values)}
    body = _b64encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{body}.{_b64encode(_sign(body))}"


def decode_cursor(token: str, query: SearchQuery) -> tuple[CursorValue, ...]:
    """The sort values in ``token``; :class:`InvalidQuery` (``cursor``) if it was altered or is foreign."""
    body, dot, signature = token.partition(".")
    if not dot or not hmac.compare_digest(_b64decode(signature), _sign(body)):
        raise InvalidQuery("cursor", "malformed or altered cursor; start again from the first page")
    try:
        payload = json.loads(_b64decode(body))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidQuery("cursor", "malformed cursor") from e
    if not isinstance(payload, dict) or payload.get("v") != _CURSOR_VERSION:
        raise InvalidQuery("cursor", "cursor of an unsupported version")
    if payload.get("q") != query.fingerprint:
        raise InvalidQuery("cursor", "cursor belongs to another query (text, filters or sort changed)")
    values = payload.get("k")
    if not isinstance(values, list) or not values or not all(_is_cursor_value(v) for v in values):
        raise InvalidQuery("cursor", "malformed cursor")
    return tuple(values)


def _clean_filters(filters: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    if not isinstance(filters, Mapping):
        raise InvalidQuery("filters", "must be a mapping of filter name to values")
    cleaned: dict[str, tuple[str, ...]] = {}
    for name, raw in filters.items():
        if name not in FILTER_NAMES:
            raise InvalidQuery(name, f"unknown filter; known: {', '.join(FILTER_NAMES)}")
        values = (raw,) if isinstance(raw, str | int) else tuple(raw)
        values = tuple(dict.fromkeys(str(value).strip() for value in values))
        if not values or len(values) > MAX_FILTER_VALUES:
            raise InvalidQuery(name, f"give between 1 and {MAX_FILTER_VALUES} values")
        if any(not value or len(value) > MAX_FILTER_VALUE_LENGTH for value in values):
            raise InvalidQuery(name, "values must be non-empty and short")
        if name == "grade" and not all(_is_grade(value) for value in values):
            raise InvalidQuery(name, "grades are integers from 1 to 11")
        cleaned[name] = values
    return cleaned


def _is_grade(value: str) -> bool:
    # ASCII digits only: str.isdigit() also accepts «²», which int() then refuses.
    return value.isascii() and value.isdigit() and 1 <= int(value) <= 11


def _clean_sort(sort: SortOrder | str) -> SortOrder:
    try:
        return SortOrder(sort)
    except ValueError as e:
        known = ", ".join(order.value for order in SortOrder)
        raise InvalidQuery("sort", f"unknown sort {sort!r}; known: {known}") from e


def _is_cursor_value(value: Any) -> bool:
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))


def _sign(body: str) -> bytes:
    return salted_hmac(_CURSOR_SALT, body, algorithm="sha256").digest()[:_SIGNATURE_BYTES]


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as e:
        raise InvalidQuery("cursor", "malformed cursor") from e
