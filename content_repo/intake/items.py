"""What crosses into the loader: an item ready to load, the policy it loads under, and what became of it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .validation import FieldProblem

__all__ = ["IntakeItem", "ItemResult", "Outcome", "Policy"]


class Outcome(enum.StrEnum):
    """What loading one item did to the catalog — the one outcome vocabulary of every door."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Policy(enum.Enum):
    """Whether what a source says goes live at once or waits for a methodist.

    ``PUBLISH``: a trusted source (РЭШ, ЯКласс…) — created and changed resources are published.
    ``REVIEW``: a vendor or a review-first source — a new resource is submitted for review; a change to a
    published one waits as a submitted draft while the published version stays as it was.
    """

    PUBLISH = "publish"
    REVIEW = "review"


@dataclass(frozen=True)
class IntakeItem:
    """One resource on its way into the catalog: identity, provenance and overlay-field values (codes).

    ``ref`` is the caller's handle for reporting (a feed line number, a harvest record); the loader only
    hands it back in the :class:`ItemResult`.
    """

    source: str
    external_id: str
    source_url: str
    content_hash: str
    values: dict[str, Any]
    provider_code: str | None = None
    ref: Any = field(default=None, compare=False)


@dataclass
class ItemResult:
    """What became of one item: its outcome, the resource it is, or the problems that stopped it."""

    item: IntakeItem | None
    outcome: Outcome
    resource_id: Any = None
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def ref(self) -> Any:
        return self.item.ref if self.item is not None else None

    def message(self) -> str:
        return "; ".join(f"{problem.field}: {problem.message}" for problem in self.problems)
