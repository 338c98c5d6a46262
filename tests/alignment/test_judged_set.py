"""Well-formedness of the judged alignment set: schema, codes that exist in the curriculum dataset, the mix of
record kinds the set promises, and no leaks from the development set into the hold-out set.

The curriculum is read from ``content_repo/curriculum/data/curriculum.json`` (not the database), and codifier
codes are built with the loader's own ``codifier_element_code`` so they match ``CodifierElement.code``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from content_repo.curriculum.services import DEFAULT_DATASET, codifier_element_code
from tests.alignment.judged_set import load

VOCABULARIES = Path(DEFAULT_DATASET).parents[2] / "vocabularies" / "data" / "vocabularies.json"
MINIMUM = {"dev": 220, "holdout": 110}
SOURCES = {"resh", "yaklass", "uchi", "mesh", "vendor", "csv"}
REQUIRED = {"id", "source", "title", "description", "keywords", "resource_type", "subject_name", "grades"}
REQUIRED |= {"accept", "best", "note"}
OPTIONAL = {"parts"}
# Superseded codifier (ЕГЭ ≈2015–2021, transcribed from memory): exam material is aligned to the current sets.
RETIRED_CODIFIERS = ("EGE-math-legacy.",)
SETS = ["dev", "holdout"]
# Two titles this alike are the same resource reworded; the hold-out set must not contain such near-copies.
NEAR_COPY_RATIO = 0.85


@cache
def curriculum() -> dict[str, Any]:
    return json.loads(Path(DEFAULT_DATASET).read_text(encoding="utf-8"))


@cache
def topics() -> dict[str, dict[str, Any]]:
    return {t["code"]: t for t in curriculum()["topics"]}


@cache
def codifier_codes() -> frozenset[str]:
    return frozenset(codifier_element_code(entry) for entry in curriculum()["codifiers"])


def normalise(title: str) -> str:
    return re.sub(r"\s+", " ", title.casefold().replace("ё", "е")).strip(" .")


def is_exam(record: dict[str, Any]) -> bool:
    return bool(re.search(r"\b(ОГЭ|ЕГЭ)\b", record["title"])) or any(c in codifier_codes() for c in record["accept"])


def is_adjacent_grade(record: dict[str, Any]) -> bool:
    node = topics().get(record["best"] or "")
    return bool(node and record["grades"] and node["grade"] not in record["grades"])


def share(records: list[dict[str, Any]], predicate: Any) -> float:
    return sum(1 for r in records if predicate(r)) / len(records)


def accepted_topics(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [topics()[code] for r in records for code in r["accept"] if code in topics()]


@pytest.mark.parametrize("name", SETS)
def test_schema(name: str) -> None:
    vocabulary = json.loads(VOCABULARIES.read_text(encoding="utf-8"))
    resource_types = {term["code"] for term in vocabulary["resource_type"]["terms"]}
    for r in load(name):
        where = f"{name} {r.get('id')}"
        assert REQUIRED <= r.keys(), f"{where}: missing {sorted(REQUIRED - r.keys())}"
        assert r.keys() <= REQUIRED | OPTIONAL, f"{where}: unknown keys {sorted(r.keys() - REQUIRED - OPTIONAL)}"
        assert r["source"] in SOURCES, where
        assert isinstance(r["title"], str) and r["title"].strip() == r["title"] and r["title"], where
        assert isinstance(r["description"], str), where
        assert all(isinstance(k, str) and k for k in r["keywords"]), where
        assert all(isinstance(p, str) and p for p in r.get("parts", [])), where
        assert r["resource_type"] in resource_types, f"{where}: resource_type {r['resource_type']!r}"
        assert r["subject_name"] is None or (isinstance(r["subject_name"], str) and r["subject_name"]), where
        assert r["grades"] == sorted(set(r["grades"])), f"{where}: grades must be sorted and unique"
        assert all(isinstance(g, int) and 1 <= g <= 11 for g in r["grades"]), where
        assert isinstance(r["note"], str) and r["note"], f"{where}: a note says why"


@pytest.mark.parametrize("name", SETS)
def test_ids_unique_and_counts_reach_the_minimum(name: str) -> None:
    records = load(name)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(rf"{name}-\d{{3}}", i) for i in ids), [i for i in ids if not i.startswith(name)]
    assert len(records) >= MINIMUM[name]


@pytest.mark.parametrize("name", SETS)
def test_every_code_exists_in_the_curriculum_dataset(name: str) -> None:
    known = topics().keys() | codifier_codes()
    missing = [(r["id"], c) for r in load(name) for c in r["accept"] if c not in known]
    assert missing == []
    retired = [(r["id"], c) for r in load(name) for c in r["accept"] if c.startswith(RETIRED_CODIFIERS)]
    assert retired == []


@pytest.mark.parametrize("name", SETS)
def test_best_is_one_of_the_accepted_nodes_or_null_when_nothing_fits(name: str) -> None:
    for r in load(name):
        assert len(r["accept"]) == len(set(r["accept"])), r["id"]
        if r["accept"]:
            assert r["best"] in r["accept"], r["id"]
        else:
            assert r["best"] is None, r["id"]


@pytest.mark.parametrize("name", SETS)
def test_no_title_copies_a_programme_node_title(name: str) -> None:
    node_titles = {normalise(t["title"]) for t in curriculum()["topics"]}
    node_titles |= {normalise(e["title"]) for e in curriculum()["codifiers"]}
    copies = [(r["id"], r["title"]) for r in load(name) if normalise(r["title"]) in node_titles]
    assert copies == []


@pytest.mark.parametrize("name", SETS)
def test_titles_are_unique_within_a_set(name: str) -> None:
    titles = [normalise(r["title"]) for r in load(name)]
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize("name", SETS)
def test_the_mix_of_records(name: str) -> None:
    records = load(name)
    fitting = [r for r in records if r["accept"]]
    nodes = accepted_topics(fitting)
    assert len({n["subject"] for n in nodes}) >= 15
    assert {n["level"] for n in nodes} == {"NOO", "OOO", "SOO"}
    assert {"базовый", "углублённый"} <= {n["variant"] for n in nodes}
    assert 0.10 <= share(records, lambda r: not r["accept"]) <= 0.20
    assert share(records, is_adjacent_grade) >= 0.08
    assert share(records, is_exam) >= 0.08
    assert share(records, lambda r: r["subject_name"] is None) >= 0.07
    assert any(r["subject_name"] == "Математика" and topics()[r["best"]]["subject"] == "algebra" for r in fitting)
    assert any(r["subject_name"] == "Математика" and topics()[r["best"]]["subject"] == "geometry" for r in fitting)


def test_holdout_shares_no_title_with_dev_nor_a_near_copy() -> None:
    dev = {normalise(r["title"]): r["id"] for r in load("dev")}
    holdout = {normalise(r["title"]): r["id"] for r in load("holdout")}
    assert dev.keys() & holdout.keys() == set()
    near = []
    for h in holdout:
        matcher = difflib.SequenceMatcher(None, b=h)
        for d in dev:
            matcher.set_seq1(d)
            # quick_ratio() bounds ratio() from above and is much cheaper.
            if matcher.quick_ratio() >= NEAR_COPY_RATIO and matcher.ratio() >= NEAR_COPY_RATIO:
                near.append((holdout[h], dev[d]))
    assert near == []


def test_load_refuses_an_unknown_set() -> None:
    with pytest.raises(ValueError, match="unknown judged set 'train'"):
        load("train")
