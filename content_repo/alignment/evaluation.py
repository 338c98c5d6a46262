"""Measuring suggestions against a judged set: precision@1, coverage, abstention.

A judged record (``tests/alignment/judged/README.md``) is a resource as a source describes it plus ``accept``,
the nodes a methodist accepts (empty: nothing fits). The bench (``bench/alignment_bench.py``) and the tests read
the figures from here, so both count the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .records import ResourceRecord

# The targets on the development set; the tests keep them as a floor.
TARGETS = {"precision@1": 0.9, "coverage": 0.9, "abstention": 0.7}

TopCodes = Callable[[ResourceRecord], Sequence[str]]


@dataclass(frozen=True)
class Figures:
    """The quality figures of one system on one judged set, with the counts behind them."""

    precision: float
    coverage: float
    abstention: float
    suggested: int
    fitting: int
    empty: int
    correct: int
    abstained_on_empty: int

    def meets_targets(self) -> bool:
        return (
            self.precision >= TARGETS["precision@1"]
            and self.coverage >= TARGETS["coverage"]
            and self.abstention >= TARGETS["abstention"]
        )


def record_from_judged(item: Mapping[str, Any]) -> ResourceRecord:
    """A judged record as the engine's input (the judgement itself is left out)."""
    parts = item.get("parts") or []
    return ResourceRecord(
        title=item["title"],
        description=item.get("description") or "",
        keywords=tuple(item.get("keywords") or ()),
        resource_type=item.get("resource_type") or "",
        subject_name=item.get("subject_name"),
        grades=tuple(item.get("grades") or ()),
        part_titles=tuple(part if isinstance(part, str) else part.get("title", "") for part in parts),
        source=item.get("source") or "",
    )


def figures(items: Sequence[Mapping[str, Any]], answers: Sequence[Sequence[str]]) -> Figures:
    """Figures of the answers (suggested codes, best first; empty — abstained) given for ``items``, in order.

    precision@1 — the top suggestion is accepted, over records with a suggestion and a non-empty ``accept``;
    coverage — records with a non-empty ``accept`` that get a suggestion; abstention — records with an empty
    ``accept`` that get none.
    """
    fitting = [i for i, item in enumerate(items) if item["accept"]]
    empty = [i for i, item in enumerate(items) if not item["accept"]]
    suggested = [i for i in fitting if answers[i]]
    correct = [i for i in suggested if answers[i][0] in items[i]["accept"]]
    abstained = [i for i in empty if not answers[i]]
    return Figures(
        precision=len(correct) / len(suggested) if suggested else 0.0,
        coverage=len(suggested) / len(fitting) if fitting else 0.0,
        abstention=len(abstained) / len(empty) if empty else 0.0,
        suggested=len(suggested),
        fitting=len(fitting),
        empty=len(empty),
        correct=len(correct),
        abstained_on_empty=len(abstained),
    )


def evaluate(items: Sequence[Mapping[str, Any]], top_codes: TopCodes) -> tuple[Figures, list[list[str]]]:
    """Run ``top_codes`` over every judged record; the figures and the answers."""
    answers = [list(top_codes(record_from_judged(item))) for item in items]
    return figures(items, answers), answers
