"""Measuring ranking quality: nDCG@k over judged queries, and a naive BM25 baseline to compare against.

A judged query lists the resources that must come first, with graded relevance (3 — exactly that,
2 — fits, 1 — on topic). ``evaluate()`` runs any ``search(text) -> ranked ids`` function over the set, so
the same judgements rate every backend and the baseline.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from content_repo.text.analysis import analyze

from .documents import SearchDocument

DEFAULT_K = 10
BM25_K1 = 1.2
BM25_B = 0.75

RankFunction = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class JudgedQuery:
    """A query and the relevance grade of each resource that should be found (others count as 0)."""

    query: str
    relevant: Mapping[str, int]
    note: str = ""


@dataclass(frozen=True)
class QueryScore:
    query: str
    ndcg: float
    ranked: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    """nDCG@k per query and their mean."""

    k: int
    scores: tuple[QueryScore, ...] = field(default=())

    @property
    def mean_ndcg(self) -> float:
        return sum(score.ndcg for score in self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def zero_results(self) -> list[str]:
        """The queries that found nothing at all (a dead end for the teacher who typed them)."""
        return [score.query for score in self.scores if not score.ranked]

    @property
    def zero_result_rate(self) -> float:
        return len(self.zero_results) / len(self.scores) if self.scores else 0.0

    def worst(self, count: int = 5) -> list[QueryScore]:
        return sorted(self.scores, key=lambda score: score.ndcg)[:count]


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain with exponential gain: sum of (2^rel − 1) / log2(rank + 1)."""
    return sum((2.0**gain - 1.0) / math.log2(rank + 2) for rank, gain in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = DEFAULT_K) -> float:
    """nDCG@k of a ranking against graded judgements; 1.0 is the ideal order, 0.0 nothing relevant."""
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(relevant.get(doc_id, 0) for doc_id in ranked[:k]) / ideal


def load_judged_queries(path: Path) -> list[JudgedQuery]:
    """Judged queries from a JSON file ``{"queries": [{"query", "relevant": {id: grade}, "note"}]}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [JudgedQuery(item["query"], dict(item["relevant"]), item.get("note", "")) for item in data["queries"]]


def evaluate(rank: RankFunction, judged: Iterable[JudgedQuery], k: int = DEFAULT_K) -> Evaluation:
    """Run ``rank`` over every judged query and score its top ``k``."""
    scores = []
    for item in judged:
        ranked = tuple(rank(item.query))[:k]
        scores.append(QueryScore(item.query, ndcg_at_k(ranked, item.relevant, k), ranked))
    return Evaluation(k, tuple(scores))


class BM25Baseline:
    """Okapi BM25 over the stemmed text of each document, and nothing else.

    No field weights, synonyms, typo tolerance, layout fix or query understanding: it is the floor the
    real backends must beat on the judged queries.
    """

    def __init__(self, documents: Iterable[SearchDocument], k1: float = BM25_K1, b: float = BM25_B) -> None:
        self.k1 = k1
        self.b = b
        self.ids: list[str] = []
        self.term_counts: list[Counter[str]] = []
        for document in documents:
            if document.published:
                self.ids.append(document.id)
                self.term_counts.append(Counter(analyze(self._text(document))))
        lengths = [sum(counts.values()) for counts in self.term_counts]
        self.lengths = lengths
        self.average_length = sum(lengths) / len(lengths) if lengths else 0.0
        self.document_frequency: Counter[str] = Counter()
        for counts in self.term_counts:
            self.document_frequency.update(counts.keys())

    def idf(self, term: str) -> float:
        total = len(self.ids)
        frequency = self.document_frequency.get(term, 0)
        return math.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5))

    def rank(self, query: str, limit: int = DEFAULT_K) -> list[str]:
        """Ids of the best ``limit`` documents for ``query`` (documents with a zero score are left out)."""
        terms = analyze(query)
        scored = []
        for index, counts in enumerate(self.term_counts):
            score = sum(self._term_score(term, counts, self.lengths[index]) for term in terms)
            if score > 0:
                scored.append((-score, self.ids[index]))
        return [doc_id for _, doc_id in sorted(scored)[:limit]]

    def _term_score(self, term: str, counts: Counter[str], length: int) -> float:
        frequency = counts.get(term, 0)
        if not frequency:
            return 0.0
        norm = self.k1 * (1 - self.b + self.b * length / self.average_length)
        return self.idf(term) * frequency * (self.k1 + 1) / (frequency + norm)

    @staticmethod
    def _text(document: SearchDocument) -> str:
        parts = [document.title, document.description, *document.keywords, *document.topic_titles]
        return " ".join(parts)
