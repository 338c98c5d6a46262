"""The codes a resource's fields take — vocabulary terms, curriculum nodes, organisations — read once.

Field values travel as plain codes (``"math"``, ``5``, ``"cc-by-4.0"``, a topic code). Turning them into rows
one query at a time costs more than everything else in a load, so a batch, a request or a spreadsheet reads
the small tables whole into a :class:`CatalogCodes` and resolves every value from memory. The large tables
(topics, codifier elements) are read on first use, as ``code → id``.
"""

from __future__ import annotations

from typing import Any

from content_repo.curriculum.models import CodifierElement, Grade, Level, Subject, Topic
from content_repo.publishers.models import Organization
from content_repo.vocabularies.models import Term

__all__ = ["CatalogCodes"]

# The models' Meta.ordering, as sort keys.
_ORDER: dict[str, Any] = {
    "subjects": lambda subject: subject.title,
    "grades": lambda grade: grade.number,
    "levels": lambda level: level.pk,
    "educational_use": lambda term: (term.vocabulary, term.order),
}


class CatalogCodes:
    """Codes of the vocabularies, the curriculum and the organisations, with the rows they name."""

    def __init__(self) -> None:
        self.terms: dict[str, dict[str, Term]] = {}
        for term in Term.objects.all():
            self.terms.setdefault(term.vocabulary, {})[term.code] = term
        self.subjects: dict[str, Subject] = {subject.code: subject for subject in Subject.objects.all()}
        self.grades: dict[int, Grade] = {grade.number: grade for grade in Grade.objects.all()}
        self.levels: dict[str, Level] = {level.code: level for level in Level.objects.all()}
        self._m2m_tables: dict[str, dict[Any, Any]] = {
            "subjects": self.subjects,
            "grades": self.grades,
            "levels": self.levels,
            "educational_use": self.vocabulary("educational_use"),
        }
        self._topics: dict[str, int] | None = None
        self._codifier_elements: dict[str, int] | None = None
        self._organizations: dict[str, Organization] | None = None

    def term(self, vocabulary: str, code: str | None) -> Term | None:
        """The term with ``code`` in ``vocabulary`` (``None`` for an empty code); ``KeyError`` if unknown."""
        return self.terms[vocabulary][code] if code else None

    def vocabulary(self, name: str) -> dict[str, Term]:
        return self.terms.get(name, {})

    @property
    def topics(self) -> dict[str, int]:
        """Topic code → id."""
        if self._topics is None:
            self._topics = dict(Topic.objects.values_list("code", "id"))
        return self._topics

    @property
    def codifier_elements(self) -> dict[str, int]:
        """Codifier element code → id."""
        if self._codifier_elements is None:
            self._codifier_elements = dict(CodifierElement.objects.values_list("code", "id"))
        return self._codifier_elements

    @property
    def organizations(self) -> dict[str, Organization]:
        """Organisation code → organisation."""
        if self._organizations is None:
            self._organizations = {organization.code: organization for organization in Organization.objects.all()}
        return self._organizations

    def rows(self, field: str, values: list[Any]) -> list[Any]:
        """The rows of a many-to-many field's codes (``subjects``, ``grades``, ``levels``, ``educational_use``),
        in the order the database gives them (the models' ordering), so a resource built in memory reads as
        one read back."""
        table = self._m2m_tables[field]
        rows = [table[value] for value in values or []]
        return sorted(rows, key=_ORDER[field]) if len(rows) > 1 else rows
