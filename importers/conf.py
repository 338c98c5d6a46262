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
    on another host is considered dead and is resumed; ``USER_AGENT`` identifies the crawler.

    The network keys (seconds and bytes; docs/configuration.md, «Сбор данных»): ``TIMEOUT`` bounds each
    connect and read, ``REQUEST_DEADLINE`` a whole request with its redirects and retries; robots.txt is
    read up to ``ROBOTS_MAX_BYTES``, kept ``ROBOTS_CACHE_SECONDS``, retried ``ROBOTS_RETRY_SECONDS`` after
    it was unreachable; a ``Crawl-delay`` above ``MAX_CRAWL_DELAY`` closes the host.
    """

    batch_size: int = 500
    batch_seconds: float = 2.0
    stale_after: float = 900.0
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 10.0
    request_deadline: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    # A complete gather withdraws at most this share of a source's resources without a methodist's confirmation.
    withdraw_max_share: float = 0.2
    robots_max_bytes: int = 512 * 1024
    robots_cache_seconds: float = 24 * 3600.0
    robots_retry_seconds: float = 600.0
    max_crawl_delay: float = 60.0

    def client_options(self) -> dict[str, Any]:
        """The keyword arguments of :class:`importers.http.ClientSettings` that these settings decide."""
        return {
            "user_agent": self.user_agent,
            "timeout": self.timeout,
            "deadline": self.request_deadline,
            "max_bytes": self.max_bytes,
            "robots_max_bytes": self.robots_max_bytes,
            "robots_cache_seconds": self.robots_cache_seconds,
            "robots_retry_seconds": self.robots_retry_seconds,
            "max_crawl_delay": self.max_crawl_delay,
        }


_KEYS = {
    "BATCH_SIZE": ("batch_size", int),
    "BATCH_SECONDS": ("batch_seconds", float),
    "STALE_AFTER": ("stale_after", float),
    "USER_AGENT": ("user_agent", str),
    "TIMEOUT": ("timeout", float),
    "REQUEST_DEADLINE": ("request_deadline", float),
    "MAX_BYTES": ("max_bytes", int),
    "WITHDRAW_MAX_SHARE": ("withdraw_max_share", float),
    "ROBOTS_MAX_BYTES": ("robots_max_bytes", int),
    "ROBOTS_CACHE_SECONDS": ("robots_cache_seconds", float),
    "ROBOTS_RETRY_SECONDS": ("robots_retry_seconds", float),
    "MAX_CRAWL_DELAY": ("max_crawl_delay", float),
}
# Keys that must be greater than zero: a zero deadline or cap would refuse every request.
_POSITIVE = (
    "BATCH_SIZE",
    "BATCH_SECONDS",
    "TIMEOUT",
    "REQUEST_DEADLINE",
    "MAX_BYTES",
    "ROBOTS_MAX_BYTES",
    "ROBOTS_CACHE_SECONDS",
    "ROBOTS_RETRY_SECONDS",
    "MAX_CRAWL_DELAY",
)


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
    for key in _POSITIVE:
        value = getattr(result, _KEYS[key][0])
        if not value > 0:  # also refuses NaN
            raise ImproperlyConfigured(f"IMPORTERS[{key!r}] must be greater than zero, got {value!r}")
    if not 0 <= result.withdraw_max_share <= 1:  # also refuses NaN
        raise ImproperlyConfigured("IMPORTERS['WITHDRAW_MAX_SHARE'] must be between 0 and 1")
    return result
