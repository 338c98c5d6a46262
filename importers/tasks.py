"""Background tasks (django-tasks; the backend is ``TASKS_BACKEND``, immediate by default)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from importers.engine import run_harvest as run_harvest_job

__all__ = ["run_harvest"]


@task()
def run_harvest(source_code: str) -> dict[str, Any]:
    """Harvest one source with its stored settings; the result is the job's counts."""
    job = run_harvest_job(source_code)
    return {"job": job.pk, "state": job.state, **job.counts()}
