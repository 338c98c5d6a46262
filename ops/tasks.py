"""Background tasks in the logs and metrics: one line per finished task, with the request id that enqueued it.

django-tasks sends ``task_enqueued``, ``task_started`` and ``task_finished`` from every backend:

- the immediate backend runs a task inside the request, whose id is already in the context;
- the thread backend (:mod:`content_repo.tasks_backend`) runs it in a context copied at enqueue time;
- the database backend runs it in ``db_worker``, another process: at enqueue the request id is written beside
  the task's arguments (``args_kwargs["request_id"]``, a key the worker does not read), and when the worker
  starts the task it is put back into the context for the task's log lines.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.signals import task_enqueued, task_finished, task_started

from . import metrics
from .context import request_id

logger = logging.getLogger("ops.tasks")


def connect_signals() -> None:
    task_enqueued.connect(remember_request_id, dispatch_uid="ops.tasks.remember_request_id")
    task_started.connect(restore_request_id, dispatch_uid="ops.tasks.restore_request_id")
    task_finished.connect(log_finished_task, dispatch_uid="ops.tasks.log_finished_task")


def remember_request_id(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Database backend: keep the enqueuing request's id with the task row."""
    db_result = getattr(task_result, "db_result", None)
    rid = request_id.get()
    if db_result is None or not rid:
        return
    db_result.args_kwargs = {**db_result.args_kwargs, "request_id": rid}
    db_result.save(update_fields=["args_kwargs"])


def restore_request_id(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Database backend, in the worker: the task's lines carry the id of the request that enqueued it."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is not None:
        request_id.set(str((db_result.args_kwargs or {}).get("request_id", "")))


def log_finished_task(sender: Any, task_result: Any, **kwargs: Any) -> None:
    task = task_result.task.module_path
    status = str(getattr(task_result.status, "value", task_result.status))
    seconds = None
    if task_result.started_at and task_result.finished_at:
        seconds = (task_result.finished_at - task_result.started_at).total_seconds()
    metrics.observe_task(task, status, seconds)
    # A failed task is logged by django-tasks itself at ERROR with its traceback, unless its logger is silenced
    # (`db_worker -v0`, as `serve` runs it): then here. A task the immediate backend ran inside a request is part
    # of that request's line; others are jobs of their own.
    if status == "FAILED":
        if not logging.getLogger("django_tasks").isEnabledFor(logging.ERROR):
            errors = getattr(task_result, "errors", None) or []
            traceback = errors[-1].traceback if errors else ""
            _log_task(task, task_result, status, seconds, logging.ERROR, traceback=traceback)
    else:
        _log_task(task, task_result, status, seconds, logging.DEBUG if sender is ImmediateBackend else logging.INFO)
    if getattr(task_result, "db_result", None) is not None:
        request_id.set("")


def _log_task(task: str, task_result: Any, status: str, seconds: float | None, level: int, **more: str) -> None:
    logger.log(
        level,
        "задача %s (%s): %s, %d мс",
        task,
        task_result.id,
        status,
        (seconds or 0) * 1000,
        extra={
            "task": task,
            "task_id": str(task_result.id),
            "task_status": status,
            "backend": task_result.backend,
            "duration_ms": round(seconds * 1000, 1) if seconds is not None else None,
            **more,
        },
    )
