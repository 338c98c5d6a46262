"""Stored files: one row per distinct content (content-addressed by SHA-256)."""

from __future__ import annotations

from django.db import models


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
        return self.original_name or self.sha256[:12]
