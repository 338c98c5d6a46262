"""Alignment benchmark: the suggestion engine next to a naive baseline, on a judged set of resource records.

    .venv/bin/python bench/alignment_bench.py                 # the development set
    .venv/bin/python bench/alignment_bench.py --set holdout   # once, with the engine final
    .venv/bin/python bench/alignment_bench.py --misses        # every wrong or missing suggestion, for tuning
    .venv/bin/python bench/alignment_bench.py --sweep         # precision/coverage/abstention per threshold

Printed for each system, in one run (definitions in ``content_repo/alignment/evaluation.py``):

- precision@1 — the top suggestion is among the nodes the judge accepts (over records with a suggestion and a
  non-empty ``accept``);
- coverage — the share of records with a non-empty ``accept`` that get a suggestion;
- abstention — the share of records that fit nothing (``accept`` empty) that get no suggestion;
- resources per second — the whole pipeline per record (reading, subject and grade resolution, scoring,
  explanations), single-threaded, the curriculum index built beforehand (its build time is printed apart).

The baseline is stemmed BM25 (the project's ``search.relevance.BM25Baseline``) of the title against the titles of
the programme nodes of the record's subject(s) and grades; it abstains only when no title word matches.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from content_repo.alignment import ResourceRecord, SuggestionEngine, load_curriculum_file  # noqa: E402
from content_repo.alignment.curriculum import Curriculum  # noqa: E402
from content_repo.alignment.evaluation import TARGETS, Figures, figures, record_from_judged  # noqa: E402
from content_repo.alignment.reading import clean_title, grades_in  # noqa: E402
from content_repo.alignment.subjects import SubjectNames  # noqa: E402
from search.documents import SearchDocument  # noqa: E402
from search.relevance import BM25Baseline  # noqa: E402
from tests.alignment.judged_set import load  # noqa: E402

Suggest = Callable[[ResourceRecord], list[str]]


class Baseline:
    """Stemmed BM25 of the title against node titles of the record's subjects and grades."""

    def __init__(self, curriculum: Curriculum) -> None:
        self.curriculum = curriculum
        self.names = SubjectNames.load(curriculum.subjects)
        self._corpora: dict[tuple[tuple[str, ...], tuple[int, ...]], BM25Baseline] = {}

    def suggest(self, record: ResourceRecord) -> list[str]:
        grades = record.grades or grades_in(record.title)
        subjects = self.names.resolve(record.subject_codes, record.subject_name, grades).codes
        corpus = self._corpus(subjects or tuple(self.curriculum.subjects), tuple(grades))
        return corpus.rank(record.title, limit=3)

    def _corpus(self, subjects: tuple[str, ...], grades: tuple[int, ...]) -> BM25Baseline:
        key = (subjects, grades)
        if key not in self._corpora:
            nodes = [
                node
                for node in self.curriculum.nodes
                if node.subject in subjects and not node.is_codifier_element and (not grades or node.grade in grades)
            ]
            self._corpora[key] = BM25Baseline(SearchDocument(id=node.code, title=node.title) for node in nodes)
        return self._corpora[key]


def measure(items: Sequence[dict[str, Any]], suggest: Suggest, rounds: int) -> tuple[Figures, float]:
    """Figures of ``suggest`` on ``items`` and its speed (records per second over ``rounds`` passes)."""
    records = [record_from_judged(item) for item in items]
    answers: list[list[str]] = []
    started = time.perf_counter()
    for _ in range(rounds):
        answers = [suggest(record) for record in records]
    per_second = rounds * len(records) / (time.perf_counter() - started)
    return figures(items, answers), per_second


def print_figures(name: str, result: Figures, per_second: float) -> None:
    print(
        f"{name:<10} precision@1 {result.precision:.3f} ({result.correct}/{result.suggested})   "
        f"coverage {result.coverage:.3f} ({result.suggested}/{result.fitting})   "
        f"abstention {result.abstention:.3f} ({result.abstained_on_empty}/{result.empty})   "
        f"{per_second:,.0f} resources/s"
    )


def print_misses(items: Sequence[dict[str, Any]], engine: SuggestionEngine, threshold: float | None) -> None:
    for item in items:
        suggestions = engine.suggest(record_from_judged(item), threshold=threshold)
        top = suggestions[0].code if suggestions else None
        if (top in item["accept"]) or (not item["accept"] and top is None):
            continue
        kind = "ложная" if not item["accept"] else ("нет" if top is None else "мимо")
        print(f"[{kind}] {item['id']}: {item['title']!r} → {clean_title(item['title']).text!r}")
        print(f"    принимается: {item['accept'][:6]}  {item.get('note') or ''}")
        for suggestion in suggestions:
            print(f"    {suggestion.score:.3f} {suggestion.code} «{suggestion.title[:60]}» {suggestion.matched_words}")
        if not suggestions:
            for suggestion in engine.suggest(record_from_judged(item), limit=1, threshold=0.0):
                print(f"    (ниже порога) {suggestion.score:.3f} {suggestion.code} «{suggestion.title[:60]}»")


def print_sweep(items: Sequence[dict[str, Any]], engine: SuggestionEngine) -> None:
    """Figures per threshold from one pass: each record's best suggestion with the threshold at zero."""
    tops = [engine.suggest(record_from_judged(item), limit=1, threshold=0.0) for item in items]
    print("порог  precision@1  coverage  abstention")
    for step in range(10, 71, 2):
        threshold = step / 100
        result = figures(items, [[top[0].code] if top and top[0].score >= threshold else [] for top in tops])
        print(f"{threshold:5.2f}  {result.precision:11.3f}  {result.coverage:8.3f}  {result.abstention:10.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Подбор тем программы: качество и скорость на оценённом наборе")
    parser.add_argument("--set", choices=("dev", "holdout"), default="dev", help="оценённый набор (по умолчанию dev)")
    parser.add_argument("--rounds", type=int, default=5, help="повторов для замера скорости")
    parser.add_argument("--misses", action="store_true", help="показать ошибки движка")
    parser.add_argument("--sweep", action="store_true", help="качество при разных порогах")
    parser.add_argument("--threshold", type=float, help="порог для --misses (по умолчанию — порог движка)")
    args = parser.parse_args()

    items = load(args.set)
    started = time.perf_counter()
    curriculum = load_curriculum_file()
    engine = SuggestionEngine.from_curriculum(curriculum)
    built = time.perf_counter() - started
    baseline = Baseline(curriculum)
    print(
        f"набор {args.set}: {len(items)} записей ({sum(1 for i in items if i['accept'])} с подходящими узлами, "
        f"{sum(1 for i in items if not i['accept'])} без); программа и индекс — {built:.2f} с; "
        f"порог движка {engine.settings.threshold}"
    )
    print_figures("движок", *measure(items, lambda record: [s.code for s in engine.suggest(record)], args.rounds))
    print_figures("baseline", *measure(items, baseline.suggest, args.rounds))
    goals = "   ".join(f"{name} ≥ {value}" for name, value in TARGETS.items())
    print(f"цели: {goals}, ≥ 200 resources/s")
    if args.sweep:
        print_sweep(items, engine)
    if args.misses:
        print_misses(items, engine, args.threshold)


if __name__ == "__main__":
    main()
