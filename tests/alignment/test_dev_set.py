"""The engine on the judged development set: the issue's targets are a floor no change may break.

Only ``dev.json`` is read here; ``holdout.json`` is run by hand with ``bench/alignment_bench.py --set holdout``.
"""

from __future__ import annotations

from content_repo.alignment.evaluation import TARGETS, evaluate, record_from_judged
from tests.alignment.judged_set import load


def test_engine_meets_the_targets_on_the_development_set(engine):
    items = load("dev")
    figures, answers = evaluate(items, lambda record: [suggestion.code for suggestion in engine.suggest(record)])
    report = (
        f"precision@1 {figures.precision:.3f} ({figures.correct}/{figures.suggested}), "
        f"coverage {figures.coverage:.3f} ({figures.suggested}/{figures.fitting}), "
        f"abstention {figures.abstention:.3f} ({figures.abstained_on_empty}/{figures.empty})"
    )
    assert figures.precision >= TARGETS["precision@1"], report
    assert figures.coverage >= TARGETS["coverage"], report
    assert figures.abstention >= TARGETS["abstention"], report
    assert len(answers) == len(items) == figures.fitting + figures.empty


def test_suggestions_never_name_a_node_outside_the_curriculum(engine, curriculum):
    for item in load("dev"):
        for suggestion in engine.suggest(record_from_judged(item)):
            assert curriculum.get(suggestion.code) is not None
