"""Searching as the API does it: the configured backend, the database backend when it cannot answer, facet
labels from the catalog's own tables (vocabulary terms, topics, providers), and queries that find little
counted for the methodists (:mod:`search.misses`)."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.dispatch import Signal

from content_repo.text.analysis import normalize, tokenize

from . import misses
from .backends import BaseSearchBackend, SearchBackendError, get_search_backend
from .backends.database import DatabaseSearchBackend
from .query import FacetValue, SearchQuery, SearchResults

logger = logging.getLogger(__name__)

FALLBACK_BACKEND = "database"
TERM_FACETS = {"type": "resource_type", "license": "license", "access": "access", "language": "language"}

#: Sent after each call to a backend's search or suggest: ``backend`` (its name), ``seconds``, and
#: ``fallback`` (True when it failed and the database answered instead). The metrics (ops/) listen.
backend_searched = Signal()


def search(query: SearchQuery) -> SearchResults:
    """Results from the default backend, or from the database backend (``fallback=True``) if it fails."""
    backend = get_search_backend()
    started = time.perf_counter()
    try:
        results = backend.search(query)
    except SearchBackendError as e:
        fallback = _fallback_for(backend)
        if fallback is None:
            raise
        logger.warning("search backend %s failed, answering from %s: %s", backend.name, fallback.name, e)
        started = _searched(backend, started, fallback=True)
        results = dataclasses.replace(fallback.search(query), fallback=True)
        backend = fallback
    _searched(backend, started)
    misses.record(query, results)
    return dataclasses.replace(results, facets=label_facets(results.facets))


def suggest(prefix: str, limit: int = 10) -> list[str]:
    """Titles completing ``prefix`` (from the backend, with the same fallback), then topic names."""
    backend = get_search_backend()
    started = time.perf_counter()
    try:
        titles = backend.suggest(prefix, limit)
    except SearchBackendError as e:
        fallback = _fallback_for(backend)
        if fallback is None:
            raise
        logger.warning("search backend %s failed to suggest, answering from %s: %s", backend.name, fallback.name, e)
        started = _searched(backend, started, fallback=True)
        titles = fallback.suggest(prefix, limit)
        backend = fallback
    _searched(backend, started)
    if len(titles) < limit:
        titles += [name for name in topic_suggestions(prefix, limit) if name not in titles]
    return titles[:limit]


def topic_suggestions(prefix: str, limit: int) -> list[str]:
    """Names of curriculum topics with published resources, every typed word starting one of their words."""
    from content_repo.curriculum.models import Topic

    from .models import SearchEntryValue

    typed = tokenize(prefix)
    if not typed:
        return []
    matching: dict[str, str] = {}
    for code, title in Topic.objects.values_list("code", "title"):
        words = tokenize(title)
        if all(any(word.startswith(part) for word in words) for part in typed):
            matching[code] = title
    with_resources = set(
        SearchEntryValue.objects.filter(facet="topic", value__in=list(matching)[:500], entry__published=True)
        .values_list("value", flat=True)
        .distinct()
    )
    names = list(dict.fromkeys(title for code, title in matching.items() if code in with_resources))
    names.sort(key=lambda name: (not normalize(name).startswith(typed[0]), len(name), name))
    return names[:limit]


def label_facets(facets: Mapping[str, list[FacetValue]]) -> dict[str, list[FacetValue]]:
    """Russian labels from the catalog's tables; values without a label keep the vocabulary's; empty values go."""
    labelled = {}
    for name, values in facets.items():
        values = [value for value in values if value.value]
        labels = _labels(name, [value.value for value in values])
        labelled[name] = [dataclasses.replace(v, label=labels.get(v.value, v.label)) for v in values]
    return labelled


def _labels(facet: str, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    from content_repo.curriculum.models import Subject
    from content_repo.publishers.models import Organization
    from content_repo.vocabularies.models import Term

    if facet in TERM_FACETS:
        terms = Term.objects.filter(vocabulary=TERM_FACETS[facet], code__in=codes)
        return dict(terms.values_list("code", "label"))
    if facet in ("topic", "confirmed_topic"):
        return {code: topic_label(*row) for code, *row in _topic_rows(codes)}
    if facet == "provider":
        return dict(Organization.objects.filter(code__in=codes).values_list("code", "name"))
    if facet == "subject":
        return dict(Subject.objects.filter(code__in=codes).values_list("code", "title"))
    return {}


def _searched(backend: BaseSearchBackend, started: float, fallback: bool = False) -> float:
    """Announce one backend call that began at ``started``; the time it ended, where the next call begins."""
    now = time.perf_counter()
    backend_searched.send(sender=type(backend), backend=backend.name, seconds=now - started, fallback=fallback)
    return now


def _topic_rows(codes: list[str]) -> Any:
    from content_repo.curriculum.models import Topic

    return Topic.objects.filter(code__in=codes).values_list("code", "title", "subject__title", "grade_id", "variant")


def topic_label(title: str, subject: str, grade: int, variant: str) -> str:
    """«Квадратные уравнения (Алгебра, 8 кл.)»: programmes repeat titles across grades and variants."""
    place = f"{subject}, {grade} кл." + (f", {variant}" if variant else "")
    return f"{title} ({place})"


def _fallback_for(backend: BaseSearchBackend) -> BaseSearchBackend | None:
    if isinstance(backend, DatabaseSearchBackend) or FALLBACK_BACKEND not in settings.SEARCH_BACKENDS:
        return None
    return get_search_backend(FALLBACK_BACKEND)
