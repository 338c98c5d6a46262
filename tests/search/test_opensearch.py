"""The engine backend against a real OpenSearch node (tests/harness/opensearch.py)."""

from __future__ import annotations

import uuid

import pytest

from search.backends.opensearch import OpenSearchBackend
from search.documents import build_document
from search.query import SearchQuery, SortOrder
from search.relevance import evaluate

from .catalog import load_catalog, load_judged
from .contract import PUBLISHED, pages

pytestmark = pytest.mark.opensearch

# The engine must clearly beat the naive BM25 baseline (0.843) on the judged queries.
MIN_ENGINE_NDCG = 0.93


def ids(results):
    return [hit.id for hit in results.hits]


def test_ping_and_status(opensearch_backend):
    status = opensearch_backend.status()
    assert opensearch_backend.ping() is True
    assert (status.reachable, status.documents) == (True, 127)
    assert status.index.startswith(opensearch_backend.alias + "-")


def test_unreachable_node_is_reported():
    backend = OpenSearchBackend({"URL": "http://127.0.0.1:1"})
    assert backend.ping() is False
    assert backend.status().reachable is False


def test_judged_queries_ndcg(opensearch_backend):
    evaluation = evaluate(lambda text: ids(opensearch_backend.search(SearchQuery(text, page_size=10))), load_judged())
    worst = [(score.query, round(score.ndcg, 3)) for score in evaluation.worst()]
    assert evaluation.mean_ndcg >= MIN_ENGINE_NDCG, worst


@pytest.mark.parametrize(
    ("text", "expected_first"),
    [
        (
            "дробей",
            {
                "resh-1007",
                "yaklass-1014",
                "uchi-1021",
                "resh-1028",
                "mesh-1035",
                "yaklass-1042",
                "resh-1049",
                "uchi-1056",
                "resh-1063",
            },
        ),
        ("тиорема виета", {"resh-1119", "yaklass-1126"}),
        ("емкость", {"resh-1413", "yaklass-1420"}),
        ("единый государственный экзамен по информатике", {"yaklass-1525", "mesh-1217"}),
    ],
)
def test_morphology_typos_yo_and_synonyms(opensearch_backend, text, expected_first):
    assert ids(opensearch_backend.search(SearchQuery(text, page_size=1)))[0] in expected_first


def test_wrong_layout_is_corrected(opensearch_backend):
    results = opensearch_backend.search(SearchQuery("ntjhtvf dbtnf"))
    assert (results.query_text, results.corrected_text) == ("ntjhtvf dbtnf", "теорема виета")
    assert ids(results)[:2] == ["resh-1119", "yaklass-1126"]


def test_unpublished_documents_are_never_found(opensearch_backend):
    assert "resh-1679" not in ids(opensearch_backend.search(SearchQuery("черновик урока", page_size=100)))


def test_filters_and_multi_select_facets(opensearch_backend):
    query = SearchQuery("дроби", filters={"grade": ["5"]}, facets=("grade", "subject"))
    results = opensearch_backend.search(query)
    assert results.total == 6
    assert {hit.id for hit in results.hits} == {
        "resh-1007",
        "yaklass-1014",
        "uchi-1021",
        "mesh-1035",
        "yaklass-1042",
        "uchi-1056",
    }
    # The grade facet ignores the grade filter, so other grades can still be chosen.
    assert [(f.value, f.label, f.count) for f in results.facets["grade"]] == [
        ("5", "5 класс", 6),
        ("6", "6 класс", 3),
        ("8", "8 класс", 1),
    ]
    assert [(f.value, f.label, f.count) for f in results.facets["subject"]] == [("math", "Математика", 6)]


def test_filter_by_section_finds_resources_of_its_topics(opensearch_backend):
    results = opensearch_backend.search(SearchQuery("", filters={"topic": ["biology.10.3"]}, page_size=100))
    assert set(ids(results)) == {"resh-1357", "yaklass-1364", "mesh-1371"}


def test_highlight_marks_terms_and_escapes_html(opensearch_node):
    backend = OpenSearchBackend({"URL": opensearch_node.url, "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
    try:
        backend.index_documents([build_document(id="x", title="Дроби <script>alert(1)</script>", description="")])
        backend.refresh()
        hit = backend.search(SearchQuery("дроби", highlight=True)).hits[0]
        assert hit.highlight["title"] == "<mark>Дроби</mark> &lt;script&gt;alert(1)&lt;&#x2F;script&gt;"
        assert backend.delete_documents(["x", "missing"]) == 2
        backend.refresh()
        assert backend.search(SearchQuery("дроби")).total == 0
    finally:
        backend.drop()


@pytest.mark.parametrize("sort", list(SortOrder))
def test_cursor_pages_cover_every_hit_once_in_order(opensearch_backend, sort):
    everything, _, total = pages(opensearch_backend, SearchQuery("", sort=sort, page_size=100))
    seen, _, _ = pages(opensearch_backend, SearchQuery("", sort=sort, page_size=7))
    assert (total, len(everything)) == (PUBLISHED, PUBLISHED)
    assert seen == everything


def test_suggest_completes_titles(opensearch_backend):
    assert opensearch_backend.suggest("теорема ви", 5) == ["Теорема Виета"]
    assert opensearch_backend.suggest("таблица умн", 5) == [
        "Таблица умножения на 2 и 3",
        "Таблица умножения: тренажёр на скорость",
    ]
    assert opensearch_backend.suggest("   ", 5) == []


def test_rebuild_swaps_the_alias_and_drops_the_old_index(opensearch_node):
    backend = OpenSearchBackend({"URL": opensearch_node.url, "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
    try:
        progress = []
        first = backend.rebuild(load_catalog()[:10], chunk_size=4, progress=progress.append)
        second = backend.rebuild(load_catalog()[:3])
        assert progress == [4, 8, 10]
        assert (first.documents, first.replaced) == (10, ())
        assert (second.documents, second.replaced) == (3, (first.index,))
        assert backend.status().index == second.index
        assert backend.status().documents == 3
    finally:
        backend.drop()


def test_search_before_anything_is_indexed_is_empty(opensearch_node):
    backend = OpenSearchBackend({"URL": opensearch_node.url, "INDEX_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
    results = backend.search(SearchQuery("дроби", facets=("subject",)))
    assert (results.total, results.hits, results.facets) == (0, (), {"subject": []})
    assert backend.suggest("дро") == []
