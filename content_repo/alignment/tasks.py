"""Background work of the alignment service (django-tasks): suggestions for what a batch of the intake loaded.

With the embedded default (``make run``, tests: the immediate backend) the task runs at once, inside the call that
enqueues it; with a task queue (``TASKS_BACKEND`` with ``manage.py db_worker``) the worker runs it, so a harvest
or a vendor's request does not wait for the engine, the change feed and the index, and suggestions appear a few
seconds later.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task


@task()
def suggest_alignments_for(resource_ids: list[str]) -> dict[str, int]:
    """Bring the engine suggestions of these resources up to date (``services.suggest_for``)."""
    from .services import suggest_for

    with transaction.atomic():  # a failure rolls back this work only, never the caller's
        report = suggest_for(resource_ids)
    return {
        "resources": report.resources,
        "created": report.created,
        "updated": report.updated,
        "deleted": report.deleted,
    }
