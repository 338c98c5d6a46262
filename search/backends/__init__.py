"""Pluggable search backends, chosen in ``settings.SEARCH_BACKENDS`` like Django's caches::

    SEARCH_BACKENDS = {
        "default": {"BACKEND": "opensearch", "URL": "http://127.0.0.1:9200", "INDEX_PREFIX": "catalog"},
        "database": {"BACKEND": "database"},
    }

``BACKEND`` is ``database``, ``opensearch``, ``elasticsearch`` or a dotted path to a
:class:`~search.backends.base.BaseSearchBackend` subclass. Settings are read on first use and re-read
when a test changes them (``setting_changed``).
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from .base import (
    BackendStatus,
    BaseSearchBackend,
    IndexNotFound,
    RebuildResult,
    SearchBackendError,
    SearchBackendUnavailable,
)

__all__ = [
    "BACKEND_ALIASES",
    "BackendStatus",
    "BaseSearchBackend",
    "IndexNotFound",
    "RebuildResult",
    "SearchBackendError",
    "SearchBackendUnavailable",
    "get_search_backend",
    "reset_search_backends",
]

BACKEND_ALIASES = {
    "database": "search.backends.database.DatabaseSearchBackend",
    "opensearch": "search.backends.opensearch.OpenSearchBackend",
    "elasticsearch": "search.backends.elasticsearch.ElasticsearchBackend",
}

_backends: dict[str, BaseSearchBackend] = {}
_lock = threading.Lock()


def get_search_backend(name: str = "default") -> BaseSearchBackend:
    """The backend configured under ``name`` in ``SEARCH_BACKENDS`` (built once, then shared)."""
    with _lock:
        if name not in _backends:
            _backends[name] = _build(name, _backend_settings(name))
        return _backends[name]


def reset_search_backends() -> None:
    """Forget the built backends; the next call to :func:`get_search_backend` reads settings again."""
    with _lock:
        _backends.clear()


@receiver(setting_changed)
def _reset_on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "SEARCH_BACKENDS":
        reset_search_backends()


def _backend_settings(name: str) -> dict[str, Any]:
    configured = getattr(settings, "SEARCH_BACKENDS", None)
    if not isinstance(configured, dict):
        raise ImproperlyConfigured("SEARCH_BACKENDS must be a dict of backend name to its settings")
    if name not in configured:
        known = ", ".join(sorted(configured)) or "none"
        raise ImproperlyConfigured(f"No search backend named {name!r} in SEARCH_BACKENDS (known: {known})")
    params = configured[name]
    if not isinstance(params, dict) or not isinstance(params.get("BACKEND"), str) or not params["BACKEND"]:
        raise ImproperlyConfigured(f"SEARCH_BACKENDS[{name!r}] must be a dict with a BACKEND string")
    return params


def _build(name: str, params: dict[str, Any]) -> BaseSearchBackend:
    path = BACKEND_ALIASES.get(params["BACKEND"], params["BACKEND"])
    try:
        backend_class = import_string(path)
    except ImportError as e:
        raise ImproperlyConfigured(
            f"SEARCH_BACKENDS[{name!r}]['BACKEND'] = {params['BACKEND']!r} cannot be imported: {e}"
        ) from e
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSearchBackend)):
        raise ImproperlyConfigured(f"{path} is not a subclass of search.backends.base.BaseSearchBackend")
    backend: BaseSearchBackend = backend_class(params)
    return backend
