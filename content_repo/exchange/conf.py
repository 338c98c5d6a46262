"""Exchange settings: the ``EXCHANGE`` dict of Django settings, read when asked, with defaults, checked.

Keys (docs/exchange.md, «Настройка»): ``OAI_REPOSITORY_NAME``, ``OAI_REPOSITORY_ID`` (the namespace of OAI
identifiers, by default the host of ``CATALOG_BASE_URL``), ``OAI_ADMIN_EMAIL``, ``OAI_PAGE_SIZE`` (records
or headers per response, 1–1000), ``OAI_TOKEN_TTL`` (seconds a resumption token stays valid, at least 60),
``DUMPS_KEEP`` (how many dumps are kept, at least 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["ExchangeSettings", "exchange_settings"]


@dataclass(frozen=True)
class ExchangeSettings:
    """The exchange's settings with their defaults (see the module docstring)."""

    repository_name: str
    repository_id: str
    admin_email: str
    page_size: int = 100
    token_ttl: int = 24 * 3600
    dumps_keep: int = 3


def _positive(values: dict[str, Any], key: str, default: int, minimum: int, maximum: int | None = None) -> int:
    value = values.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (maximum and value > maximum):
        bounds = f"{minimum}–{maximum}" if maximum else f"не меньше {minimum}"
        raise ImproperlyConfigured(f"EXCHANGE[{key!r}] должно быть целым числом ({bounds}), получено {value!r}")
    return value


def exchange_settings() -> ExchangeSettings:
    """The current settings (read on every call: cheap, and tests may change them)."""
    values: dict[str, Any] = dict(getattr(settings, "EXCHANGE", {}) or {})
    base_host = urlsplit(settings.CATALOG_BASE_URL).hostname or "localhost"
    # The schema wants a dotted domain after «@»: «localhost» alone would not validate.
    mail_host = base_host if "." in base_host else "localhost.localdomain"
    return ExchangeSettings(
        repository_name=str(values.get("OAI_REPOSITORY_NAME") or settings.WAGTAIL_SITE_NAME),
        repository_id=str(values.get("OAI_REPOSITORY_ID") or base_host).lower(),
        admin_email=str(values.get("OAI_ADMIN_EMAIL") or f"catalog@{mail_host}"),
        page_size=_positive(values, "OAI_PAGE_SIZE", 100, 1, 1000),
        token_ttl=_positive(values, "OAI_TOKEN_TTL", 24 * 3600, 60),
        dumps_keep=_positive(values, "DUMPS_KEEP", 3, 1),
    )
