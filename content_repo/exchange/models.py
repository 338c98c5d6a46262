"""What the OAI-PMH provider lists: one record per resource the change feed ever published.

The provider never reads resources directly. It follows the change feed (``content_repo.api.models.Change``)
into :class:`OaiRecord`: a resource's last entry decides whether its record is live (``published``/``updated``,
whose public document the entry keeps) or deleted (``withdrawn``/``deleted`` tombstones — persistent deletion).

``position`` is the feed's ``seq`` of that last entry. It is unique, it grows whenever a record changes, and
it grows together with ``datestamp`` (both are set when the provider takes the entry in), so it is the one key
every list is ordered and resumed by: a resumption token carries the last position it returned, and the next
page is an index range scan from there, as fast at the millionth record as at the first.
"""

from __future__ import annotations

from django.db import models


class OaiRecord(models.Model):
    """A resource as the provider shows it: live or deleted, since when, in which sets."""

    resource_id = models.UUIDField("ресурс", primary_key=True)
    position = models.BigIntegerField("позиция (номер записи ленты изменений)", unique=True)
    datestamp = models.DateTimeField("дата изменения для OAI-PMH")
    deleted = models.BooleanField("удалена", default=False)
    sets = models.JSONField("наборы", default=list, blank=True)

    class Meta:
        verbose_name = "запись OAI-PMH"
        verbose_name_plural = "записи OAI-PMH"
        indexes = [models.Index(fields=["datestamp", "position"], name="oai_record_datestamp")]

    def __str__(self) -> str:
        return f"{self.resource_id} ({'удалена' if self.deleted else 'действует'})"


class OaiSetMember(models.Model):
    """A record's membership in one set, with the record's position: a set's list is one index range."""

    spec = models.CharField("набор", max_length=150)
    position = models.BigIntegerField("позиция записи")
    record = models.ForeignKey(OaiRecord, models.CASCADE, related_name="members", verbose_name="запись")

    class Meta:
        verbose_name = "запись в наборе OAI-PMH"
        verbose_name_plural = "записи в наборах OAI-PMH"
        constraints = [models.UniqueConstraint(fields=["spec", "position"], name="oai_set_member_position")]

    def __str__(self) -> str:
        return f"{self.spec}: {self.record_id}"


class FeedPosition(models.Model):
    """How far the provider has followed the change feed (a single row, created by the migration)."""

    seq = models.BigIntegerField("последняя учтённая запись ленты", default=0)
    datestamp = models.DateTimeField("дата последнего учёта", null=True, blank=True)

    class Meta:
        verbose_name = "позиция в ленте изменений"
        verbose_name_plural = "позиция в ленте изменений"

    def __str__(self) -> str:
        return f"лента учтена до №{self.seq}"
