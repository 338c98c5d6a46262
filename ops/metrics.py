"""Prometheus metrics of the catalog, served at ``/metrics`` (see :mod:`ops.views` for who may read them).

Two kinds:

- **events counted by the process that saw them** — requests and their latency per endpoint, search latency per
  backend and fallbacks to the database, API problems by code, upload rejections, quota refusals, background tasks.
  Under ``make serve`` every process (web workers, ``db_worker``) writes them to ``PROMETHEUS_MULTIPROC_DIR`` and
  any web worker's ``/metrics`` adds them up (prometheus_client's multiprocess mode); without that variable
  (``make run``) the process's own registry is served.
- **state read from the database at scrape time** (:class:`CatalogStateCollector`) — the search index lag (rows
  waiting for reindexing), harvest jobs by state and records by stage, webhook deliveries by outcome, bulk
  submissions and the task queue by state. A few ``GROUP BY`` queries per scrape.

The metric objects are module-level, as prometheus_client requires (one registration per process); they are
thread-safe counters, not state a request reads.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from storage.exceptions import RejectionCode

logger = logging.getLogger(__name__)
disable_created_metrics()  # the `_created` series double the output and no dashboard reads them

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A file refused by an upload rule (storage/): the problem's code is the rule's.
UPLOAD_RULES = frozenset(code.value for code in RejectionCode)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "catalog_http_requests",
    "Ответы на HTTP-запросы: метод, адрес (шаблон URL) и статус",
    ["method", "endpoint", "status"],
)
REQUEST_LATENCY = Histogram(
    "catalog_http_request_duration_seconds",
    "Время ответа на HTTP-запрос по адресу (шаблону URL)",
    ["method", "endpoint"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_LATENCY = Histogram(
    "catalog_search_duration_seconds", "Время поиска в бэкенде", ["backend"], buckets=LATENCY_BUCKETS
)
SEARCH_FALLBACKS = Counter(
    "catalog_search_fallbacks", "Поиски, на которые ответила база данных, потому что бэкенд не ответил", ["backend"]
)
API_PROBLEMS = Counter("catalog_api_problems", "Ответы API с ошибкой (problem+json) по коду", ["endpoint", "code"])
UPLOAD_REJECTIONS = Counter("catalog_upload_rejections", "Отклонённые загрузки файлов по правилу", ["code"])
QUOTA_REFUSALS = Counter("catalog_quota_refusals", "Отказы по квоте запросов (429)", ["caller"])
TASKS = Counter("catalog_tasks", "Фоновые задачи по итогу", ["task", "status"])
TASK_LATENCY = Histogram(
    "catalog_task_duration_seconds", "Время выполнения фоновой задачи", ["task"], buckets=LATENCY_BUCKETS
)


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "OTHER"
    REQUESTS.labels(method, endpoint, str(status)).inc()
    REQUEST_LATENCY.labels(method, endpoint).observe(seconds)


def observe_problem(endpoint: str, code: str, status: int, with_key: bool) -> None:
    """An API answer with a problem body: counted by code, and as a quota refusal or an upload rejection."""
    API_PROBLEMS.labels(endpoint, code).inc()
    if status == 429:
        QUOTA_REFUSALS.labels("key" if with_key else "anonymous").inc()
    if code in UPLOAD_RULES:
        UPLOAD_REJECTIONS.labels(code).inc()


def observe_search(sender: Any, backend: str, seconds: float, fallback: bool, **kwargs: Any) -> None:
    """Receiver of ``search.service.backend_searched``: latency per backend, and the calls the database took over."""
    SEARCH_LATENCY.labels(backend).observe(seconds)
    if fallback:
        SEARCH_FALLBACKS.labels(backend).inc()


def observe_task(task: str, status: str, seconds: float | None) -> None:
    TASKS.labels(task, status).inc()
    if seconds is not None:
        TASK_LATENCY.labels(task).observe(seconds)


class CatalogStateCollector(Collector):
    """Gauges read from the catalog's tables when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            families = list(self._families())
        except DatabaseError as e:
            logger.warning("metrics: the database did not answer: %s", e)
            families = []
        up = GaugeMetricFamily("catalog_metrics_database_up", "1, если метрики из базы прочитаны")
        up.add_metric([], 1 if families else 0)
        yield from families
        yield up

    def _families(self) -> Iterator[GaugeMetricFamily]:
        from content_repo.api.models import BulkSubmission, WebhookDelivery
        from content_repo.resources.models import Resource
        from importers.models import HarvestJob, HarvestRecord
        from search.models import SearchDirty

        yield _grouped(
            "catalog_search_index_lag_rows",
            "Ресурсы, ждущие переиндексации (SearchDirty), по бэкенду",
            "backend",
            SearchDirty.objects.order_by().values_list("backend").annotate(n=Count("id")),
        )
        yield _grouped(
            "catalog_harvest_jobs", "Задания сбора по состоянию", "state", _by(HarvestJob, "state", HarvestJob.State)
        )
        yield _grouped(
            "catalog_harvest_records",
            "Записи источников по стадии (состоянию) сбора",
            "state",
            _by(HarvestRecord, "state", HarvestRecord.State),
        )
        yield _grouped(
            "catalog_webhook_deliveries",
            "Доставки уведомлений по итогу",
            "status",
            _by(WebhookDelivery, "status", WebhookDelivery.Status),
        )
        yield _grouped(
            "catalog_bulk_submissions",
            "Пакетные отправки поставщиков по состоянию",
            "state",
            _by(BulkSubmission, "state", BulkSubmission.State),
        )
        published = GaugeMetricFamily("catalog_resources_published", "Опубликованные ресурсы")
        published.add_metric([], Resource.objects.filter(live=True).count())
        yield published
        if _database_task_queue():
            from django_tasks_db.models import DBTaskResult

            yield _grouped(
                "catalog_task_queue",
                "Задачи очереди django-tasks-db по состоянию",
                "status",
                DBTaskResult.objects.order_by().values_list("status").annotate(n=Count("id")),
            )


def _by(model: Any, field: str, choices: Any) -> list[tuple[str, int]]:
    counts = dict(model.objects.order_by().values_list(field).annotate(n=Count("pk")))
    return [(value, counts.get(value, 0)) for value in choices.values]


def _grouped(name: str, documentation: str, label: str, rows: Any) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in rows:
        family.add_metric([str(value)], count)
    return family


def _database_task_queue() -> bool:
    backend: str = settings.TASKS["default"]["BACKEND"]  # type: ignore[index]
    return backend.startswith("django_tasks_db.")


def render() -> tuple[bytes, str]:
    """The exposition text of every metric, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        events = CollectorRegistry()
        multiprocess.MultiProcessCollector(events)  # type: ignore[no-untyped-call]
    else:
        events = REGISTRY
    state = CollectorRegistry(auto_describe=False)
    state.register(CatalogStateCollector())
    return generate_latest(events) + generate_latest(state), CONTENT_TYPE_LATEST
