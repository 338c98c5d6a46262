"""The node terms (``content_repo/alignment/data/node_terms/``): one file per subject, every programme node
described, each by 6–20 short terms, codes only of ``curriculum.json``."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TERMS_DIR = ROOT / "content_repo" / "alignment" / "data" / "node_terms"
CURRICULUM_FILE = ROOT / "content_repo" / "curriculum" / "data" / "curriculum.json"

MIN_TERMS, MAX_TERMS = 6, 20
MAX_WORDS = 6


def programme_nodes() -> dict[str, set[str]]:
    """Subject code → the codes of its topics, sections and content sections (codifier elements have no terms)."""
    curriculum = json.loads(CURRICULUM_FILE.read_text(encoding="utf-8"))
    nodes: dict[str, set[str]] = defaultdict(set)
    for topic in curriculum["topics"]:
        nodes[topic["subject"]].add(topic["code"])
    return nodes


def read_terms(subject: str) -> dict:
    return json.loads((TERMS_DIR / f"{subject}.json").read_text(encoding="utf-8"))


def test_one_file_per_curriculum_subject():
    files = {path.stem for path in TERMS_DIR.glob("*.json")}
    assert files == set(programme_nodes())
    assert len(files) == 32
    assert {path.name for path in TERMS_DIR.iterdir()} == {f"{subject}.json" for subject in files}


@pytest.mark.parametrize("subject", sorted(programme_nodes()))
def test_every_node_of_the_subject_is_described_and_nothing_else(subject):
    data = read_terms(subject)
    assert data["subject"] == subject
    expected = programme_nodes()[subject]
    described = set(data["nodes"])
    assert sorted(expected - described) == [], "nodes without terms"
    assert sorted(described - expected) == [], "codes that are not nodes of this subject in curriculum.json"


@pytest.mark.parametrize("subject", sorted(programme_nodes()))
def test_terms_are_6_to_20_short_distinct_phrases(subject):
    for code, terms in read_terms(subject)["nodes"].items():
        assert MIN_TERMS <= len(terms) <= MAX_TERMS, (code, len(terms))
        for term in terms:
            assert isinstance(term, str) and term == term.strip() and term, (code, term)
            assert len(term.split()) <= MAX_WORDS, (code, term)
        folded = [term.lower().replace("ё", "е") for term in terms]
        assert len(set(folded)) == len(folded), (code, "repeated term")


def test_the_counts_of_the_dataset():
    total_nodes = sum(len(read_terms(subject)["nodes"]) for subject in programme_nodes())
    assert total_nodes == sum(len(codes) for codes in programme_nodes().values()) == 3528
