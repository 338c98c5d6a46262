"""Readiness of the catalog's dependencies: the database, the search backend, the file storage, the task queue.

``/readyz`` runs :func:`readiness`: the database and the queue are asked in the request's own thread (one
``SELECT 1`` and one count), the search engine and the storage in threads of their own with a deadline
(``READYZ_TIMEOUT``, 2 s), so a node that hangs is reported as failed in that time instead of holding the probe.
Cheap enough to poll every few seconds: no document is read or written. Each process reuses its last answer for
:data:`CACHE_SECONDS` (:class:`ReadinessCache`), so a crowd of pollers runs the checks once per period, not once
per request.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass
from time import monotonic

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DatabaseError, connection, connections

from search.backends import SearchBackendError, get_search_backend


@dataclass(frozen=True)
class Check:
    """One dependency's answer: ok, how long it took, and why not."""

    ok: bool
    ms: float
    detail: str = ""


def readiness() -> dict[str, Check]:
    """Every dependency's check, by name: ``database``, ``search``, ``storage``, ``tasks``."""
    timeout = settings.READYZ_TIMEOUT
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")
    started = time.perf_counter()
    pending = {"search": pool.submit(_timed, check_search), "storage": pool.submit(_timed, check_storage)}
    checks = {"database": _timed(check_database), "tasks": _timed(check_tasks)}
    for name, future in pending.items():
        left = max(0.0, timeout - (time.perf_counter() - started))
        try:
            checks[name] = future.result(timeout=left)
        except FutureTimeout:
            checks[name] = Check(False, round(timeout * 1000, 1), f"нет ответа за {timeout:g} с")
    # A hung check must not hold the answer (no `with`: it would wait); its thread ends on its client's timeout.
    pool.shutdown(wait=False, cancel_futures=True)
    return {name: checks[name] for name in ("database", "search", "storage", "tasks")}


def as_json(checks: dict[str, Check], with_detail: bool = True) -> dict[str, object]:
    """The probe's body; without ``with_detail`` each check says only ok and ms (the detail may name hosts,
    users, buckets: only the operator reads it)."""
    failed = [name for name, check in checks.items() if not check.ok]
    return {
        "status": "unavailable" if failed else "ready",
        "failed": failed,
        "checks": {
            name: asdict(check) if with_detail else {"ok": check.ok, "ms": check.ms} for name, check in checks.items()
        },
    }


CACHE_SECONDS = 2.0


class ReadinessCache:
    """This process's last :func:`readiness` answer, reused for ``seconds``.

    A caller arriving while the checks run waits for them and takes their answer instead of starting its own, so
    polling at any rate costs at most one round of checks per period and process.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._checks: dict[str, Check] | None = None
        self._taken = 0.0

    def get(self) -> dict[str, Check]:
        with self._lock:
            if self._checks is None or monotonic() - self._taken >= self.seconds:
                self._checks = readiness()
                self._taken = monotonic()
            return self._checks

    def clear(self) -> None:
        with self._lock:
            self._checks = None


# Deliberately per-process state: the probe's answer is shared by the threads of one process (see the class).
READINESS = ReadinessCache(CACHE_SECONDS)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as e:
        raise Unready(f"база данных не отвечает: {e}") from e
    return connection.vendor


def check_search() -> str:
    try:
        backend = get_search_backend()
        reachable = backend.ping()
    except SearchBackendError as e:
        raise Unready(f"поиск: {e}") from e
    finally:
        connections.close_all()  # the database backend pings through this thread's own connection
    if not reachable:
        raise Unready(f"поисковый бэкенд {backend.name} не отвечает")
    return backend.name


def check_storage() -> str:
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        location = str(storage.location)
        if not os.path.isdir(location) or not os.access(location, os.W_OK | os.X_OK):
            raise Unready(f"папка файлов {location} не существует или недоступна для записи")
        return "local"
    bucket = getattr(storage, "bucket_name", None)
    if bucket is None:
        return type(storage).__name__
    try:
        storage.connection.meta.client.head_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    except (BotoCoreError, ClientError) as e:
        raise Unready(f"бакет {bucket} недоступен: {e}") from e
    return f"s3:{bucket}"


def check_tasks() -> str:
    backend = str(settings.TASKS["default"]["BACKEND"])  # type: ignore[index]
    if not backend.startswith("django_tasks_db."):
        return "в процессе веб-сервера"
    from django_tasks_db.models import DBTaskResult

    try:
        waiting = DBTaskResult.objects.ready().count()
    except DatabaseError as e:
        raise Unready(f"очередь задач недоступна: {e}") from e
    return f"ждут выполнения: {waiting}"


class Unready(Exception):
    """A dependency did not answer as it should; the message says which and why (in Russian)."""


def _timed(check: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail = check()
    except Unready as e:
        return Check(False, _ms(started), str(e))
    return Check(True, _ms(started), detail)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
