"""Background tasks of the search (django-tasks): the sweep that catches up missed indexing work."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from .indexing import sweep


@task()
def sweep_search_index() -> dict[str, Any]:
    """Run :func:`search.indexing.sweep`; schedule it every minute or so (cron, a worker loop)."""
    report = sweep()
    return {"indexed": report.indexed, "removed": report.removed, "failed": report.failed}
