"""A django-tasks backend that runs tasks in a few background threads of the process that enqueues them.

For the embedded default (`make run`: no worker process): work that must never run inside a request, such as
webhook delivery, yet needs no separate process. A task is handed to the process's worker threads and `enqueue()`
returns at once; `run_after` is honoured by a schedule kept in memory. Nothing survives the process: use it only
for tasks whose real state is in the database (the webhook outbox), so a lost run is merely a late one.

    TASKS = {"webhooks": {"BACKEND": "content_repo.tasks_backend.ThreadBackend",
                          "OPTIONS": {"THREADS": 2, "MAX_QUEUED": 1000, "COALESCE": True}}}

`COALESCE`: a call identical to one already waiting (same task, same arguments) that would start no earlier is
dropped — right for "drain what is due" tasks, wrong for tasks that must run once per call.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id
from typing_extensions import ParamSpec

logger = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")


class QueueFull(Exception):
    """The backend's queue holds MAX_QUEUED tasks already; the task was not enqueued."""


@dataclass(order=True)
class _Job:
    run_at: float  # monotonic clock
    seq: int
    key: str = field(compare=False)
    run: Callable[[], None] = field(compare=False)


class _Runner:
    """Worker threads and the schedule they share: one per backend alias in a process.

    django-tasks hands each thread its own backend instance, so the threads and the schedule cannot live on the
    instance; they are the process's, created once under a lock and shared by every request thread.
    """

    def __init__(self, name: str, threads: int, max_queued: int, coalesce: bool) -> None:
        self.name = name
        self.max_queued = max_queued
        self.coalesce = coalesce
        self._threads = threads
        self._changed = threading.Condition()
        self._jobs: list[_Job] = []
        self._waiting: dict[str, float] = {}  # key -> earliest run_at of a job of that key not yet started
        self._running = 0
        self._seq = itertools.count()
        self._started = False

    def submit(self, key: str, delay: float, run: Callable[[], None]) -> bool:
        """Schedule `run` in `delay` seconds; False if an identical waiting job absorbed it (coalescing)."""
        run_at = time.monotonic() + max(0.0, delay)
        with self._changed:
            if self.coalesce and self._waiting.get(key, float("inf")) <= run_at:
                return False
            if len(self._jobs) >= self.max_queued:
                raise QueueFull(f"в очереди {self.name!r} уже {self.max_queued} задач")
            heapq.heappush(self._jobs, _Job(run_at, next(self._seq), key, run))
            self._waiting[key] = min(run_at, self._waiting.get(key, float("inf")))
            self._start_threads()
            self._changed.notify_all()
        return True

    def wait_until_idle(self, timeout: float) -> bool:
        """Wait until no job is running or due now (deferred ones may remain); True if that happened in time."""
        end = time.monotonic() + timeout
        with self._changed:
            while self._running or (self._jobs and self._jobs[0].run_at <= time.monotonic()):
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def clear(self) -> int:
        """Forget every job not yet started (a running one finishes); returns how many were dropped."""
        with self._changed:
            dropped = len(self._jobs)
            self._jobs.clear()
            self._waiting.clear()
            self._changed.notify_all()
        return dropped

    def _start_threads(self) -> None:
        if self._started:
            return
        self._started = True
        for number in range(1, self._threads + 1):
            threading.Thread(target=self._work, name=f"tasks-{self.name}-{number}", daemon=True).start()

    def _next_job(self) -> _Job:
        with self._changed:
            while True:
                now = time.monotonic()
                if self._jobs and self._jobs[0].run_at <= now:
                    job = heapq.heappop(self._jobs)
                    if self._waiting.get(job.key) == job.run_at:
                        del self._waiting[job.key]
                    self._running += 1
                    return job
                self._changed.wait(self._jobs[0].run_at - now if self._jobs else None)

    def _work(self) -> None:
        while True:
            job = self._next_job()
            try:
                job.run()
            except Exception:
                logger.exception("background task %s failed in %s", job.key, threading.current_thread().name)
            finally:
                with self._changed:
                    self._running -= 1
                    self._changed.notify_all()


_runners: dict[tuple[str, int, int, bool], _Runner] = {}
_runners_lock = threading.Lock()


def _runner(alias: str, threads: int, max_queued: int, coalesce: bool) -> _Runner:
    with _runners_lock:
        key = (alias, threads, max_queued, coalesce)
        if key not in _runners:
            _runners[key] = _Runner(alias, threads, max_queued, coalesce)
        return _runners[key]


class ThreadBackend(ImmediateBackend):
    """Runs each task as the immediate backend would (same signals, same result), but in a worker thread."""

    supports_defer = True
    supports_async_task = False

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.threads = self._positive("THREADS", 2)
        self.max_queued = self._positive("MAX_QUEUED", 1000)
        self.coalesce = bool(self.options.get("COALESCE", False))

    def _positive(self, option: str, default: int) -> int:
        value = self.options.get(option, default)
        if not isinstance(value, int) or value < 1:
            raise ImproperlyConfigured(f"TASKS[{self.alias!r}]['OPTIONS'][{option!r}] must be a positive integer")
        return value

    @property
    def runner(self) -> _Runner:
        return _runner(self.alias, self.threads, self.max_queued, self.coalesce)

    def enqueue(self, task: Task[P, T], args: P.args, kwargs: P.kwargs) -> TaskResult[T]:  # type: ignore[valid-type]
        self.validate_task(task)
        result: TaskResult[T] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        delay = (task.run_after - timezone.now()).total_seconds() if task.run_after else 0.0
        key = json.dumps([task.module_path, result.args, result.kwargs], sort_keys=True, default=str)
        # The task runs in the enqueuing request's context (its request id on the task's log lines).
        context = contextvars.copy_context()
        self.runner.submit(key, delay, lambda: context.run(self._run_in_thread, result))
        return result

    def _run_in_thread(self, result: TaskResult[Any]) -> None:
        # A worker thread has database connections of its own: keep them fresh and never leave them open.
        close_old_connections()
        try:
            self._execute_task(result)
        finally:
            connections.close_all()
