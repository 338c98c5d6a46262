"""Search fixtures: a real OpenSearch node for the engine tests (started once per session)."""

from __future__ import annotations

import uuid

import pytest

from tests.harness.opensearch import node_for_tests


@pytest.fixture(scope="session")
def opensearch_node(tmp_path_factory):
    """A running single-node OpenSearch; in CI a node that cannot start fails the run, elsewhere it skips."""
    yield from node_for_tests(tmp_path_factory.mktemp("opensearch"))


@pytest.fixture(scope="session")
def opensearch_backend(opensearch_node):
    """An OpenSearch backend over the fixture catalog, in an index of its own."""
    from search.backends.opensearch import OpenSearchBackend

    from .catalog import load_catalog

    backend = OpenSearchBackend({"URL": opensearch_node.url, "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
    backend.rebuild(load_catalog(), chunk_size=40)
    yield backend
    backend.drop()


@pytest.fixture(scope="session")
def opensearch_big_backend(opensearch_node):
    """An OpenSearch backend with 10,050 small documents (paging past the default result window)."""
    from search.backends.opensearch import OpenSearchBackend

    from .contract import big_catalog

    backend = OpenSearchBackend({"URL": opensearch_node.url, "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
    backend.rebuild(big_catalog(), chunk_size=2000)
    yield backend
    backend.drop()
