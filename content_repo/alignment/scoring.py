"""Scoring candidate nodes against the positions of a record.

The score says how much of the resource's title the node *explains*, weighted by IDF so that rare words decide
and «решение», «задачи» hardly count. A word explained by the node's own title counts fully, by its node
terms or its section's title a little less (``index.FIELD_WEIGHTS``). A title full of words no node knows
(«праздник», «классный час») is explained poorly by every node, which is what makes the engine abstain.

Two smaller terms break near-ties: how much of the node's own title the record names (so that of two nodes that
explain the same words, the one the record is *about* wins), and how much of the description and keywords the
node explains. The sum is multiplied by the candidate's factor (adjacent grade, subject inferred from the text,
grade unknown). Weights and factors are calibrated on the judged development set (docs/alignment.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .index import CurriculumIndex, IndexedNode
from .reading import Position
from .records import ConfirmedHint

MAX_WORDS = 6


@dataclass(frozen=True)
class ScoringSettings:
    """Weights of the score's terms and the factors of weaker candidates."""

    explained_weight: float = 0.8
    node_weight: float = 0.1
    support_weight: float = 0.1
    adjacent_grade_factor: float = 0.8
    inferred_subject_factor: float = 0.85
    unknown_grade_factor: float = 0.9
    # A related stem («смутн» for «смут») counts this much of an exact one.
    related_weight: float = 0.6
    # Share of the record title's neighbouring word pairs found side by side in the node's texts («новая
    # экономическая политика» is one thing, not three words).
    phrase_weight: float = 0.1
    # Nodes scored in full after the first pass over postings.
    shortlist: int = 40
    # A word found only in a node term counts by how much of that term the record names (by IDF): «решение»
    # alone says little about a node described by «решение текстовых задач». This is the share it keeps
    # however little of the term is named (1: the whole term weight always).
    term_floor: float = 0.5


@dataclass(frozen=True, slots=True)
class Candidate:
    """A node the record may be aligned to, and the factor its grade and subject put on the score."""

    node: int
    factor: float
    adjacent: bool = False
    bonus: float = 0.0


class Candidates(Protocol):
    """Which nodes a record may be aligned to: ``get(node)`` is the node's :class:`Candidate` or ``None``;
    ``subjects`` are the only subjects candidates can be of (``None``: any)."""

    subjects: frozenset[str] | None

    def get(self, node: int) -> Candidate | None: ...


@dataclass(frozen=True, slots=True)
class Match:
    """A scored candidate: ``score`` in [0, 1]; ``raw`` (the IDF mass explained) breaks ties."""

    node: int
    score: float
    raw: float
    words: tuple[str, ...]
    adjacent: bool = False
    explained: float = 0.0
    node_coverage: float = 0.0
    hint: ConfirmedHint | None = None

    def with_hint(self, score: float, hint: ConfirmedHint) -> Match:
        return replace(self, score=score, hint=hint)


def position_idf(index: CurriculumIndex, position: Position) -> float:
    """The weight of a position: the IDF of its original words (summed for a phrase)."""
    return sum(index.term_idf(term) for term in position.original)


def score_candidates(
    index: CurriculumIndex,
    positions: Sequence[Position],
    candidates: Candidates,
    settings: ScoringSettings,
) -> list[Match]:
    """Scored matches of the candidates that share at least one word with the record."""
    by_node: dict[int, Candidate] = {}
    primary = _primary(positions)
    idfs = [position.weight * position_idf(index, position) for position in positions]
    primary_mass = sum(idfs[number] for number in primary)
    other_mass = sum(idf for number, idf in enumerate(idfs) if number not in primary)
    if primary_mass == 0:
        return []
    explained: dict[int, float] = {}
    support: dict[int, float] = {}
    gains: dict[int, list[tuple[float, int]]] = {}
    for number, position in enumerate(positions):
        totals = explained if number in primary else support
        for node, weight in _position_weights(index, position, candidates, by_node, settings.related_weight).items():
            gain = idfs[number] * weight
            totals[node] = totals.get(node, 0.0) + gain
            gains.setdefault(node, []).append((gain, number))

    def share(node: int) -> float:
        return explained.get(node, 0.0) / primary_mass

    def supported(node: int) -> float:
        return support.get(node, 0.0) / other_mass if other_mass else share(node)

    shortlist = sorted(gains, key=lambda node: (-by_node[node].factor * (share(node) + 0.1 * supported(node)), node))[
        : settings.shortlist
    ]
    pairs = _title_pairs(positions)
    named = _named_terms(index, positions, settings.related_weight)
    terms = _TermReading(index, named, settings)
    matches = []
    for node in shortlist:
        candidate = by_node[node]
        phrase = _phrase_share(index, node, pairs) if settings.phrase_weight else 0.0
        node_coverage = _node_coverage(index, node, named, settings.related_weight)
        if settings.term_floor < 1.0:
            own, other = terms.explained(node, positions, idfs, primary)
            node_share = own / primary_mass
            node_support = other / other_mass if other_mass else node_share
        else:
            node_share, node_support = share(node), supported(node)
        value = (
            settings.explained_weight * node_share
            + settings.node_weight * node_coverage
            + settings.support_weight * node_support
            + settings.phrase_weight * phrase
            + candidate.bonus
        )
        words = tuple(positions[n].word for _, n in sorted(gains[node], key=lambda pair: (-pair[0], pair[1])))
        matches.append(
            Match(
                node,
                min(1.0, candidate.factor * value),
                explained.get(node, 0.0),
                words[:MAX_WORDS],
                candidate.adjacent,
                node_share,
                node_coverage,
            )
        )
    return matches


class _TermReading:
    """How much of each node term one record names, and what that makes of the record's words for a node."""

    def __init__(self, index: CurriculumIndex, named: dict[str, float], settings: ScoringSettings) -> None:
        self.index, self.named, self.settings = index, named, settings
        self._coverage: dict[tuple[str, ...], float] = {}
        self._related: dict[str, list[str]] = {}

    def explained(
        self, node: int, positions: Sequence[Position], idfs: Sequence[float], primary: set[int]
    ) -> tuple[float, float]:
        """The IDF mass of the title's (primary) positions and of the other positions that ``node`` explains."""
        entry = self.index.entries[node]
        own = other = 0.0
        for number, position in enumerate(positions):
            gain = idfs[number] * self._position_weight(entry, position)
            if number in primary:
                own += gain
            else:
                other += gain
        return own, other

    def _position_weight(self, entry: IndexedNode, position: Position) -> float:
        best = 0.0
        related_weight = self.settings.related_weight
        for alternative in position.alternatives:
            if len(alternative) > 1:
                best = max(best, min(self._stem_weight(entry, stem) for stem in alternative))
                continue
            best = max(best, self._stem_weight(entry, alternative[0]))
            if related_weight:
                for related in self._related_terms(alternative[0]):
                    best = max(best, related_weight * self._stem_weight(entry, related))
        return best

    def _stem_weight(self, entry: IndexedNode, stem: str) -> float:
        weight = entry.title_weights.get(stem, 0.0)
        floor = self.settings.term_floor
        for phrase, term_weight in entry.term_phrases.get(stem, ()):
            if term_weight > weight:
                weight = max(weight, term_weight * (floor + (1.0 - floor) * self._phrase_coverage(phrase)))
        return weight

    def _phrase_coverage(self, phrase: tuple[str, ...]) -> float:
        if phrase not in self._coverage:
            total = sum(self.index.term_idf(stem) for stem in phrase)
            named = sum(self.named.get(stem, 0.0) * self.index.term_idf(stem) for stem in phrase)
            self._coverage[phrase] = named / total if total else 0.0
        return self._coverage[phrase]

    def _related_terms(self, stem: str) -> list[str]:
        if stem not in self._related:
            self._related[stem] = self.index.related_terms(stem)
        return self._related[stem]


def _title_pairs(positions: Sequence[Position]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Neighbouring positions of the title (each with its alternatives' edge stems)."""
    title = [position for position in positions if position.in_title and position.weight >= 1.0]
    return [
        (tuple(a[-1] for a in left.alternatives), tuple(a[0] for a in right.alternatives))
        for left, right in zip(title, title[1:], strict=False)
    ]


def _phrase_share(index: CurriculumIndex, node: int, pairs: Sequence[tuple[tuple[str, ...], tuple[str, ...]]]) -> float:
    if not pairs:
        return 0.0
    known = index.entries[node].pairs
    found = sum(1 for lefts, rights in pairs if any((a, b) in known for a in lefts for b in rights))
    return found / len(pairs)


def _primary(positions: Sequence[Position]) -> set[int]:
    """The positions a node must explain: the title's, or (an empty title) the strongest field's."""
    in_title = {number for number, position in enumerate(positions) if position.in_title}
    if in_title or not positions:
        return in_title
    strongest = max(position.weight for position in positions)
    return {number for number, position in enumerate(positions) if position.weight == strongest}


def _position_weights(
    index: CurriculumIndex,
    position: Position,
    candidates: Candidates,
    seen: dict[int, Candidate],
    related_weight: float,
) -> dict[int, float]:
    """Node → how strongly it has this position (the best alternative; a phrase counts by its weakest word).

    Only candidate nodes count; the ones met are collected in ``seen``.
    """
    found: dict[int, float] = {}

    def is_candidate(node: int) -> bool:
        candidate = candidates.get(node)
        if candidate is not None:
            seen[node] = candidate
        return candidate is not None

    for alternative in position.alternatives:
        if len(alternative) == 1 and related_weight:
            for related in index.related_terms(alternative[0]):
                for node, weight in index.postings_in(related, candidates.subjects):
                    if weight * related_weight > found.get(node, 0.0) and is_candidate(node):
                        found[node] = weight * related_weight
        first, rest = alternative[0], alternative[1:]
        for node, weight in index.postings_in(first, candidates.subjects):
            if rest:
                weights = index.entries[node].weights
                weight = min([weight, *(weights.get(term, 0.0) for term in rest)])
            if weight > found.get(node, 0.0) and is_candidate(node):
                found[node] = weight
    return found


def _named_terms(index: CurriculumIndex, positions: Sequence[Position], related_weight: float) -> dict[str, float]:
    """Stem → how fully the record names it: 1 for its own stems, ``related_weight`` for related index stems."""
    named: dict[str, float] = {}
    for position in positions:
        for alternative in position.alternatives:
            for term in alternative:
                named[term] = 1.0
                if related_weight:
                    for related in index.related_terms(term):
                        named.setdefault(related, related_weight)
    return named


def _node_coverage(index: CurriculumIndex, node: int, named: dict[str, float], related_weight: float) -> float:
    """The share (by IDF) of the node's own title words that the record names (a related stem counts partly)."""
    title_terms = index.entries[node].title_terms
    if not title_terms:
        return 0.0
    total = sum(index.term_idf(term) for term in title_terms)
    return sum(named.get(term, 0.0) * index.term_idf(term) for term in title_terms) / total
