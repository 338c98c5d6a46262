"""Facet counts of the database backend come from a per-process copy of the filter values
(``search.backends.database_facets``): whatever is written, rolled back or rebuilt, the counts are those of
the published entries in the database."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from django.db import transaction

from search.backends.database import DatabaseSearchBackend
from search.backends.database_facets import FACET_INDEXES
from search.backends.engine import DEFAULT_FACET_SIZE, FACET_SIZES
from search.documents import FILTER_FIELDS, SearchDocument, build_document
from search.query import FACET_NAMES, SearchQuery

from .catalog import load_catalog


def expected_counts(documents: list[SearchDocument], filters: dict[str, tuple[str, ...]]) -> dict[str, Counter]:
    """Counts computed the slow, obvious way: each facet without its own filter (multi-select)."""

    def values(document: SearchDocument, facet: str) -> set[str]:
        value = getattr(document, FILTER_FIELDS[facet])
        return {str(v) for v in value} if isinstance(value, tuple) else ({str(value)} if value else set())

    def passes(document: SearchDocument, exclude: str) -> bool:
        return all(values(document, name) & set(wanted) for name, wanted in filters.items() if name != exclude)

    live = [document for document in documents if document.published]
    return {
        facet: Counter(value for document in live if passes(document, facet) for value in values(document, facet))
        for facet in FACET_NAMES
    }


def counts(backend: DatabaseSearchBackend, filters: dict[str, tuple[str, ...]] | None = None) -> dict[str, Counter]:
    results = backend.search(SearchQuery(filters=filters or {}, facets=FACET_NAMES, page_size=1))
    return {name: Counter({value.value: value.count for value in values}) for name, values in results.facets.items()}


def top(expected: dict[str, Counter]) -> dict[str, Counter]:
    """What a facet lists: its most frequent values (topics: 100), as the backend ranks them."""

    def key(item: tuple[str, int]) -> tuple:
        return (-item[1], int(item[0]) if item[0].isdigit() else item[0])

    sizes = {name: FACET_SIZES.get(name, DEFAULT_FACET_SIZE) for name in expected}
    return {name: Counter(dict(sorted(c.items(), key=key)[: sizes[name]])) for name, c in expected.items()}


@pytest.fixture
def backend(db):
    backend = DatabaseSearchBackend({})
    backend.index_documents(load_catalog())
    return backend


def test_counts_follow_reindexing_and_deletion_without_reloading(backend):
    documents = {document.id: document for document in load_catalog()}
    assert counts(backend) == top(expected_counts(list(documents.values()), {}))
    copy = FACET_INDEXES.get("default")

    changed = dataclasses.replace(documents["resh-1119"], subjects=("chemistry",), grades=(9, 10))
    backend.index_documents([changed])
    backend.delete_documents([next(iter(documents))])
    documents["resh-1119"] = changed
    del documents[next(iter(documents))]

    filters = {"subject": ("chemistry", "math"), "grade": ("9",)}
    assert counts(backend, filters) == top(expected_counts(list(documents.values()), filters))
    assert FACET_INDEXES.get("default") is copy  # caught up by difference, not reloaded


def test_a_rolled_back_write_leaves_no_trace(backend):
    documents = load_catalog()
    assert counts(backend) == top(expected_counts(documents, {}))
    ghost = build_document(id="ghost", title="Призрак", subjects=["astronomy"], grades=[11], provider="ghosts")
    with pytest.raises(RuntimeError), transaction.atomic():
        backend.index_documents([ghost])
        assert counts(backend)["provider"]["ghosts"] == 1  # the copy saw the uncommitted entry
        raise RuntimeError("roll back")
    # The next entry may get the rolled-back entry's id: the copy must not keep the ghost's values.
    real = build_document(id="real", title="Настоящий", subjects=["music"], grades=[2], provider="resh")
    backend.index_documents([real])
    assert counts(backend) == top(expected_counts([*documents, real], {}))


def test_unpublished_entries_are_not_counted(backend):
    documents = load_catalog()
    hidden = dataclasses.replace(documents[0], published=False)
    backend.index_documents([hidden])
    expected = top(expected_counts([hidden, *documents[1:]], {}))
    assert counts(backend) == expected
    assert sum(expected["source"].values()) == sum(d.published for d in documents) - 1


def test_a_rebuild_replaces_the_copy(backend):
    counts(backend)
    before = FACET_INDEXES.get("default")
    backend.rebuild(load_catalog()[:7], chunk_size=3)
    assert counts(backend) == top(expected_counts(load_catalog()[:7], {}))
    assert FACET_INDEXES.get("default") is not before  # most of it changed: rebuilt (and compacted)
    assert FACET_INDEXES.get("default").size == 7


def test_text_search_counts_only_what_matches(backend):
    results = backend.search(SearchQuery("дроби", facets=FACET_NAMES, filters={"grade": ("5",)}))
    grade_five = backend.search(SearchQuery("дроби", filters={"grade": ("5",)}, page_size=100))
    everything = backend.search(SearchQuery("дроби", page_size=100))
    assert results.total == grade_five.total == len(grade_five.hits) > 0
    # The grade facet ignores its own filter: it counts every grade among all matches.
    grades = Counter(str(g) for hit in everything.hits for g in hit.document["grades"])
    assert {value.value: value.count for value in results.facets["grade"]} == grades
    subjects = Counter(s for hit in grade_five.hits for s in hit.document["subjects"])
    assert {value.value: value.count for value in results.facets["subject"]} == subjects


def test_a_copy_older_than_the_changes_kept_is_reloaded(backend, monkeypatch):
    from search.backends import database_facets

    counts(backend)
    before = FACET_INDEXES.get("default")
    monkeypatch.setattr(database_facets, "KEEP_CHANGES", 1)
    monkeypatch.setattr(database_facets, "PRUNE_EVERY", 1)
    extra = [build_document(id=f"extra-{n}", title=f"Доп {n}", subjects=["art"], grades=[3]) for n in range(3)]
    for document in extra:
        backend.index_documents([document])
    assert counts(backend) == top(expected_counts([*load_catalog(), *extra], {}))
    assert FACET_INDEXES.get("default") is not before
