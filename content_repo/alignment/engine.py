"""The suggestion engine: rank the curriculum nodes that fit a resource, or abstain.

Build it once (``SuggestionEngine.from_curriculum(load_curriculum_file())`` or from database rows) and call
:meth:`SuggestionEngine.suggest` per record, or :meth:`SuggestionEngine.suggest_many` for a batch. The engine
holds no mutable state after construction, so one instance serves any number of threads.

Steps for one record (``docs/alignment.md`` explains them for methodists):

1. read the record (``reading.py``): noise stripped, weighted stems, grades, exam and variant cues;
2. candidate subjects (``subjects.py``); none known → every subject of the grades, and the score is lowered;
3. candidate nodes: programme nodes of those subjects in the record's grades and the adjacent ones (lowered), and
   ФИПИ codifier elements when the record prepares for an exam;
4. score (``scoring.py``): how much of the title the node explains and how much of the node the record names;
5. methodists' decisions: rejected codes are dropped, confirmed alignments of near-identical resources raise
   their node;
6. abstain below the calibrated threshold; otherwise the best few, each with a Russian explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .curriculum import Curriculum, CurriculumNode, NodeKind
from .explain import explain
from .index import CurriculumIndex
from .reading import Position, ReadRecord, clean_title, grades_in, read_record
from .records import AlignmentType, ConfirmedHint, HintKind, ResourceRecord, Suggestion
from .scoring import Candidate, Match, ScoringSettings, score_candidates
from .subjects import SubjectChoice, SubjectNames

ADVANCED_VARIANT = "углублённый"
EXAM_LEVEL_GRADES = {"OGE": (5, 6, 7, 8, 9), "EGE": (7, 8, 9, 10, 11)}
ASSESSING_TYPES = frozenset({"test"})


@dataclass(frozen=True)
class EngineSettings:
    """What a deployment may tune; the defaults are the calibrated values (docs/alignment.md)."""

    limit: int = 3
    threshold: float = 0.28
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    # Content elements only: requirement lists («Познавательные УУД») say nothing about a resource's topic.
    codifier_kinds: frozenset[str] = frozenset({"content_element"})
    # An outdated codifier edition kept in the dataset for old material.
    excluded_codifiers: frozenset[str] = frozenset({"EGE-math-legacy"})
    same_title_hint_score: float = 0.95
    series_hint_share: float = 0.5
    # Names the exam: its codifier elements come first (the judge's best node for exam material).
    exam_bonus: float = 0.1
    # «Классный час», «олимпиада», «за год» in the title (data/off_programme.txt).
    off_programme_factor: float = 0.5
    # A section with topics is wider than a resource that one of its topics fits (the judge takes the topic).
    section_factor: float = 0.85
    # A section's terms sum up its topics: when one of its topics scores at least this share of the section's
    # score, the topic takes the section's score and goes first (the judge takes the topic). 0 turns it off.
    descend_share: float = 0.5
    # Both variants usually fit; the basic programme is the default unless the record says «углублённый».
    other_variant_factor: float = 0.95


@dataclass(frozen=True, slots=True)
class _Context:
    """What the engine decided about a record before scoring nodes."""

    read: ReadRecord
    subjects: SubjectChoice
    inferred_subject: bool
    positions: tuple[Position, ...]


class _CandidateSet:
    """The candidate nodes of one record, decided per node when scoring meets it (see ``scoring.Candidates``)."""

    def __init__(
        self,
        engine: SuggestionEngine,
        context: _Context,
        subjects: frozenset[str],
        own: frozenset[int],
        near: frozenset[int],
        exam_subjects: frozenset[str],
        base: float,
    ) -> None:
        self.engine, self.context = engine, context
        self.topic_subjects, self.own, self.near, self.exam_subjects = subjects, own, near, exam_subjects
        self.base = base
        self.subjects: frozenset[str] | None = subjects | exam_subjects
        self._decided: dict[int, Candidate | None] = {}

    def get(self, index: int) -> Candidate | None:
        if index not in self._decided:
            self._decided[index] = self._decide(index)
        return self._decided[index]

    def _decide(self, index: int) -> Candidate | None:
        engine = self.engine
        node = engine.index.entries[index].node
        scoring = engine.settings.scoring
        if node.is_codifier_element:
            if node.subject not in self.exam_subjects or node.exam != self.context.read.exam:
                return None
            if not engine.codifier_allowed[index]:
                return None
            factor, adjacent, bonus = self.base, False, engine.settings.exam_bonus
        elif node.subject not in self.topic_subjects:
            return None
        elif not self.own:
            factor, adjacent, bonus = self.base * scoring.unknown_grade_factor, False, 0.0
        elif node.grade in self.own:
            factor, adjacent, bonus = self.base, False, 0.0
        elif node.grade in self.near:
            factor, adjacent, bonus = self.base * scoring.adjacent_grade_factor, True, 0.0
        else:
            return None
        return Candidate(index, factor * engine._node_factor(index, self.context), adjacent, bonus)


class SuggestionEngine:
    """Ranks curriculum nodes for resource records; see the module docstring."""

    def __init__(self, curriculum: Curriculum, settings: EngineSettings | None = None) -> None:
        self.curriculum = curriculum
        self.settings = settings or EngineSettings()
        self.index = CurriculumIndex(curriculum)
        self.names = SubjectNames.load(curriculum.subjects)
        self.codifier_allowed = tuple(
            entry.node.is_codifier_element
            and entry.node.element_kind in self.settings.codifier_kinds
            and entry.node.codifier not in self.settings.excluded_codifiers
            for entry in self.index.entries
        )

    @classmethod
    def from_curriculum(cls, curriculum: Curriculum, settings: EngineSettings | None = None) -> SuggestionEngine:
        """An engine over ``curriculum`` (the index is built here, once)."""
        return cls(curriculum, settings)

    def suggest(
        self,
        record: ResourceRecord,
        *,
        confirmed_hints: Sequence[ConfirmedHint] = (),
        rejected: Iterable[str] = (),
        limit: int | None = None,
        threshold: float | None = None,
    ) -> list[Suggestion]:
        """The best nodes for ``record`` (at most ``limit``), or ``[]`` when nothing fits well enough.

        ``rejected`` codes are never returned; ``confirmed_hints`` raise their nodes (see :class:`ConfirmedHint`).
        ``limit`` and ``threshold`` default to the settings (a threshold of 0 shows what the engine abstains on).
        """
        context = self._context(record)
        candidates = self._candidates(context)
        scored = score_candidates(self.index, context.positions, candidates, self.settings.scoring)
        rejected_codes = set(rejected)
        scored = [match for match in scored if self.index.entries[match.node].node.code not in rejected_codes]
        scored = self._descend_sections(scored, context)
        scored = self._apply_hints(scored, confirmed_hints, rejected_codes, context)
        scored.sort(key=lambda match: self._order(match, context))
        floor = self.settings.threshold if threshold is None else threshold
        kept = [match for match in scored if match.score >= floor and match.score > 0]
        return [self._suggestion(match, context, record) for match in kept[: limit or self.settings.limit]]

    def suggest_many(
        self,
        records: Iterable[ResourceRecord],
        *,
        confirmed_hints: Sequence[Sequence[ConfirmedHint]] | None = None,
        rejected: Sequence[Iterable[str]] | None = None,
    ) -> list[list[Suggestion]]:
        """:meth:`suggest` for each record of a batch (hints and rejections given per record, in order)."""
        results = []
        for position, record in enumerate(records):
            hints = confirmed_hints[position] if confirmed_hints is not None else ()
            refused = rejected[position] if rejected is not None else ()
            results.append(self.suggest(record, confirmed_hints=hints, rejected=refused))
        return results

    def _context(self, record: ResourceRecord) -> _Context:
        cleaned = clean_title(record.title)
        grades = tuple(sorted(set(record.grades))) or cleaned.grades or grades_in(record.description[:600])
        title, named, phrase = self.names.strip_from_title(cleaned.text, grades)
        read = read_record(record, title=title, subject_phrase=phrase)
        choice = self.names.resolve(record.subject_codes, record.subject_name, read.grades)
        if not choice.known and named:
            choice = SubjectChoice(named, split=len(named) > 1)
        elif choice.split and named and set(named) < set(choice.codes):
            # «Математика» splits by content, and the title names the part: «задачи по теории вероятностей».
            choice = SubjectChoice(tuple(code for code in choice.codes if code in named), True, choice.named_by_source)
        return _Context(read, choice, not choice.known, read.positions)

    def _candidates(self, context: _Context) -> _CandidateSet:
        """Which nodes the record may get, and the factor each one's grade, subject and kind put on the score."""
        scoring = self.settings.scoring
        subjects = frozenset(context.subjects.codes or self.curriculum.subjects)
        base = scoring.inferred_subject_factor if context.inferred_subject else 1.0
        if context.read.off_programme:
            base *= self.settings.off_programme_factor
        own = frozenset(context.read.grades)
        if context.read.exam and own:
            # Exam material revises the whole level: ОГЭ the grades 5–9, ЕГЭ the grades 7–11.
            near = frozenset(EXAM_LEVEL_GRADES[context.read.exam]) - own
        else:
            near = frozenset(g + step for g in own for step in (-1, 1)) - own
        exam_subjects = frozenset(self.names.codifier_subjects(subjects)) if context.read.exam else frozenset()
        return _CandidateSet(self, context, subjects, own, near, exam_subjects, base)

    def _node_factor(self, index: int, context: _Context) -> float:
        """The factors of the node itself: a section with topics, the variant the record did not ask for."""
        entry = self.index.entries[index]
        factor = 1.0
        if entry.has_children != context.read.whole_section:
            factor *= self.settings.section_factor
        variant = entry.node.variant
        if variant and not entry.node.is_codifier_element:
            if (variant == ADVANCED_VARIANT) != bool(context.read.prefers_advanced):
                factor *= self.settings.other_variant_factor
        return factor

    def _descend_sections(self, scored: list[Match], context: _Context) -> list[Match]:
        """Give a section's score to its best topic when that topic comes close (see ``descend_share``)."""
        share = self.settings.descend_share
        if not share or context.read.whole_section:
            return scored
        by_code = {self.index.entries[match.node].node.code: match for match in scored}
        raised: dict[int, Match] = {}
        for section in scored:
            code = self.index.entries[section.node].node.code
            topics = [by_code[child.code] for child in self.curriculum.children.get(code, ()) if child.code in by_code]
            best = max(topics, key=lambda topic: (topic.score, -topic.node), default=None)
            if best is None or not share * section.score <= best.score < section.score:
                continue
            current = raised.get(best.node, best)
            if section.score > current.score:
                raised[best.node] = replace(current, score=section.score, raw=max(current.raw, section.raw))
        return [raised.get(match.node, match) for match in scored]

    def _apply_hints(
        self, scored: list[Match], hints: Sequence[ConfirmedHint], rejected: set[str], context: _Context
    ) -> list[Match]:
        """Raise nodes that methodists confirmed for near-identical resources (never a rejected one)."""
        if not hints:
            return scored
        by_node = {match.node: match for match in scored}
        for hint in hints:
            index = self.index.position.get(hint.code)
            if index is None or hint.code in rejected:
                continue
            match = by_node.get(index) or Match(index, 0.0, 0.0, ())
            if hint.kind is HintKind.SAME_TITLE:
                score = max(match.score, self.settings.same_title_hint_score)
            else:
                score = match.score + self.settings.series_hint_share * (1.0 - match.score)
            by_node[index] = match.with_hint(score, hint)
        return list(by_node.values())

    def _order(self, match: Match, context: _Context) -> tuple[int, float, float, bool, int, str]:
        """A node confirmed for a resource of the same title first, then by score, then tie-breaks (a topic
        before a section with topics, the variant the record asks for, the code).

        A series neighbour's node is only raised by its score: the next lesson often moves to the next topic.
        """
        entry = self.index.entries[match.node]
        node = entry.node
        hint_rank = 0 if match.hint is not None and match.hint.kind is HintKind.SAME_TITLE else 1
        wants_advanced = bool(context.read.prefers_advanced)
        variant_rank = 0 if (node.variant == ADVANCED_VARIANT) == wants_advanced else 1
        return (hint_rank, -round(match.score, 6), -match.raw, entry.has_children, variant_rank, node.code)

    def _suggestion(self, match: Match, context: _Context, record: ResourceRecord) -> Suggestion:
        entry = self.index.entries[match.node]
        node: CurriculumNode = entry.node
        reasons = explain(
            node=node,
            section_title=entry.section_title,
            match=match,
            read=context.read,
            subjects=context.subjects,
            inferred_subject=context.inferred_subject,
            curriculum=self.curriculum,
        )
        return Suggestion(
            code=node.code,
            kind=node.kind,
            title=node.title,
            subject=node.subject,
            grade=node.grade,
            variant=node.variant if node.kind is not NodeKind.CODIFIER_ELEMENT else "",
            score=round(min(1.0, max(0.0, match.score)), 3),
            reasons=tuple(reasons),
            matched_words=match.words,
            alignment_type=AlignmentType.ASSESSES if record.resource_type in ASSESSING_TYPES else AlignmentType.TEACHES,
            section_title=entry.section_title,
            inferred_subject=context.inferred_subject,
            adjacent_grade=match.adjacent,
            hinted=match.hint is not None,
        )
