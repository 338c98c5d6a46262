"""Tables of the embedded ``database`` search backend and of the indexing queue.

- :class:`SearchEntry` — one row per indexed document: the document JSON (returned as is in results), the
  single-valued filter columns, the sort keys and the stemmed text of three weighted field groups. The
  full-text index over that text is not a Django field: migration 0002 adds an FTS5 table kept in step by
  triggers (SQLite) or a generated ``tsvector`` column with a GIN index (PostgreSQL).
- :class:`SearchEntryValue` — one row per value of a multi-valued filter (subject, grade, level, topic), so
  filtering is a semi-join; facet counts are made in Python from a copy of these rows
  (``search.backends.database_facets``), kept in step by :class:`SearchIndexState` and
  :class:`SearchIndexChange`.
- :class:`SearchDirty` — resources whose index entry in one backend may be out of date; the sweep
  (``manage.py search_sweep``) brings them in line and removes the row.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

# Multi-valued filters live in SearchEntryValue, single-valued ones in SearchEntry columns.
MULTI_VALUED_FACETS = ("subject", "grade", "level", "topic", "alignment", "confirmed_topic")
SINGLE_VALUED_FACETS = ("type", "license", "access", "provider", "language", "source")
FACET_COLUMNS = {
    "type": "resource_type",
    "license": "license",
    "access": "access",
    "provider": "provider",
    "language": "language",
    "source": "source",
}
# published_ms of a document without a publication date: sorts last under «newest», as in the engine.
MISSING_DATE_MS = -(2**63)


class SearchEntry(models.Model):
    """A search document as the database backend stores it."""

    doc_id = models.CharField("идентификатор документа", max_length=64, unique=True)
    published = models.BooleanField("опубликован", default=True)
    published_ms = models.BigIntegerField("опубликован (мс эпохи)", default=MISSING_DATE_MS)
    title_sort = models.CharField("ключ сортировки по названию", max_length=500, blank=True)
    resource_type = models.CharField("тип", max_length=200, blank=True)
    license = models.CharField("лицензия", max_length=200, blank=True)
    access = models.CharField("доступ", max_length=200, blank=True)
    provider = models.CharField("поставщик", max_length=200, blank=True)
    language = models.CharField("язык", max_length=200, blank=True)
    source = models.CharField("источник", max_length=200, blank=True)
    indexed_at = models.DateTimeField("проиндексирован", default=timezone.now, db_index=True)
    title_terms = models.TextField("основы названия", blank=True)
    keyword_terms = models.TextField("основы ключевых слов и тем", blank=True)
    body_terms = models.TextField("основы описания и поставщика", blank=True)
    # Wide columns last: SQLite reads a row's columns in order, so filters and sort keys stay cheap to read.
    document = models.JSONField("документ")

    class Meta:
        verbose_name = "поисковый документ"
        verbose_name_plural = "поисковые документы"
        indexes = [
            models.Index(fields=["title_sort", "doc_id"], name="search_entry_title_sort"),
            models.Index(fields=["published_ms", "doc_id"], name="search_entry_published"),
        ]

    def __str__(self) -> str:
        return self.doc_id


class SearchEntryValue(models.Model):
    """A value of a multi-valued filter of an entry («subject = math», «grade = 5»)."""

    entry = models.ForeignKey(SearchEntry, models.CASCADE, related_name="values", db_index=False)
    facet = models.CharField("фасет", max_length=16)
    value = models.CharField("значение", max_length=200)

    class Meta:
        verbose_name = "значение фильтра"
        verbose_name_plural = "значения фильтров"
        indexes = [
            # Filtering: entries having one of the values of a facet.
            models.Index(fields=["facet", "value", "entry"], name="search_value_filter"),
            # The values of given entries: deleting them, and loading them into the facet copies.
            models.Index(fields=["entry", "facet", "value"], name="search_value_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class SearchDirty(models.Model):
    """A resource whose entry in the backend ``backend`` (a ``SEARCH_BACKENDS`` name) must be refreshed."""

    resource_id = models.CharField("ресурс", max_length=64)
    backend = models.CharField("бэкенд", max_length=64)
    marked_at = models.DateTimeField("отмечен", default=timezone.now)
    attempts = models.PositiveIntegerField("попыток", default=0)

    class Meta:
        verbose_name = "ресурс для переиндексации"
        verbose_name_plural = "ресурсы для переиндексации"
        constraints = [models.UniqueConstraint(fields=["backend", "resource_id"], name="search_dirty_unique")]

    def __str__(self) -> str:
        return f"{self.backend}:{self.resource_id}"


class SearchIndexState(models.Model):
    """One row (``id = 1``): a random token replaced by every write to the entry tables.

    Processes keep a copy of the filter values for facet counting (``search.backends.database_facets``);
    a token different from the copy's tells them to catch up. Writers update this row first, so its lock
    also puts their :class:`SearchIndexChange` rows in commit order.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.CharField("метка версии", max_length=32)

    class Meta:
        verbose_name = "состояние поискового индекса"
        verbose_name_plural = "состояние поискового индекса"

    def __str__(self) -> str:
        return self.token


class SearchIndexChange(models.Model):
    """What one write did to the entry tables: the entries added and removed (or ``full``: everything
    replaced). Chained by tokens, so a process's copy can replay the changes it missed; a copy whose token is
    not in the chain (a rolled-back write, or older than the rows kept) is reloaded instead."""

    token = models.CharField("метка версии", max_length=32, unique=True)
    previous = models.CharField("предыдущая метка", max_length=32, blank=True)
    added = models.JSONField("добавленные записи", default=list)
    removed = models.JSONField("удалённые записи", default=list)
    full = models.BooleanField("полная замена", default=False)
    created_at = models.DateTimeField("когда", default=timezone.now)

    class Meta:
        verbose_name = "изменение поискового индекса"
        verbose_name_plural = "изменения поискового индекса"

    def __str__(self) -> str:
        return self.token


class SearchMiss(models.Model):
    """A query that found nothing or little in one week: what teachers look for and the catalog lacks.

    Only the normalised query text is kept (lowercase, «ё» → «е», spaces collapsed, at most 100 characters),
    with how many times it was searched that week and what the last search found; no address, user, session
    or time of day. ``search.misses`` writes it, the admin's report «Что ищут и не находят» reads it.
    """

    week = models.DateField("неделя (понедельник)")
    text = models.CharField("запрос", max_length=100)
    searches = models.PositiveIntegerField("искали раз", default=0)
    found = models.PositiveIntegerField("найдено в последний раз", default=0)

    class Meta:
        verbose_name = "запрос без результатов"
        verbose_name_plural = "запросы без результатов"
        constraints = [models.UniqueConstraint(fields=["week", "text"], name="search_miss_week_text")]
        indexes = [models.Index(fields=["week", "searches"])]

    def __str__(self) -> str:
        return f"{self.week}: {self.text}"
