"""The in-process thread backend of django-tasks: enqueue returns at once, run_after, coalescing, a bounded queue."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task, task_backends

from content_repo.tasks_backend import QueueFull

# What the tasks below report to the test (tasks take JSON arguments only, so they find their events by name).
EVENTS: dict[str, threading.Event] = {}
RUNS: list[tuple[str, str, float]] = []


@task()
def record(name: str) -> None:
    RUNS.append((name, threading.current_thread().name, time.monotonic()))


@task()
def block(name: str) -> None:
    RUNS.append((name, threading.current_thread().name, time.monotonic()))
    EVENTS[name].wait(10)


@task()
def explode() -> None:
    raise RuntimeError("a task that fails")


@pytest.fixture
def backend(settings):
    """A thread backend of one worker; its schedule is dropped after the test."""
    RUNS.clear()
    settings.TASKS = settings.TASKS | {
        "threads": {
            "BACKEND": "content_repo.tasks_backend.ThreadBackend",
            "OPTIONS": {"THREADS": 1, "MAX_QUEUED": 3, "COALESCE": True},
        }
    }
    backend = task_backends["threads"]
    yield backend
    for event in EVENTS.values():
        event.set()
    assert backend.runner.wait_until_idle(10)
    backend.runner.clear()
    EVENTS.clear()


def test_a_task_runs_in_a_worker_thread_and_enqueue_does_not_wait(backend):
    EVENTS["slow"] = threading.Event()
    started = time.monotonic()
    block.using(backend="threads").enqueue("slow")
    assert time.monotonic() - started < 0.5
    record.using(backend="threads").enqueue("after")
    EVENTS["slow"].set()
    assert backend.runner.wait_until_idle(5)
    assert [(name, thread) for name, thread, _ in RUNS] == [("slow", "tasks-threads-1"), ("after", "tasks-threads-1")]


def test_run_after_is_honoured(backend):
    enqueued = time.monotonic()
    record.using(backend="threads", run_after=timezone.now() + timedelta(seconds=0.5)).enqueue("later")
    record.using(backend="threads").enqueue("now")
    time.sleep(1)
    assert backend.runner.wait_until_idle(5)
    assert [name for name, _, _ in RUNS] == ["now", "later"]
    assert RUNS[1][2] - enqueued >= 0.5


def test_identical_waiting_calls_are_coalesced(backend):
    EVENTS["busy"] = threading.Event()
    block.using(backend="threads").enqueue("busy")
    time.sleep(0.2)  # the worker has taken it
    for _ in range(5):
        record.using(backend="threads").enqueue("drain")
    record.using(backend="threads").enqueue("other")
    EVENTS["busy"].set()
    assert backend.runner.wait_until_idle(5)
    assert [name for name, _, _ in RUNS] == ["busy", "drain", "other"]


def test_the_queue_is_bounded(backend):
    EVENTS["busy"] = threading.Event()
    block.using(backend="threads").enqueue("busy")
    time.sleep(0.2)
    for n in range(3):
        record.using(backend="threads").enqueue(f"waiting-{n}")
    with pytest.raises(QueueFull):
        record.using(backend="threads").enqueue("one too many")
    EVENTS["busy"].set()
    assert backend.runner.wait_until_idle(5)
    assert [name for name, _, _ in RUNS] == ["busy", "waiting-0", "waiting-1", "waiting-2"]


def test_a_failing_task_is_logged_and_the_worker_goes_on(backend, caplog):
    explode.using(backend="threads").enqueue()
    record.using(backend="threads").enqueue("next")
    assert backend.runner.wait_until_idle(5)
    assert [name for name, _, _ in RUNS] == ["next"]
    assert [(r.name, r.levelname) for r in caplog.records if "explode" in r.getMessage()] == [("django_tasks", "ERROR")]


def test_bad_options_are_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.TASKS = settings.TASKS | {
        "broken": {"BACKEND": "content_repo.tasks_backend.ThreadBackend", "OPTIONS": {"THREADS": 0}}
    }
    with pytest.raises(ImproperlyConfigured, match="THREADS"):
        task_backends["broken"]
