"""Stable codes of curriculum nodes that are derived from the dataset, without touching the database.

The loader (``services.py``) and the alignment engine (``content_repo/alignment``, which reads the dataset file
directly in tests and benchmarks) must name a codifier element the same way, so the rule lives here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Codifier elements are unique per (set, kind, number): requirements and content elements share numbers.
CODIFIER_KIND_SLUGS = {
    "content_element": "kes",
    "requirement_subject": "req",
    "requirement_metasubject": "meta",
}


def codifier_element_code(entry: Mapping[str, Any], number: str | None = None) -> str:
    """«EGE-math-2024-2025.kes.2.1»: the set, the kind's slug and the element number (or ``number``)."""
    slug = CODIFIER_KIND_SLUGS.get(entry["kind"], entry["kind"])
    return f"{entry['set']}.{slug}.{number if number is not None else entry['code']}"
