"""Search that never dead-ends: the words of a query, the relaxed pass, and what the results say about them.

A query is planned once for every backend (:func:`plan_query`): its recognised grades, subjects and intent
(:mod:`search.understanding`), and its required words as positions, each with the stemmed phrases that
match it (the word itself and its school synonyms: «нок» → «наименьшее общее кратное»). Backends compile the
plan; :meth:`~search.backends.base.BaseSearchBackend.search` runs it in passes:

1. *strict*: every required word must match (typos are tolerated: fuzziness in the engines, the index's
   vocabulary in the ``database`` backend — :meth:`QueryPlan.with_spellings`);
2. *relaxed*, only when the strict pass finds nothing and there are several words: any word may match, and
   documents matching more of the words come first (``COORDINATION`` per word, the same on every backend).

What the shown hits make of the words (:func:`explain`) goes into the results: words none of them contains
(«без слова „впр“») and words read as another one («биссиктриса» → «биссектриса»).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from content_repo.text.analysis import is_stop_word, stem, tokenize_with_spans
from content_repo.text.synonyms import Phrase, expand_synonyms

from .documents import TEXT_FIELDS
from .understanding import ParsedQuery, parse_query

# A document's score rises by this much per required word it matches in the relaxed pass, so documents
# with more of the words come first whatever the text scores (which stay well below it on every backend).
COORDINATION = 1000.0
# Score multipliers of what the query was understood to ask for (the engines' function_score weights).
GRADE_WEIGHT = 2.0
SUBJECT_WEIGHT = 2.0
INTENT_TYPE_WEIGHT = 1.5
INTENT_GRADE_WEIGHT = 1.5
# The text score of the optional exam and test words counts this much: they rank among documents that meet
# the query, and must not outweigh a recognised subject and grade.
OPTIONAL_WEIGHT = 0.1
# Edits allowed by word length, as the engines' ``fuzziness: AUTO:4,7`` (3-letter school abbreviations —
# «днк», «вмв» — are exact: one edit would turn «вмв» into «вов»).
FUZZY_ONE_EDIT_FROM = 4
FUZZY_TWO_EDITS_FROM = 7
FUZZINESS = f"AUTO:{FUZZY_ONE_EDIT_FROM},{FUZZY_TWO_EDITS_FROM}"
# Letters a Russian ending may add or drop: a typed word this close to a document's word is that word.
MAX_ENDING = 3


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One position of the query: the word (or phrase) as typed and the stemmed phrases that match it."""

    text: str
    alternatives: tuple[Phrase, ...]

    @property
    def stems(self) -> Phrase:
        return self.alternatives[0]


@dataclass(frozen=True, slots=True)
class Condition:
    """A document's filter field (API name: ``grade``, ``subject``, ``type``) has one of ``values``."""

    facet: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Boost:
    """Documents meeting ``condition`` have their score multiplied by ``weight``."""

    condition: Condition
    weight: float


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """What every backend compiles: the understood query, its required and optional words, and the pass.

    ``spellings`` maps a required word's stem to the vocabulary stems it was read as (typo tolerance of the
    ``database`` backend; the engines use fuzziness instead).
    """

    text: str
    parsed: ParsedQuery
    words: tuple[QueryWord, ...]
    optional_words: tuple[QueryWord, ...] = ()
    relaxed: bool = False
    spellings: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    @property
    def matches_nothing(self) -> bool:
        """Required text made only of stop words matches nothing, as in the engine."""
        return bool(self.parsed.text) and not self.words

    def boosts(self) -> list[Boost]:
        """Multipliers for the recognised grades and subjects and for the intent's kinds and grades."""
        parsed, boosts = self.parsed, []
        if parsed.grades:
            boosts.append(Boost(Condition("grade", tuple(map(str, parsed.grades))), GRADE_WEIGHT))
        if parsed.subjects:
            boosts.append(Boost(Condition("subject", parsed.subjects), SUBJECT_WEIGHT))
        if parsed.intent is not None:
            boosts.append(Boost(Condition("type", parsed.intent.types), INTENT_TYPE_WEIGHT))
        if parsed.intent_grades:
            boosts.append(Boost(Condition("grade", tuple(map(str, parsed.intent_grades))), INTENT_GRADE_WEIGHT))
        return boosts

    def scope(self) -> list[tuple[Condition, ...]]:
        """Without required words, what a hit must meet one of (each a conjunction of conditions): a
        recognised grade, a recognised subject, or — when neither was named — the intent's kind of
        resource (of the exam's grades). The optional words are the other way in (:attr:`optional_words`)."""
        parsed, scope = self.parsed, list[tuple[Condition, ...]]()
        if parsed.grades:
            scope.append((Condition("grade", tuple(map(str, parsed.grades))),))
        if parsed.subjects:
            scope.append((Condition("subject", parsed.subjects),))
        if parsed.intent is not None and not scope:
            kind = Condition("type", parsed.intent.types)
            grades = tuple(map(str, parsed.intent_grades))
            scope.append((kind, Condition("grade", grades)) if grades else (kind,))
        return scope

    def relax(self) -> QueryPlan:
        return dataclasses.replace(self, relaxed=True)

    def with_spellings(self, spellings: Mapping[str, tuple[str, ...]]) -> QueryPlan:
        """The plan with vocabulary words added as alternatives of misspelt single-word positions."""
        words = tuple(
            dataclasses.replace(word, alternatives=(*word.alternatives, *((s,) for s in spellings[word.stems[0]])))
            if len(word.stems) == 1 and word.stems[0] in spellings
            else word
            for word in self.words
        )
        return dataclasses.replace(self, words=words, spellings=dict(spellings))


def plan_query(text: str) -> QueryPlan:
    """Understand ``text`` and split its required and optional words into positions with their synonyms."""
    parsed = parse_query(text)
    return QueryPlan(text, parsed, query_words(parsed.text), query_words(parsed.optional))


def query_words(text: str) -> tuple[QueryWord, ...]:
    """The positions of ``text``: stop words dropped, a phrase of the synonyms file taken as one position."""
    tokens = [token for token in tokenize_with_spans(text) if not is_stop_word(token.text)]
    words = []
    position = 0
    for group in expand_synonyms([stem(token.text) for token in tokens]):
        covered = tokens[position : position + len(group.original)]
        words.append(QueryWord(text[covered[0].start : covered[-1].end], group.alternatives))
        position += len(group.original)
    return tuple(words)


def max_edits(term: str) -> int:
    """Edits allowed for a misspelt term, as the engines' :data:`FUZZINESS`: none up to 3 letters, one up
    to 6, two beyond."""
    if len(term) < FUZZY_ONE_EDIT_FROM or term.isdigit():
        return 0
    return 1 if len(term) < FUZZY_TWO_EDITS_FROM else 2


@dataclass(frozen=True, slots=True)
class Notices:
    """What the hits shown make of the query's words."""

    unmatched: tuple[str, ...] = ()
    corrections: Mapping[str, str] = dataclasses.field(default_factory=dict)


def explain(plan: QueryPlan, documents: Sequence[Mapping[str, Any]]) -> Notices:
    """Words no shown document contains (relaxed pass), and misspelt words with the word the documents have."""
    if not plan.words or not documents:
        return Notices()
    texts = [_document_tokens(document) for document in documents]
    corrections: dict[str, str] = {}
    unmatched = []
    for word in plan.words:
        typed = [alt for alt in word.alternatives if alt[0] not in plan.spellings.get(word.stems[0], ())]
        if any(_contains(tokens, typed) or _inflected(tokens, word) for tokens in texts):
            continue
        spelling = _closest(word, texts) if len(word.stems) == 1 else None
        if spelling is not None:
            corrections[word.text] = spelling
        elif plan.relaxed:
            unmatched.append(word.text)
    return Notices(tuple(unmatched), corrections)


def corrected_text(text: str, corrections: Mapping[str, str]) -> str:
    """``text`` with each misspelt word replaced by its correction."""
    for typed, spelling in corrections.items():
        text = text.replace(typed, spelling, 1)
    return text


def _document_tokens(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(stem, normalised token) of every word of the document's text fields, stop words left out."""
    parts: list[str] = []
    for name in TEXT_FIELDS:
        value = document.get(name) or ""
        parts.extend(value if isinstance(value, list | tuple) else [value])
    tokens = (token.text for part in parts for token in tokenize_with_spans(str(part)))
    return [(stem(token), token) for token in tokens if not is_stop_word(token)]


def _contains(tokens: list[tuple[str, str]], alternatives: Iterable[Phrase]) -> bool:
    stems = [stem_ for stem_, _ in tokens]
    for phrase in alternatives:
        size = len(phrase)
        if any(tuple(stems[i : i + size]) == phrase for i in range(len(stems) - size + 1)):
            return True
    return False


def _inflected(tokens: list[tuple[str, str]], word: QueryWord) -> bool:
    """The word is there in another form Snowball stems differently («менделеев» / «менделеева»)."""
    typed = typed_form(word.text)
    if len(word.stems) != 1 or len(typed) < FUZZY_ONE_EDIT_FROM:
        return False
    return any(
        (token.startswith(typed) or typed.startswith(token)) and abs(len(token) - len(typed)) <= MAX_ENDING
        for _, token in tokens
    )


def _closest(word: QueryWord, texts: list[list[tuple[str, str]]]) -> str | None:
    """The document word nearest to a misspelt one («биссиктриса» → «биссектриса»).

    Compared by stem (the correction then keeps the typed ending) and as typed (Snowball may cut a
    misspelt word short: «паралелограм» → «паралелогр»; the document's word is then given as it is).
    """
    typed_stem, typed = word.stems[0], typed_form(word.text)
    best: tuple[int, str] | None = None
    for stem_, token in (pair for tokens in texts for pair in tokens):
        by_stem, as_typed = _distance(typed_stem, stem_), _distance(typed, token)
        if by_stem is not None and (best is None or by_stem < best[0]):
            ending = typed[len(typed_stem) :] if typed.startswith(typed_stem) else ""
            best = (by_stem, stem_ + ending if ending else token)
        if as_typed is not None and (best is None or as_typed < best[0]):
            best = (as_typed, token)
    return best[1] if best is not None else None


def _distance(typed: str, known: str) -> int | None:
    """Edits from ``typed`` to ``known`` if within what ``typed`` allows (:func:`max_edits`), else ``None``."""
    allowed = max_edits(typed)
    if not allowed:
        return None
    distance = Levenshtein.distance(typed, known, score_cutoff=allowed)
    return distance if distance <= allowed else None


def typed_form(text: str) -> str:
    """The normalised form of a word as typed (the text lowercased when it is several words)."""
    tokens = tokenize_with_spans(text)
    return tokens[0].text if len(tokens) == 1 else text.lower()
