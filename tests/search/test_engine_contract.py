"""The contract suite on a real OpenSearch node, and the database backend checked against it."""

from __future__ import annotations

import pytest

from search.backends.database import DatabaseSearchBackend
from search.query import SearchQuery

from .catalog import load_catalog
from .contract import CONTRACT_QUERIES, BackendContract, ids

pytestmark = pytest.mark.opensearch

# Filter-only and single-word queries: both backends must return exactly the same hits and facet counts.
EXACT_QUERIES = [
    ("", {"subject": ["biology"]}),
    ("", {"grade": ["5", "6"], "provider": ["resh"]}),
    ("", {"topic": ["math.5.3"], "type": ["lesson", "test"]}),
    ("дроби", {"grade": ["5"]}),
    ("клетки", {}),
    ("ЕГЭ", {"subject": ["russian"]}),
    ("окружайка", {}),
]
FACETS = ("subject", "grade", "level", "topic", "type", "license", "access", "provider", "language", "source")


class TestOpenSearchContract(BackendContract):
    min_ndcg = 0.93

    @pytest.fixture
    def backend(self, opensearch_backend):
        return opensearch_backend

    @pytest.fixture
    def big_backend(self, opensearch_big_backend):
        return opensearch_big_backend


@pytest.fixture
def database_backend(db):
    backend = DatabaseSearchBackend({})
    backend.index_documents(load_catalog())
    return backend


def test_database_and_engine_agree(database_backend, opensearch_backend):
    for text, filters, expected_first in CONTRACT_QUERIES:
        query = SearchQuery(text, filters=filters, page_size=1)
        assert {*ids(database_backend.search(query)), *ids(opensearch_backend.search(query))} <= expected_first
    for text, filters in EXACT_QUERIES:
        query = SearchQuery(text, filters=filters, page_size=100, facets=FACETS)
        ours, engine = database_backend.search(query), opensearch_backend.search(query)
        assert (ours.total, set(ids(ours))) == (engine.total, set(ids(engine))), (text, filters)
        assert ours.facets == engine.facets, (text, filters)
    for prefix in ("теорема ви", "таблица умн", "деепр", "окружающий ми"):
        assert set(database_backend.suggest(prefix, 10)) == set(opensearch_backend.suggest(prefix, 10)), prefix
