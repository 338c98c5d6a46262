"""Stored files (one row per distinct content, content-addressed by SHA-256) and the uploads that brought them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from storage.filetypes import FileUse


class StoredFile(models.Model):
    """A file kept in the configured storage under a key derived from its SHA-256."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    key = models.CharField("ключ в хранилище", max_length=255, unique=True)
    size = models.BigIntegerField("размер, байт")
    mime_type = models.CharField("тип содержимого", max_length=127)
    original_name = models.CharField("исходное имя", max_length=255, blank=True)
    width = models.PositiveIntegerField("ширина, пикс.", null=True, blank=True)
    height = models.PositiveIntegerField("высота, пикс.", null=True, blank=True)
    created_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        verbose_name = "файл"
        verbose_name_plural = "файлы"

    def __str__(self) -> str:
        # The admin annotates the name a vendor's staff may see (their own upload's); see storage.admin.files_for.
        shown = getattr(self, "shown_name", None)
        name = self.original_name if shown is None else shown
        return name or self.sha256[:12]

    @property
    def extension(self) -> str:
        """The extension of the stored key (the canonical one for the detected type)."""
        return self.key.rsplit(".", 1)[-1]


class Upload(models.Model):
    """One upload by an organisation or a user: who brought which content, through which channel.

    A direct (presigned) upload starts ``PENDING`` with the declared size and hash and its ``incoming/`` key;
    ``complete`` turns it ``COMPLETED`` (with the stored file) or ``REJECTED`` (with the rule's code).
    A multipart or admin upload is recorded ``COMPLETED`` at once; a rejected one leaves no row.
    """

    class Channel(models.TextChoices):
        API = "api", "API, multipart"
        DIRECT = "direct", "API, прямая загрузка в S3"
        ADMIN = "admin", "админка"

    class Status(models.TextChoices):
        PENDING = "pending", "ожидает завершения"
        COMPLETED = "completed", "принят"
        REJECTED = "rejected", "отклонён"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "publishers.Organization",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name="организация",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="пользователь",
    )
    channel = models.CharField("канал", max_length=16, choices=Channel.choices)
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.PENDING)
    use = models.CharField(
        "назначение", max_length=16, choices=[(u.value, u.name.lower()) for u in FileUse], default="attachment"
    )
    original_name = models.CharField("исходное имя", max_length=255, blank=True)
    declared_type = models.CharField("заявленный тип", max_length=127, blank=True)
    expected_size = models.BigIntegerField("заявленный размер, байт", null=True, blank=True)
    expected_sha256 = models.CharField("заявленный SHA-256", max_length=64, blank=True)
    incoming_key = models.CharField("временный ключ", max_length=255, blank=True)
    expires_at = models.DateTimeField("ссылка действует до", null=True, blank=True)
    stored_file = models.ForeignKey(
        StoredFile, models.CASCADE, null=True, blank=True, related_name="uploads", verbose_name="файл"
    )
    rejection_code = models.CharField("код отказа", max_length=64, blank=True)
    created_at = models.DateTimeField("начата", auto_now_add=True)
    completed_at = models.DateTimeField("завершена", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка"
        verbose_name_plural = "загрузки"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "stored_file"])]

    def __str__(self) -> str:
        return f"{self.original_name or self.pk} ({self.get_status_display()})"

    @property
    def file_use(self) -> FileUse:
        return FileUse(self.use)
