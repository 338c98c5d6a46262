"""Finding resources by words in the admin, with Russian morphology («дробь» finds «Дроби»).

Two sources, united: the catalog's search backend (registered by the ``search`` app with the Wagtail hook
``search_catalog_resources``, since this floor imports nothing above it) for published resources, ranked and
with typos read as the search service reads them; and the same stems (``content_repo.text.analysis``)
matched in the titles and descriptions of every resource, drafts and resources in review included.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from wagtail import hooks

from content_repo.text.analysis import analyze

SEARCH_HOOK = "search_catalog_resources"


def _contains(field: str, stem: str) -> Q:
    # SQLite folds only ASCII case in LIKE: the stem is also tried capitalised (the first word of a title).
    return (
        Q(**{f"{field}__icontains": stem})
        | Q(**{f"{field}__contains": stem.capitalize()})
        | Q(**{f"{field}__contains": stem.upper()})
    )


def stems_condition(text: str, fields: Iterable[str] = ("title", "description")) -> Q | None:
    """Every word's stem in one of ``fields``; ``None`` when the text has no words to look for."""
    stems = [stem for stem in analyze(text) if stem]
    if not stems:
        return None
    condition = Q()
    for stem in stems:
        either = Q()
        for field in fields:
            either |= _contains(field, stem)
        condition &= either
    return condition


def backend_ids(text: str) -> set[str]:
    """Ids of published resources the catalog's search backend finds for ``text``."""
    found: set[str] = set()
    for search in hooks.get_hooks(SEARCH_HOOK):
        found.update(str(pk) for pk in search(text))
    return found


def search_resources(queryset, text: str):
    """``queryset`` narrowed to the resources ``text`` finds (by the backend or by stems)."""
    condition = Q(pk__in=list(backend_ids(text)))
    by_stems = stems_condition(text)
    if by_stems is not None:
        condition |= by_stems
    return queryset.filter(condition)
