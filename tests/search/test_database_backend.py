"""The contract suite on the embedded database backend (SQLite FTS5, or PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

import pytest
from django.db import connection

from search.backends.database import DatabaseSearchBackend
from search.query import SearchQuery

from .catalog import load_catalog
from .contract import BackendContract, big_catalog


@pytest.fixture
def backend(db):
    backend = DatabaseSearchBackend({})
    backend.index_documents(load_catalog())
    return backend


@pytest.fixture
def big_backend(db):
    backend = DatabaseSearchBackend({})
    backend.rebuild(big_catalog(), chunk_size=2000)
    return backend


class TestDatabaseBackend(BackendContract):
    # No typo tolerance in the database backend (only the engines have it): «тиорема» finds nothing here.
    min_ndcg = 0.8


def test_runs_on_the_configured_database(backend):
    assert connection.vendor in {"sqlite", "postgresql"}
    assert backend.status().documents == 126


def test_reindexing_replaces_and_deleting_removes(backend):
    [document] = [d for d in load_catalog() if d.id == "resh-1119"]
    backend.index_documents([type(document)(**{**document.__dict__, "title": "Квазикристаллы"})])
    hit = backend.search(SearchQuery("квазикристаллы")).hits[0]
    assert (hit.id, hit.document["title"]) == ("resh-1119", "Квазикристаллы")
    assert backend.status().documents == 126
    assert backend.delete_documents(["resh-1119", "missing"]) == 2
    assert backend.search(SearchQuery("квазикристаллы")).total == 0
    assert backend.status().documents == 125


def test_hostile_text_is_escaped_in_highlights(db):
    backend = DatabaseSearchBackend({})
    from search.documents import build_document

    backend.index_documents([build_document(id="x", title="Дроби <script>alert(1)</script>", description="")])
    hit = backend.search(SearchQuery("дроби", highlight=True)).hits[0]
    assert hit.highlight["title"] == "<mark>Дроби</mark> &lt;script&gt;alert(1)&lt;&#x2F;script&gt;"
    for text in ['"', "'", "*", "OR AND NOT", "NEAR(", "a:b", "{title}", "\\", "дроби)", "^"]:
        assert backend.search(SearchQuery(text)).total in {0, 1}


def test_rebuild_replaces_everything_at_once(backend):
    result = backend.rebuild(load_catalog()[:10], chunk_size=4)
    assert (result.documents, backend.status().documents) == (10, 10)
