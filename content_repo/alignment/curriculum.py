"""The curriculum as the alignment engine sees it: plain nodes, loaded once, no database.

A node is either a topic of the federal programmes (a section, a topic or a content section of one subject, grade
and variant) or an element of a ФИПИ codifier. A service builds the nodes from the database
(:meth:`Curriculum.from_nodes`); tests and benchmarks read the dataset file directly
(:func:`load_curriculum_file`). Both name nodes by the same stable codes.

Programme nodes are described by *node terms* (``data/node_terms/<subject>.json``): key concepts, named rules,
works, persons and events, and the way lessons phrase the topic, 6–20 per node, written by the team from its
knowledge of the programmes. A lesson title rarely repeats a programme title word for word; the terms are what
lets «Теорема Виета» meet the topic «Квадратные уравнения».
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from content_repo.curriculum.codes import codifier_element_code

DATA_DIR = Path(__file__).resolve().parent / "data"
CURRICULUM_FILE = Path(__file__).resolve().parents[1] / "curriculum" / "data" / "curriculum.json"
NODE_TERMS_DIR = DATA_DIR / "node_terms"

# Exams and the grades whose material prepares for them.
EXAM_GRADES = {"OGE": (9,), "EGE": (10, 11)}


class NodeKind(StrEnum):
    """What a node is; the first three are topics of the programmes (``Topic.Kind``)."""

    SECTION = "section"
    TOPIC = "topic"
    CONTENT_SECTION = "content_section"
    CODIFIER_ELEMENT = "codifier_element"


@dataclass(frozen=True, slots=True)
class CurriculumNode:
    """One node a resource can be aligned to.

    ``terms`` describe the node: its key concepts and typical lesson phrasing (see :meth:`Curriculum.with_terms`),
    empty for codifier elements. ``exam``,
    ``codifier`` (the codifier's set, «EGE-math-2024-2025») and ``element_kind`` («content_element»,
    «requirement_subject»…) are set for codifier elements only, and their ``grade`` is ``None``.
    """

    code: str
    kind: NodeKind
    subject: str
    title: str
    grade: int | None = None
    variant: str = ""
    parent: str | None = None
    terms: tuple[str, ...] = ()
    exam: str = ""
    codifier: str = ""
    element_kind: str = ""

    @property
    def is_codifier_element(self) -> bool:
        return self.kind is NodeKind.CODIFIER_ELEMENT


@dataclass(frozen=True, slots=True)
class SubjectInfo:
    """A subject of the curriculum: code, title and the grades it is taught in."""

    code: str
    title: str
    grades: tuple[int, ...]


@dataclass(frozen=True)
class Curriculum:
    """Subjects and nodes, with the lookups the engine needs (children, ancestors)."""

    subjects: Mapping[str, SubjectInfo]
    nodes: tuple[CurriculumNode, ...]
    _by_code: dict[str, CurriculumNode] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {node.code: node for node in self.nodes})

    @classmethod
    def from_nodes(cls, subjects: Iterable[SubjectInfo], nodes: Iterable[CurriculumNode]) -> Curriculum:
        """A curriculum from nodes built elsewhere (for example from the database rows)."""
        return cls({subject.code: subject for subject in subjects}, tuple(nodes))

    def with_terms(self, terms: Mapping[str, Sequence[str]]) -> Curriculum:
        """The same curriculum with the terms of its nodes (``data/node_terms/``, see :func:`load_node_terms`)."""
        nodes = (replace(node, terms=tuple(terms[node.code])) if node.code in terms else node for node in self.nodes)
        return Curriculum(self.subjects, tuple(nodes))

    def node(self, code: str) -> CurriculumNode:
        """The node with ``code``; ``KeyError`` if there is none."""
        return self._by_code[code]

    def get(self, code: str) -> CurriculumNode | None:
        return self._by_code.get(code)

    def ancestors(self, node: CurriculumNode) -> list[CurriculumNode]:
        """Parent first, then its parent…"""
        found = []
        seen = {node.code}
        current = node
        while current.parent and current.parent in self._by_code and current.parent not in seen:
            current = self._by_code[current.parent]
            seen.add(current.code)
            found.append(current)
        return found

    @cached_property
    def children(self) -> dict[str, tuple[CurriculumNode, ...]]:
        """Node code → its direct children, in dataset order."""
        collected: dict[str, list[CurriculumNode]] = {}
        for node in self.nodes:
            if node.parent:
                collected.setdefault(node.parent, []).append(node)
        return {code: tuple(kids) for code, kids in collected.items()}

    def subject_title(self, code: str) -> str:
        subject = self.subjects.get(code)
        return subject.title if subject else code


def load_curriculum_file(path: Path = CURRICULUM_FILE, terms_dir: Path | None = NODE_TERMS_DIR) -> Curriculum:
    """The curriculum dataset (``curriculum.json`` format) with the terms of its nodes from ``terms_dir``, if given."""
    data = json.loads(path.read_text(encoding="utf-8"))
    subjects = [SubjectInfo(item["code"], item["title"], tuple(item.get("grades") or ())) for item in data["subjects"]]
    nodes = [_topic_node(item) for item in data["topics"]]
    nodes += [_codifier_node(item) for item in data.get("codifiers") or []]
    curriculum = Curriculum.from_nodes(subjects, nodes)
    return curriculum.with_terms(load_node_terms(terms_dir)) if terms_dir else curriculum


def load_node_terms(directory: Path = NODE_TERMS_DIR) -> dict[str, tuple[str, ...]]:
    """Node code → its terms, from every ``<subject>.json`` of ``directory`` (``{"subject", "nodes": {code: […]}}``)."""
    terms: dict[str, tuple[str, ...]] = {}
    for path in sorted(directory.glob("*.json")):
        nodes = json.loads(path.read_text(encoding="utf-8"))["nodes"]
        terms.update((code, tuple(items)) for code, items in nodes.items())
    return terms


def _topic_node(item: Mapping[str, Any]) -> CurriculumNode:
    return CurriculumNode(
        code=item["code"],
        kind=NodeKind(item["kind"]),
        subject=item["subject"],
        title=item["title"],
        grade=item["grade"],
        variant=item.get("variant") or "",
        parent=item.get("parent"),
    )


def _codifier_node(item: Mapping[str, Any]) -> CurriculumNode:
    return CurriculumNode(
        code=codifier_element_code(item),
        kind=NodeKind.CODIFIER_ELEMENT,
        subject=item.get("subject") or "",
        title=item["title"],
        parent=codifier_element_code(item, item["parent"]) if item.get("parent") else None,
        exam=item["exam"],
        codifier=item["set"],
        element_kind=item["kind"],
    )
