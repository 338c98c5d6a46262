"""Coverage of the programme by published resources: per node, how many are aligned, confirmed or suggested.

A region reads it to see which topics lack material. For each node of the chosen subjects, grades and variants
(sections, topics, content sections — in plan order), the number of **published** resources

- ``confirmed`` — with an alignment a methodist confirmed to the node or to one of its topics;
- ``suggested`` — with only suggested alignments to it (the engine's or a source's), waiting for a methodist;

and ``flagged`` when fewer than ``min_confirmed`` are confirmed. A section counts the resources of its topics
(each resource once), as ``topic=`` in search does. Two queries, whatever the size of the plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from content_repo.curriculum.models import Topic
from content_repo.resources.models import Alignment

DEFAULT_MIN_CONFIRMED = 3


@dataclass(frozen=True)
class NodeCoverage:
    """One node of the plan with its counts."""

    code: str
    uri: str
    title: str
    kind: str
    number: str
    subject: str
    grade: int
    variant: str
    hours: float | None
    parent: str | None
    depth: int
    confirmed: int
    suggested: int
    flagged: bool


@dataclass(frozen=True)
class Coverage:
    """The nodes of a selection, their counts, and how many are flagged."""

    nodes: list[NodeCoverage]
    min_confirmed: int

    @property
    def flagged(self) -> int:
        return sum(node.flagged for node in self.nodes)


def programme_coverage(
    *,
    subjects: Sequence[str],
    grades: Sequence[int] = (),
    variants: Sequence[str] = (),
    min_confirmed: int = DEFAULT_MIN_CONFIRMED,
) -> Coverage:
    """Coverage of the nodes of ``subjects`` (and ``grades``, ``variants`` if given), in plan order."""
    topics = Topic.objects.filter(subject__code__in=subjects)
    if grades:
        topics = topics.filter(grade_id__in=grades)
    if variants:
        topics = topics.filter(variant__in=variants)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in topics.order_by("subject__code", "grade_id", "variant", "order", "id").values(
            "id", "code", "title", "kind", "number", "subject__code", "grade_id", "variant", "hours", "parent_id"
        )
    ]
    by_id = {row["id"]: row for row in rows}
    confirmed, suggested = _aligned_resources(by_id)
    code_of = {row["id"]: row["code"] for row in rows}
    outside = {row["parent_id"] for row in rows if row["parent_id"] and row["parent_id"] not in by_id}
    parents = dict(Topic.objects.filter(id__in=outside).values_list("id", "code"))
    nodes = []
    for row in _plan_order(rows):
        pk = row["id"]
        waiting = suggested[pk] - confirmed[pk]
        parent = row["parent_id"]
        nodes.append(
            NodeCoverage(
                code=row["code"],
                uri=Topic(code=row["code"]).uri,
                title=row["title"],
                kind=row["kind"],
                number=row["number"],
                subject=row["subject__code"],
                grade=row["grade_id"],
                variant=row["variant"],
                hours=float(row["hours"]) if isinstance(row["hours"], Decimal | float | int) else None,
                parent=code_of.get(parent) or parents.get(parent),
                depth=_depth(row, by_id),
                confirmed=len(confirmed[pk]),
                suggested=len(waiting),
                flagged=len(confirmed[pk]) < min_confirmed,
            )
        )
    return Coverage(nodes, min_confirmed)


def _aligned_resources(by_id: dict[int, dict[str, Any]]) -> tuple[dict[int, set[Any]], dict[int, set[Any]]]:
    """Per node id: the published resources aligned to it or to a node below it, confirmed and suggested."""
    confirmed: dict[int, set[Any]] = defaultdict(set)
    suggested: dict[int, set[Any]] = defaultdict(set)
    aligned = Alignment.objects.filter(topic_id__in=list(by_id), resource__live=True).values_list(
        "topic_id", "resource_id", "status"
    )
    for topic_id, resource_id, status in aligned:
        target = confirmed if status == Alignment.Status.CONFIRMED else suggested
        node: int | None = topic_id
        seen: set[int] = set()
        while node is not None and node in by_id and node not in seen:
            seen.add(node)
            target[node].add(resource_id)
            node = by_id[node]["parent_id"]
    return confirmed, suggested


def _plan_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each section followed by its topics (depth first), sections in plan order."""
    children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    ids = {row["id"] for row in rows}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in ids else None
        children[parent].append(row)
    ordered: list[dict[str, Any]] = []

    def walk(parent: int | None) -> None:
        for row in children.get(parent, []):
            ordered.append(row)
            walk(row["id"])

    walk(None)
    return ordered


def _depth(row: dict[str, Any], by_id: dict[int, dict[str, Any]]) -> int:
    depth, parent = 0, row["parent_id"]
    while parent in by_id and depth < 10:
        depth, parent = depth + 1, by_id[parent]["parent_id"]
    return depth
