"""Importer settings: the ``IMPORTERS`` dict of Django settings, read lazily with defaults and checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from importers.http import DEFAULT_USER_AGENT

__all__ = ["ImporterSettings", "importer_settings"]


@dataclass(frozen=True)
class ImporterSettings:
    """``BATCH_SIZE`` records (or ``BATCH_SECONDS``) per commit; a job silent for ``STALE_AFTER`` seconds
    on another host is considered dead and is resumed; ``USER_AGENT`` identifies the crawler."""

    batch_size: int = 500
    batch_seconds: float = 2.0
    stale_after: float = 900.0
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 10.0
    max_bytes: int = 10 * 1024 * 1024
    # A complete gather withdraws at most this share of a source's resources without a methodist's confirmation.
    withdraw_max_share: float = 0.2


_KEYS = {
    "BATCH_SIZE": ("batch_size", int),
    "BATCH_SECONDS": ("batch_seconds", float),
    "STALE_AFTER": ("stale_after", float),
    "USER_AGENT": ("user_agent", str),
    "TIMEOUT": ("timeout", float),
    "MAX_BYTES": ("max_bytes", int),
    "WITHDRAW_MAX_SHARE": ("withdraw_max_share", float),
}


def importer_settings() -> ImporterSettings:
    """The current settings (read on every call, so ``override_settings`` works in tests)."""
    raw: dict[str, Any] = getattr(settings, "IMPORTERS", {}) or {}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _KEYS:
            raise ImproperlyConfigured(f"IMPORTERS: unknown key {key!r}; known: {', '.join(sorted(_KEYS))}")
        name, kind = _KEYS[key]
        try:
            values[name] = kind(value)
        except (TypeError, ValueError) as error:
            raise ImproperlyConfigured(f"IMPORTERS[{key!r}] must be {kind.__name__}, got {value!r}") from error
    result = ImporterSettings(**values)
    if result.batch_size < 1 or result.batch_seconds <= 0:
        raise ImproperlyConfigured("IMPORTERS: BATCH_SIZE and BATCH_SECONDS must be positive")
    if not 0 <= result.withdraw_max_share <= 1:
        raise ImproperlyConfigured("IMPORTERS: WITHDRAW_MAX_SHARE must be between 0 and 1")
    return result
