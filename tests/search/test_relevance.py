import math

import pytest

from search.relevance import BM25Baseline, JudgedQuery, dcg, evaluate, ndcg_at_k

from .catalog import load_catalog, load_judged

# Reported in docs/search.md; a change here means the catalog, the judgements or the analysis changed.
BASELINE_NDCG = 0.786


def test_dcg_uses_exponential_gain_and_log_discount():
    assert dcg([3, 2]) == pytest.approx(7 / math.log2(2) + 3 / math.log2(3))


def test_ndcg_ideal_reversed_and_empty():
    relevant = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], relevant) == 1.0
    assert ndcg_at_k(["x", "y"], relevant) == 0.0
    assert ndcg_at_k(["c", "b", "a"], relevant) == pytest.approx(dcg([1, 2, 3]) / dcg([3, 2, 1]))
    assert ndcg_at_k(["a"], {}) == 0.0


def test_ndcg_cuts_at_k():
    assert ndcg_at_k(["x", "a"], {"a": 1}, k=1) == 0.0


def test_judged_set_covers_the_hard_cases():
    judged = load_judged()
    ids = {document.id for document in load_catalog()}
    assert len(judged) >= 80
    assert all(set(item.relevant) <= ids for item in judged)
    queries = {item.query for item in judged}
    assert {
        "lhj,b",
        "тиорема виета",
        "ёмкость конденсатора",
        "емкость конденсатора",
        "ЕГЭ по русскому",
    } <= queries


def test_catalog_size_and_one_unpublished_resource():
    catalog = load_catalog()
    assert len(catalog) == 127
    assert [document.id for document in catalog if not document.published] == ["resh-1679"]


def test_bm25_baseline_ndcg():
    baseline = BM25Baseline(load_catalog())
    evaluation = evaluate(baseline.rank, load_judged())
    assert round(evaluation.mean_ndcg, 4) == BASELINE_NDCG
    by_query = {score.query: score.ndcg for score in evaluation.scores}
    assert by_query["lhj,b"] == 0.0
    assert by_query["ИКТ 9 класс"] == 0.0


def test_bm25_ignores_unpublished_and_unknown_terms():
    baseline = BM25Baseline(load_catalog())
    assert "resh-1679" not in baseline.rank("черновик урока дроби", limit=100)
    assert baseline.rank("квазар") == []


def test_evaluate_reports_the_worst_queries():
    judged = [JudgedQuery("a", {"1": 3}), JudgedQuery("b", {"2": 3})]
    evaluation = evaluate(lambda text: ["1"], judged)
    assert evaluation.mean_ndcg == 0.5
    assert [score.query for score in evaluation.worst(1)] == ["b"]
