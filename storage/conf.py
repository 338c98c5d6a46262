"""Upload policy settings, read lazily from ``settings.STORAGE_POLICY`` with defaults.

Nothing is read at import time: ``storage_policy()`` builds a validated ``StoragePolicy`` on first use and the
cache is dropped whenever a test changes ``STORAGE_POLICY`` or ``WAGTAILIMAGES_MAX_IMAGE_PIXELS``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from storage.filetypes import FileKind

MIB = 1024 * 1024

DEFAULT_MAX_SIZES: dict[FileKind, int] = {
    FileKind.IMAGE: 20 * MIB,
    FileKind.DOCUMENT: 100 * MIB,
    FileKind.TEXT: 10 * MIB,
    FileKind.AUDIO: 200 * MIB,
    FileKind.VIDEO: 1024 * MIB,
    FileKind.PACKAGE: 500 * MIB,
}


@dataclass(frozen=True)
class StoragePolicy:
    """Limits applied by ``storage.validation``."""

    max_sizes: dict[FileKind, int]
    max_image_pixels: int = 40_000_000
    archive_max_entries: int = 10_000
    archive_max_total_size: int = 2048 * MIB
    archive_max_ratio: int = 200
    archive_ratio_min_size: int = 1 * MIB
    manifest_max_size: int = 4 * MIB
    archive_max_depth: int = 3
    pdf_max_objects: int = 200_000
    pdf_max_object_streams_size: int = 256 * MIB
    presigned_url_expiry: int = 3600
    api_upload_max_size: int = 100 * MIB
    api_upload_max_files: int = 20
    download_url_expiry: int = 300

    def max_size(self, kind: FileKind) -> int:
        return self.max_sizes[kind]


def _parse_max_sizes(raw: Any) -> dict[FileKind, int]:
    sizes = dict(DEFAULT_MAX_SIZES)
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("STORAGE_POLICY['MAX_SIZES'] must be a dict of kind -> bytes")
    for name, value in raw.items():
        try:
            kind = FileKind(str(name).lower())
        except ValueError as e:
            known = ", ".join(k.value for k in FileKind)
            raise ImproperlyConfigured(f"STORAGE_POLICY['MAX_SIZES'] has unknown kind {name!r} ({known})") from e
        sizes[kind] = _positive_int(f"MAX_SIZES[{name!r}]", value)
    return sizes


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ImproperlyConfigured(f"STORAGE_POLICY[{name!r}] must be a positive integer, got {value!r}")
    return value


@cache
def storage_policy() -> StoragePolicy:
    """The current upload policy (cached; reset when the settings change)."""
    raw: dict[str, Any] = dict(getattr(settings, "STORAGE_POLICY", {}) or {})
    options: dict[str, Any] = {
        "max_sizes": _parse_max_sizes(raw.pop("MAX_SIZES", {})),
        "max_image_pixels": getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 40_000_000),
    }
    names = {f.name for f in fields(StoragePolicy)} - {"max_sizes"}
    for key, value in raw.items():
        name = key.lower()
        if name not in names:
            raise ImproperlyConfigured(f"STORAGE_POLICY has unknown key {key!r}")
        options[name] = value
    for name, value in options.items():
        if name != "max_sizes":
            _positive_int(name.upper(), value)
    return StoragePolicy(**options)


@receiver(setting_changed)
def _reset_policy(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STORAGE_POLICY", "WAGTAILIMAGES_MAX_IMAGE_PIXELS"}:
        storage_policy.cache_clear()
