"""The harvest's persisted state: sources, jobs, one row per remote record, and errors.

A job is resumable because every stage writes its result here: a record's ``state`` says how far it got
in its ``last_job``, its stored payload and validators spare the next run a download, and ``seen_in_job``
is what the withdrawal's set difference is computed from (see docs/importers.md, «Движок»).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

_INTERVAL = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_INTERVAL_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_interval(text: str) -> timedelta | None:
    """``"24h"`` → 24 hours, ``"30m"``, ``"7d"``; empty → ``None``; anything else raises ``ValueError``."""
    if not text.strip():
        return None
    match = _INTERVAL.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(f"расписание {text!r}: ожидается интервал вида «30m», «24h» или «7d»")
    return timedelta(**{_INTERVAL_UNITS[match.group(2)]: int(match.group(1))})


class Stage(models.TextChoices):
    """The stages of a harvest; ``JOB`` marks errors that stopped the whole job."""

    GATHER = "gather", "сбор списка"
    FETCH = "fetch", "загрузка"
    TRANSFORM = "transform", "преобразование"
    LOAD = "load", "запись в каталог"
    WITHDRAW = "withdraw", "снятие с публикации"
    JOB = "job", "задание"


class HarvestSource(models.Model):
    """A catalog we harvest (or the methodists' spreadsheets), with its politeness and publishing policy."""

    class Kind(models.TextChoices):
        RESH = "resh", "РЭШ"
        YAKLASS = "yaklass", "ЯКласс"
        UCHI = "uchi", "Учи.ру (фид партнёра)"
        MESH = "mesh", "МЭШ"
        CSV = "csv", "Таблица методиста (CSV/XLSX)"
        OAI = "oai", "Репозиторий OAI-PMH"

    class PublishPolicy(models.TextChoices):
        PUBLISH = "publish", "публиковать сразу"
        REVIEW = "review", "отправлять на проверку методисту"

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=200)
    kind = models.CharField("вид источника", max_length=16, choices=Kind.choices)
    base_url = models.CharField("адрес (или путь к файлу фида)", max_length=1000, blank=True)
    allowed_hosts = models.JSONField("разрешённые хосты", default=list, blank=True)
    schedule = models.CharField(
        "расписание",
        max_length=32,
        blank=True,
        help_text="Интервал между запусками: «30m», «24h», «7d». Пусто — только вручную.",
    )
    rate_limit = models.FloatField("запросов в секунду к хосту", default=1.0)
    publish_policy = models.CharField(
        "публикация", max_length=16, choices=PublishPolicy.choices, default=PublishPolicy.PUBLISH
    )
    allow_private = models.BooleanField(
        "разрешить внутренние адреса", default=False, help_text="Только для тестов и локальных зеркал."
    )
    enabled = models.BooleanField("включён", default=True)
    options = models.JSONField(
        "параметры протокола",
        default=dict,
        blank=True,
        help_text="Для OAI-PMH: metadata_prefix (oai_dc или lom), sets (список наборов), overlap_seconds, provider.",
    )
    # Validators of a single-document listing (the Учи.ру feed) from the last complete gather.
    feed_etag = models.CharField("ETag фида", max_length=300, blank=True, editable=False)
    feed_last_modified = models.CharField("Last-Modified фида", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "источник"
        verbose_name_plural = "источники"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            parse_interval(self.schedule)
        except ValueError as error:
            raise ValidationError({"schedule": str(error)}) from error
        if self.rate_limit <= 0:
            raise ValidationError({"rate_limit": "должно быть больше нуля"})
        if self.kind == self.Kind.OAI:
            from importers.sources.oai import OaiConfig  # the source module owns the meaning of its options

            try:
                OaiConfig.from_options(self.options)
            except ValueError as error:
                raise ValidationError({"options": str(error)}) from error

    @property
    def interval(self) -> timedelta | None:
        return parse_interval(self.schedule)

    @property
    def publishes(self) -> bool:
        return self.publish_policy == self.PublishPolicy.PUBLISH


class HarvestJob(models.Model):
    """One run over a source; an interrupted run is resumed by the next one instead of starting over."""

    class State(models.TextChoices):
        RUNNING = "running", "идёт"
        INTERRUPTED = "interrupted", "прервано"
        FINISHED = "finished", "завершено"
        PARTIAL = "partial", "завершено с ошибками"
        FAILED = "failed", "не удалось"
        ABANDONED = "abandoned", "заменено полным сбором"

    source = models.ForeignKey(HarvestSource, models.CASCADE, related_name="jobs", verbose_name="источник")
    state = models.CharField("состояние", max_length=16, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField("начато", default=timezone.now)
    finished_at = models.DateTimeField("закончено", null=True, blank=True)
    heartbeat_at = models.DateTimeField("последняя активность", default=timezone.now)
    worker = models.CharField("процесс", max_length=200, blank=True)
    base_url = models.CharField("адрес сбора", max_length=1000, blank=True)
    options = models.JSONField("параметры", default=dict, blank=True)
    gather_status = models.CharField("итог сбора списка", max_length=16, blank=True)
    gather_complete = models.BooleanField("список собран полностью", default=False)
    gathered = models.PositiveIntegerField("найдено", default=0)
    created = models.PositiveIntegerField("создано", default=0)
    updated = models.PositiveIntegerField("обновлено", default=0)
    unchanged = models.PositiveIntegerField("без изменений", default=0)
    withdrawn = models.PositiveIntegerField("снято", default=0)
    failed = models.PositiveIntegerField("ошибок", default=0)
    notes = models.JSONField("заметки", default=dict, blank=True)
    # A complete gather that would withdraw more than IMPORTERS["WITHDRAW_MAX_SHARE"] of the source withdraws
    # nothing: the count waits here for a methodist's confirmation («подтвердить снятие N ресурсов»).
    withdrawal_pending = models.PositiveIntegerField("ждут подтверждения снятия", default=0)
    withdrawal_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="снятие подтвердил",
    )
    withdrawal_confirmed_at = models.DateTimeField("снятие подтверждено", null=True, blank=True)

    COUNT_FIELDS = ("gathered", "created", "updated", "unchanged", "withdrawn", "failed")

    class Meta:
        verbose_name = "задание сбора"
        verbose_name_plural = "задания сбора"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["source", "state"])]

    def __str__(self) -> str:
        return f"{self.source.code} #{self.pk} ({self.get_state_display()})"

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNT_FIELDS}

    def summary(self) -> str:
        """The one-line summary the command prints and the admin shows."""
        counts = ", ".join(
            f"{self._meta.get_field(name).verbose_name} {value}"  # type: ignore[union-attr]
            for name, value in self.counts().items()
        )
        return f"{self.source.code}: {counts} (задание #{self.pk}, {self.get_state_display()})"


class HarvestRecord(models.Model):
    """One remote record of a source: where it is, its raw payload, validators and how far it got."""

    class State(models.TextChoices):
        GATHERED = "gathered", "найдена в списке"
        FETCHED = "fetched", "загружена"
        NOT_MODIFIED = "not_modified", "не изменилась"
        TRANSFORMED = "transformed", "преобразована"
        LOADED = "loaded", "записана в каталог"
        FAILED = "failed", "ошибка"
        GONE = "gone", "исчезла из источника"

    source = models.ForeignKey(HarvestSource, models.CASCADE, related_name="records", verbose_name="источник")
    external_id = models.CharField("внешний идентификатор", max_length=300)
    url = models.CharField("адрес", max_length=1000)
    final_url = models.CharField("адрес после перенаправлений", max_length=1000, blank=True)
    context = models.JSONField("данные списка", default=dict, blank=True)
    payload = models.BinaryField("исходные данные", null=True, blank=True)
    content_type = models.CharField("тип содержимого", max_length=200, blank=True)
    payload_hash = models.CharField("хеш исходных данных", max_length=64, blank=True)
    etag = models.CharField("ETag", max_length=300, blank=True)
    last_modified = models.CharField("Last-Modified", max_length=64, blank=True)
    record = models.JSONField("нормализованная запись", null=True, blank=True)
    record_hash = models.CharField("хеш записи", max_length=64, blank=True)
    # The id the catalog knows the record by (a redirect can change it): what withdrawal compares.
    catalog_id = models.CharField("идентификатор в каталоге", max_length=300, blank=True)
    state = models.CharField("состояние", max_length=16, choices=State.choices, default=State.GATHERED)
    last_job = models.ForeignKey(
        HarvestJob, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="последнее задание"
    )
    seen_in_job = models.ForeignKey(
        HarvestJob, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="найдена в задании"
    )
    first_seen = models.DateTimeField("впервые найдена", default=timezone.now)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    class Meta:
        verbose_name = "запись источника"
        verbose_name_plural = "записи источников"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="unique_harvest_record"),
        ]
        indexes = [
            models.Index(fields=["source", "seen_in_job"]),
            models.Index(fields=["last_job", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.source.code}:{self.external_id}"


class HarvestError(models.Model):
    """A failure in one stage of one job, for one record or for a listing page."""

    job = models.ForeignKey(HarvestJob, models.CASCADE, related_name="errors", verbose_name="задание")
    record = models.ForeignKey(
        HarvestRecord, models.SET_NULL, null=True, blank=True, related_name="errors", verbose_name="запись"
    )
    stage = models.CharField("стадия", max_length=16, choices=Stage.choices)
    external_id = models.CharField("внешний идентификатор", max_length=300, blank=True)
    url = models.CharField("адрес", max_length=1000, blank=True)
    line = models.PositiveIntegerField("строка", null=True, blank=True)
    message = models.TextField("сообщение")
    traceback_digest = models.CharField("отпечаток трассировки", max_length=16, blank=True)
    details = models.TextField("трассировка", blank=True)
    created_at = models.DateTimeField("когда", default=timezone.now)

    class Meta:
        verbose_name = "ошибка сбора"
        verbose_name_plural = "ошибки сбора"
        ordering = ["job", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.message[:80]}"
