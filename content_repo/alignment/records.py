"""What the engine is given and what it answers: plain, typed records that cross the package boundary.

A :class:`ResourceRecord` is built by the caller from a normalised intake record or a Resource row; the engine
answers with :class:`Suggestion` objects. What methodists already decided comes in as :class:`ConfirmedHint`
(a confirmed alignment of a near-identical resource) and as rejected node codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .curriculum import NodeKind


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """A resource as the engine reads it.

    ``subject_codes`` are curriculum codes the caller already knows (a mapped source subject or a methodist's
    choice); ``subject_name`` is the subject as the source names it («Математика») and is used when no code is
    given. ``resource_type`` and ``educational_use`` are vocabulary codes («test», «exam_prep»).
    """

    title: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    resource_type: str = ""
    subject_codes: tuple[str, ...] = ()
    subject_name: str | None = None
    grades: tuple[int, ...] = ()
    part_titles: tuple[str, ...] = ()
    educational_use: tuple[str, ...] = ()
    source: str = ""


class HintKind(StrEnum):
    """Why another resource's confirmed alignment is evidence for this one."""

    SAME_TITLE = "same_title"
    SERIES_NEIGHBOUR = "series_neighbour"


@dataclass(frozen=True, slots=True)
class ConfirmedHint:
    """A node a methodist confirmed for a near-identical resource (see :func:`near_identity_keys`)."""

    code: str
    kind: HintKind
    other_title: str = ""


class AlignmentType(StrEnum):
    """The LRMI relation a suggestion proposes (``Alignment.Type``)."""

    TEACHES = "teaches"
    ASSESSES = "assesses"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A curriculum node proposed for a resource.

    ``score`` is in [0, 1]: how well the node explains the resource; the engine abstains below a threshold
    calibrated on the judged development set (docs/alignment.md). ``reasons`` are short Russian sentences;
    ``explanation`` joins them.
    """

    code: str
    kind: NodeKind
    title: str
    subject: str
    grade: int | None
    variant: str
    score: float
    reasons: tuple[str, ...]
    matched_words: tuple[str, ...]
    alignment_type: AlignmentType = AlignmentType.TEACHES
    section_title: str = ""
    inferred_subject: bool = False
    adjacent_grade: bool = False
    hinted: bool = False

    @property
    def explanation(self) -> str:
        return " ".join(self.reasons)

    @property
    def is_codifier_element(self) -> bool:
        return self.kind is NodeKind.CODIFIER_ELEMENT
