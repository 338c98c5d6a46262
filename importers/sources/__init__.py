"""The harvested sources, by code. Each module exposes ``gather``, ``transform`` and ``SOURCE``."""

from __future__ import annotations

from importers.sources import mesh, oai, resh, uchi, yaklass
from importers.sources.base import SourceDefinition

__all__ = ["SOURCES", "get_source"]

SOURCES: dict[str, SourceDefinition] = {
    module.SOURCE.code: module.SOURCE for module in (resh, yaklass, uchi, mesh, oai)
}


def get_source(code: str) -> SourceDefinition:
    """The source with this code; ``KeyError`` names the known codes."""
    try:
        return SOURCES[code]
    except KeyError:
        raise KeyError(f"unknown source {code!r}; known: {', '.join(sorted(SOURCES))}") from None
