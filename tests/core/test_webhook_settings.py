"""Where webhook delivery runs follows the task backend: threads of the web process, or the queue's worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMMEDIATE = "django_tasks.backends.immediate.ImmediateBackend"
DATABASE = "django_tasks_db.DatabaseBackend"


def webhook_settings(**environ: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TASKS_", "WEBHOOKS_"))}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.WEBHOOKS_DELIVERY, s.WEBHOOKS_TASK_BACKEND, s.TASKS[s.WEBHOOKS_TASK_BACKEND]['BACKEND'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "content_repo.settings", **environ},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "thread webhooks content_repo.tasks_backend.ThreadBackend"),
        ({"TASKS_BACKEND": IMMEDIATE}, "thread webhooks content_repo.tasks_backend.ThreadBackend"),
        ({"TASKS_BACKEND": DATABASE}, f"worker default {DATABASE}"),
        (
            {"TASKS_BACKEND": DATABASE, "WEBHOOKS_DELIVERY": "thread"},
            "thread webhooks content_repo.tasks_backend.ThreadBackend",
        ),
    ],
)
def test_delivery_never_uses_the_immediate_backend(environ, expected):
    result = webhook_settings(**environ)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WEBHOOKS_DELIVERY": "worker"}, "WEBHOOKS_DELIVERY=worker needs a TASKS_BACKEND with a worker process"),
        ({"WEBHOOKS_DELIVERY": "inline"}, "WEBHOOKS_DELIVERY must be thread or worker, got 'inline'"),
        ({"WEBHOOKS_ATTEMPT_DEADLINE": "0"}, "WEBHOOKS_ATTEMPT_DEADLINE must be a positive integer"),
        ({"WEBHOOKS_CIRCUIT_FAILURES": "-1"}, "WEBHOOKS_CIRCUIT_FAILURES must be a positive integer"),
    ],
)
def test_bad_delivery_settings_stop_the_start(environ, message):
    result = webhook_settings(**environ)
    assert result.returncode == 1
    assert f"ImproperlyConfigured: {message}" in result.stderr
