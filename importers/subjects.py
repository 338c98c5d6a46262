"""Mapping a site's subject name («Математика») to a curriculum subject code («math»).

The table is plain data, ``importers/data/subject_map.json``, so a methodist can extend it without
touching code. Names the table does not know are collected (per source, with a count) for the
harvest report instead of being guessed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from importers.html import normalise_text

__all__ = ["SUBJECT_MAP_PATH", "SubjectMapper", "default_mapper", "map_subject"]

logger = logging.getLogger(__name__)

SUBJECT_MAP_PATH = Path(__file__).with_name("data") / "subject_map.json"


def _key(name: str) -> str:
    # Sites differ in case, spacing and ё/е; none of that changes the subject.
    return normalise_text(name).casefold().replace("ё", "е")


class SubjectMapper:
    """Looks names up per source and remembers the ones it could not map."""

    def __init__(self, table: Mapping[str, Mapping[str, str]]) -> None:
        self._table = {
            source: {_key(name): code for name, code in names.items()}
            for source, names in table.items()
            if not source.startswith("_")
        }
        self.unmapped: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path = SUBJECT_MAP_PATH) -> SubjectMapper:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def map(self, source: str, name: str | None) -> str | None:
        """The curriculum code for ``name`` as ``source`` writes it, or ``None`` (and it is recorded)."""
        if not name:
            return None
        code = self._table.get(source, {}).get(_key(name))
        if code is None:
            with self._lock:
                first_time = (source, name) not in self.unmapped
                self.unmapped[(source, name)] += 1
            if first_time:
                logger.warning("%s: subject %r has no curriculum code in %s", source, name, SUBJECT_MAP_PATH.name)
        return code


@lru_cache(maxsize=1)
def default_mapper() -> SubjectMapper:
    """The process-wide mapper over ``subject_map.json``; its ``unmapped`` counter feeds reports."""
    return SubjectMapper.from_file()


def map_subject(source: str, name: str | None) -> str | None:
    """Map a subject name with :func:`default_mapper`; ``None`` means «unmapped, report it»."""
    return default_mapper().map(source, name)
