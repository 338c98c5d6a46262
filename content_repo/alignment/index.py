"""The in-memory term index of the curriculum, built once per engine.

Each node is a bag of stems with a weight per stem: its own title counts fully, the titles of its section and of
its topics less, its node terms (key concepts and lesson phrasing, ``data/node_terms/``) a little less than its
title (see ``FIELD_WEIGHTS``). Inverse document frequencies over all nodes make «уравнение» worth more than
«решение». Postings (stem → nodes) and the node lists per subject and grade keep a record's scoring to the few
hundred nodes it can match.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from content_repo.text.analysis import analyze

from .curriculum import Curriculum, CurriculumNode, NodeKind

# Stems that differ only by a short ending count as related («смут» — «смутн», «дроб» — «дробн»): Snowball keeps
# derivational suffixes, and a title says «Смутное время» where a node says «Смута».
RELATED_MIN_STEM = 4
RELATED_MAX_EXTRA = 3
# A term word found in more than this share of a subject's nodes is that subject's boilerplate, not a
# description of one node.
BOILERPLATE_SHARE = 0.5
# How much a stem counts for a node, by where the node's text has it.
FIELD_WEIGHTS = {
    "title": 1.0,
    "parent": 0.6,
    "ancestor": 0.45,
    "terms": 0.75,
    "child": 0.6,
    "child_terms": 0.45,
}


@dataclass(frozen=True, slots=True)
class IndexedNode:
    """A node with its weighted stems, the stems of its own title, and whether it has child nodes.

    ``weights`` is the most a stem can count for the node; ``title_weights`` what it counts from titles alone;
    ``term_phrases`` the node terms (its own and its children's, with their field weight) a stem is part of,
    so that scoring can count a word of «системы логарифмических уравнений» fully only when the record names
    the rest of that term too.
    """

    node: CurriculumNode
    weights: dict[str, float]
    title_terms: tuple[str, ...]
    section_title: str
    has_children: bool
    pairs: frozenset[tuple[str, str]]
    title_weights: dict[str, float]
    term_phrases: dict[str, tuple[tuple[tuple[str, ...], float], ...]]


class CurriculumIndex:
    """Weighted stems of every node, postings, IDF and candidate lists by subject and grade."""

    def __init__(self, curriculum: Curriculum) -> None:
        self.curriculum = curriculum
        self._term_phrases = {node.code: [analyze(term) for term in node.terms] for node in curriculum.nodes}
        self._boilerplate = self._subject_boilerplate()
        self.entries: list[IndexedNode] = [self._index_node(node) for node in curriculum.nodes]
        self.position = {entry.node.code: index for index, entry in enumerate(self.entries)}
        self.postings: dict[str, list[tuple[int, float]]] = {}
        # The same postings split by subject: a record with known subjects walks only theirs.
        self.subject_postings: dict[str, dict[str, list[tuple[int, float]]]] = {}
        for index, entry in enumerate(self.entries):
            by_subject = self.subject_postings.setdefault(entry.node.subject, {})
            for term, weight in entry.weights.items():
                self.postings.setdefault(term, []).append((index, weight))
                by_subject.setdefault(term, []).append((index, weight))
        total = len(self.entries)
        self.unseen_idf = _idf(total, 0)
        self.idf = {term: _idf(total, len(nodes)) for term, nodes in self.postings.items()}
        self.sorted_terms = sorted(self.postings)
        self.by_subject_grade: dict[tuple[str, int], tuple[int, ...]] = {}
        self.codifier_by_subject_exam: dict[tuple[str, str], tuple[int, ...]] = {}
        self._group()

    def postings_in(self, term: str, subjects: Iterable[str] | None) -> Iterable[tuple[int, float]]:
        """(node, weight) of the nodes that have ``term``, only of ``subjects`` if given."""
        if subjects is None:
            yield from self.postings.get(term, ())
            return
        for subject in subjects:
            yield from self.subject_postings.get(subject, {}).get(term, ())

    def term_idf(self, term: str) -> float:
        return self.idf.get(term, self.unseen_idf)

    def related_terms(self, term: str) -> list[str]:
        """Index stems that extend ``term`` or that ``term`` extends by at most ``RELATED_MAX_EXTRA`` letters."""
        if len(term) < RELATED_MIN_STEM:
            return []
        found = [
            term[:size]
            for size in range(max(RELATED_MIN_STEM, len(term) - RELATED_MAX_EXTRA), len(term))
            if term[:size] in self.postings
        ]
        start = bisect_left(self.sorted_terms, term)
        for known in self.sorted_terms[start : start + 50]:
            if not known.startswith(term):
                break
            if known != term and len(known) - len(term) <= RELATED_MAX_EXTRA:
                found.append(known)
        return found

    def topic_nodes(self, subjects: Iterable[str], grades: Iterable[int]) -> list[int]:
        """Programme nodes of the subjects in the grades."""
        found: list[int] = []
        for subject in subjects:
            for grade in grades:
                found.extend(self.by_subject_grade.get((subject, grade), ()))
        return found

    def codifier_nodes(self, subjects: Iterable[str], exam: str) -> list[int]:
        found: list[int] = []
        for subject in subjects:
            found.extend(self.codifier_by_subject_exam.get((subject, exam), ()))
        return found

    def _group(self) -> None:
        by_subject_grade: dict[tuple[str, int], list[int]] = {}
        by_exam: dict[tuple[str, str], list[int]] = {}
        for index, entry in enumerate(self.entries):
            node = entry.node
            if node.is_codifier_element:
                by_exam.setdefault((node.subject, node.exam), []).append(index)
            elif node.grade is not None:
                by_subject_grade.setdefault((node.subject, node.grade), []).append(index)
        self.by_subject_grade = {key: tuple(value) for key, value in by_subject_grade.items()}
        self.codifier_by_subject_exam = {key: tuple(value) for key, value in by_exam.items()}

    def _subject_boilerplate(self) -> dict[str, frozenset[str]]:
        """Per subject, the term stems found in more than ``BOILERPLATE_SHARE`` of its nodes."""
        counts: dict[str, dict[str, int]] = {}
        sizes: dict[str, int] = {}
        for node in self.curriculum.nodes:
            sizes[node.subject] = sizes.get(node.subject, 0) + 1
            per_subject = counts.setdefault(node.subject, {})
            for term in {stem for phrase in self._term_phrases[node.code] for stem in phrase}:
                per_subject[term] = per_subject.get(term, 0) + 1
        return {
            subject: frozenset(term for term, count in terms.items() if count > BOILERPLATE_SHARE * sizes[subject])
            for subject, terms in counts.items()
        }

    def _phrases(self, node: CurriculumNode) -> list[tuple[str, ...]]:
        """The node's terms as stem phrases, without the subject's boilerplate stems."""
        boilerplate = self._boilerplate.get(node.subject, frozenset())
        kept = (tuple(stem for stem in phrase if stem not in boilerplate) for phrase in self._term_phrases[node.code])
        return [phrase for phrase in kept if phrase]

    def _index_node(self, node: CurriculumNode) -> IndexedNode:
        weights: dict[str, float] = {}
        title_terms = tuple(dict.fromkeys(analyze(node.title)))
        _add(weights, title_terms, FIELD_WEIGHTS["title"])
        ancestors = self.curriculum.ancestors(node)
        for depth, ancestor in enumerate(ancestors):
            _add(weights, analyze(ancestor.title), FIELD_WEIGHTS["parent" if depth == 0 else "ancestor"])
        children = self.curriculum.children.get(node.code, ())
        for child in children:
            _add(weights, analyze(child.title), FIELD_WEIGHTS["child"])
        title_weights = dict(weights)
        phrases: dict[str, dict[tuple[str, ...], float]] = {}
        described = [(child, FIELD_WEIGHTS["child_terms"]) for child in children] + [(node, FIELD_WEIGHTS["terms"])]
        for owner, weight in described:
            for phrase in self._phrases(owner):
                _add(weights, phrase, weight)
                for stem in phrase:
                    known = phrases.setdefault(stem, {})
                    known[phrase] = max(known.get(phrase, 0.0), weight)
        term_phrases = {stem: tuple(known.items()) for stem, known in phrases.items()}
        section = next((a for a in reversed(ancestors) if a.kind is not NodeKind.CONTENT_SECTION), None)
        # Pairs within one text only: the last word of one term and the first of the next are not a phrase.
        texts = [analyze(node.title), *(analyze(ancestor.title) for ancestor in ancestors[:1])]
        texts += self._term_phrases[node.code]
        pairs = frozenset(pair for terms in texts for pair in _pairs(terms))
        section_title = section.title if section else ""
        return IndexedNode(
            node, weights, title_terms, section_title, bool(children), pairs, title_weights, term_phrases
        )


def _add(weights: dict[str, float], terms: Iterable[str], weight: float) -> None:
    for term in terms:
        if weights.get(term, 0.0) < weight:
            weights[term] = weight


def _pairs(terms: list[str]) -> Iterable[tuple[str, str]]:
    """Neighbouring stems, in both orders («квадратн уравнен» and «уравнен квадратн»)."""
    for first, second in zip(terms, terms[1:], strict=False):
        yield first, second
        yield second, first


def _idf(total: int, frequency: int) -> float:
    """BM25's inverse document frequency, always positive."""
    return math.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5))
