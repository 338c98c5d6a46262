"""Stable CASE identifiers: UUIDs derived from node codes, equal on every instance of the catalog.

An instance that exports ``math.5.3`` and another that exports the same node give it the same identifier, so a
CASE consumer (or the import back) recognises it; the ``uri`` is the node's own catalog URL.
"""

from __future__ import annotations

import uuid

__all__ = ["CASE_NAMESPACE", "EDITION_DATE", "case_uuid"]

CASE_NAMESPACE = uuid.UUID("8d6c1f2e-4b7a-5c3d-9e1f-2a3b4c5d6e7f")
# The edition the curriculum dataset follows (ФРП 2025, in force from 1 September 2025): the catalog does not
# date changes of single nodes, so every node of an exported package carries the edition's date.
EDITION_DATE = "2025-09-01T00:00:00+00:00"


def case_uuid(kind: str, code: str) -> str:
    """``kind`` is ``document``, ``subject``, ``topic``, ``codifier``, ``codifier-element`` or ``association``."""
    return str(uuid.uuid5(CASE_NAMESPACE, f"{kind}:{code}"))
