"""State of the API edge: keys and their usage, the change feed, webhook subscriptions and deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .webhook_transport import validate_webhook_url


class ApiKey(models.Model):
    """A key an organisation's software sends as `Authorization: Bearer <key>`.

    Only a SHA-256 hash of the key is stored; `prefix` (shown in the admin and in logs) finds the row.
    The key acts as `user`, a service account made with the key: a member of the organisation in the
    «Поставщики» group for `publish`, in «Методисты» for `review`, so every change is recorded with who made it.
    """

    class Scope(models.TextChoices):
        READ = "read", "чтение"
        PUBLISH = "publish", "публикация"
        REVIEW = "review", "проверка (методист)"

    organization = models.ForeignKey(
        "publishers.Organization", models.CASCADE, related_name="api_keys", verbose_name="организация"
    )
    name = models.CharField("название", max_length=200, blank=True)
    prefix = models.CharField("начало ключа", max_length=16, unique=True, editable=False)
    key_hash = models.CharField("хеш ключа", max_length=64, editable=False)
    scopes = models.JSONField("права", default=list)
    hourly_quota = models.PositiveIntegerField("квота запросов в час", default=5000)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="api_key",
        editable=False,
        verbose_name="служебный пользователь",
    )
    created_at = models.DateTimeField("создан", default=timezone.now, editable=False)
    last_used_at = models.DateTimeField("последнее использование", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "ключ API"
        verbose_name_plural = "ключи API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name or self.prefix} ({self.organization})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def scopes_label(self) -> str:
        return ", ".join(self.scopes)

    scopes_label.short_description = "права"  # type: ignore[attr-defined]


class ApiKeyUsage(models.Model):
    """Requests made with a key in one clock hour: the quota counter and the usage report at once."""

    key = models.ForeignKey(ApiKey, models.CASCADE, related_name="usage", verbose_name="ключ")
    hour = models.DateTimeField("час")
    requests = models.PositiveIntegerField("запросов", default=0)
    throttled = models.PositiveIntegerField("отклонено по квоте", default=0)

    class Meta:
        verbose_name = "использование ключа"
        verbose_name_plural = "использование ключей"
        ordering = ["-hour"]
        constraints = [models.UniqueConstraint(fields=["key", "hour"], name="unique_key_usage_hour")]

    def __str__(self) -> str:
        return f"{self.key.prefix} {self.hour:%Y-%m-%d %H}:00 — {self.requests}"


class Change(models.Model):
    """One entry of the change feed: a resource published, updated, withdrawn or deleted.

    Written in the transaction that makes the change; `seq` is the feed's cursor. The public
    representation at that moment is kept with the entry, so a consumer builds a mirror from the feed alone.
    """

    class Action(models.TextChoices):
        PUBLISHED = "published", "опубликован"
        UPDATED = "updated", "изменён"
        WITHDRAWN = "withdrawn", "снят с публикации"
        DELETED = "deleted", "удалён"

    seq = models.BigAutoField("номер", primary_key=True)
    resource_id = models.UUIDField("ресурс", db_index=True)
    provider_id = models.BigIntegerField("организация-поставщик", null=True, blank=True)
    action = models.CharField("действие", max_length=16, choices=Action.choices)
    at = models.DateTimeField("когда", default=timezone.now)
    document = models.JSONField("представление ресурса", null=True, blank=True)

    class Meta:
        verbose_name = "изменение каталога"
        verbose_name_plural = "лента изменений"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.resource_id}"


class WebhookSubscription(models.Model):
    """An organisation's URL that receives signed notifications of chosen events.

    Circuit breaking: `consecutive_failures` counts failed attempts since the last success; when it reaches
    `WEBHOOKS_CIRCUIT_FAILURES` the circuit opens and deliveries wait (pending, not lost) until `paused_until`;
    then one attempt probes the receiver, and a success closes the circuit.
    """

    class Event(models.TextChoices):
        SUBMISSION_APPROVED = "submission.approved", "заявка утверждена"
        SUBMISSION_REJECTED = "submission.rejected", "заявка отклонена"
        RESOURCE_CHANGED = "resource.changed", "ресурс изменён (лента изменений)"

    class Circuit(models.TextChoices):
        CLOSED = "closed", "доставка идёт"
        OPEN = "open", "доставка приостановлена после отказов"
        HALF_OPEN = "half_open", "пауза истекла, следующая попытка — пробная"

    organization = models.ForeignKey(
        "publishers.Organization", models.CASCADE, related_name="webhooks", verbose_name="организация"
    )
    url = models.CharField("адрес", max_length=1000, validators=[validate_webhook_url])
    # Kept readable: it signs every delivery (HMAC needs the secret itself, a hash would not do).
    secret = models.CharField("секрет подписи", max_length=200)
    events = models.JSONField("события", default=list)
    active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField("создана", default=timezone.now, editable=False)
    consecutive_failures = models.PositiveIntegerField("неудач подряд", default=0)
    paused_until = models.DateTimeField("доставка приостановлена до", null=True, blank=True)

    class Meta:
        verbose_name = "подписка на уведомления"
        verbose_name_plural = "подписки на уведомления"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.url}"

    @property
    def circuit(self) -> str:
        """`closed`, `open` (paused until `paused_until`) or `half_open` (the next attempt is a probe)."""
        if self.paused_until is None:
            return self.Circuit.CLOSED
        return self.Circuit.OPEN if self.paused_until > timezone.now() else self.Circuit.HALF_OPEN


class WebhookDelivery(models.Model):
    """One event for one subscription, with its attempts: the outbox the delivery worker drains."""

    class Status(models.TextChoices):
        PENDING = "pending", "ожидает отправки"
        DELIVERED = "delivered", "доставлено"
        FAILED = "failed", "не доставлено"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, models.CASCADE, related_name="deliveries", verbose_name="подписка"
    )
    event = models.CharField("событие", max_length=32, choices=WebhookSubscription.Event.choices)
    payload = models.JSONField("содержание")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    next_attempt_at = models.DateTimeField("следующая попытка", null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField("код ответа", null=True, blank=True)
    last_error = models.TextField("ошибка", blank=True)
    last_attempt_at = models.DateTimeField("последняя попытка", null=True, blank=True)
    created_at = models.DateTimeField("создано", default=timezone.now)
    delivered_at = models.DateTimeField("доставлено", null=True, blank=True)

    class Meta:
        verbose_name = "доставка уведомления"
        verbose_name_plural = "доставки уведомлений"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription.url} ({self.get_status_display()})"


class BulkSubmission(models.Model):
    """A vendor's large bulk request (JSON Lines), answered `202` and loaded in the background.

    The body is kept until the job finishes; the result of every line is written as the lines are loaded
    (`BulkSubmissionLine`), so the status URL shows them while the job runs and a job interrupted by a restart
    resumes after the last line answered (a line loaded twice is only ever `unchanged` or `updated`: identity
    is the vendor's `external_id`).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "выполняется"
        FINISHED = "finished", "завершено"
        FAILED = "failed", "не удалось"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "publishers.Organization", models.CASCADE, related_name="bulk_submissions", verbose_name="организация"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    state = models.CharField("состояние", max_length=16, choices=State.choices, default=State.QUEUED)
    body = models.BinaryField("тело запроса", null=True, blank=True)
    lines = models.PositiveIntegerField("строк", default=0)
    answered = models.PositiveIntegerField("строк обработано", default=0)
    created = models.PositiveIntegerField("создано", default=0)
    updated = models.PositiveIntegerField("обновлено", default=0)
    unchanged = models.PositiveIntegerField("без изменений", default=0)
    rejected = models.PositiveIntegerField("отклонено", default=0)
    error = models.TextField("ошибка", blank=True)
    created_at = models.DateTimeField("принят", default=timezone.now, editable=False)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("закончен", null=True, blank=True)
    heartbeat_at = models.DateTimeField("последняя активность", null=True, blank=True)

    COUNT_FIELDS = ("created", "updated", "unchanged", "rejected")

    class Meta:
        verbose_name = "пакетная отправка"
        verbose_name_plural = "пакетные отправки"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.lines} строк ({self.get_state_display()})"


class BulkSubmissionLine(models.Model):
    """The answer to one line of a bulk submission (the same shape as an inline bulk answer's line)."""

    submission = models.ForeignKey(BulkSubmission, models.CASCADE, related_name="results")
    line = models.PositiveIntegerField("строка")
    status = models.CharField("итог", max_length=16)
    resource_id = models.UUIDField("ресурс", null=True, blank=True)
    external_id = models.CharField("внешний идентификатор", max_length=300, blank=True)
    errors = models.JSONField("ошибки", default=dict, blank=True)

    class Meta:
        verbose_name = "строка пакетной отправки"
        verbose_name_plural = "строки пакетной отправки"
        ordering = ["line"]
        constraints = [models.UniqueConstraint(fields=["submission", "line"], name="unique_bulk_line")]

    def __str__(self) -> str:
        return f"{self.submission_id}:{self.line} {self.status}"
