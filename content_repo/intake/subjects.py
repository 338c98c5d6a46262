"""One subject mapping for every door: a subject's name as a source writes it → the curriculum's code.

A name maps when it is the curriculum's own title or code (whatever the source), a common variant from
``data/subject_names.json`` («ИЗО», «Физкультура», «ОБЖ», «Английский язык»), or an oddity listed there for
that one source. Harvest, the vendor API and the spreadsheet all ask :class:`SubjectMapper`; names it does
not know are counted for the job's report instead of being guessed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .text import name_key

__all__ = ["SUBJECT_NAMES_PATH", "SubjectMapper", "subject_names"]

SUBJECT_NAMES_PATH = Path(__file__).resolve().parent / "data" / "subject_names.json"


@lru_cache(maxsize=1)
def subject_names() -> dict[str, Any]:
    """The variants file: ``{"common": {name: code}, "sources": {source: {name: code}}}``."""
    return json.loads(SUBJECT_NAMES_PATH.read_text(encoding="utf-8"))


class SubjectMapper:
    """Maps names to subject codes for any source; remembers what it could not map.

    Built from the curriculum's subjects (code and title) — from the database with :meth:`from_database`, or
    from any ``(code, title)`` pairs — plus the variants file.
    """

    def __init__(self, subjects: Iterable[tuple[str, str]], names: Mapping[str, Any] | None = None) -> None:
        names = subject_names() if names is None else names
        known = dict(subjects)
        self._common: dict[str, str] = {}
        for name, code in names.get("common", {}).items():
            if code in known:
                self._common[name_key(name)] = code
        for code, title in known.items():
            self._common[name_key(title)] = code
            self._common[name_key(code)] = code
        self._sources = {
            source: {name_key(name): code for name, code in table.items() if code in known}
            for source, table in names.get("sources", {}).items()
        }
        self.unmapped: Counter[str] = Counter()

    @classmethod
    def from_database(cls) -> SubjectMapper:
        from content_repo.curriculum.models import Subject

        return cls(Subject.objects.values_list("code", "title"))

    def map(self, name: str | None, source: str = "") -> str | None:
        """The curriculum code for ``name`` as ``source`` writes it, or ``None`` (counted in ``unmapped``)."""
        if not name or not name.strip():
            return None
        key = name_key(name)
        code = self._sources.get(source, {}).get(key) or self._common.get(key)
        if code is None:
            self.unmapped[name.strip()] += 1
        return code

    def knows(self, name: str, source: str = "") -> bool:
        key = name_key(name)
        return key in self._common or key in self._sources.get(source, {})
