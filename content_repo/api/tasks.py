"""Background work of the API: draining the webhook outbox, loading large bulk submissions.

The task is declared on the default backend and enqueued on the one `WEBHOOKS_TASK_BACKEND` names (see
`webhooks._schedule_delivery`): threads of the web process in the embedded default, the task queue's worker
otherwise — never the immediate backend, which would run it inside the request.
"""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhooks() -> dict[str, int]:
    """Attempt every due webhook delivery once (retries are scheduled by the attempts themselves)."""
    from .webhooks import deliver_pending

    return dict(deliver_pending())


@task()
def process_bulk_submission(submission_id: str) -> dict[str, int]:
    """Load a vendor's large bulk request (enqueued on `BACKGROUND_TASK_BACKEND`, never inside the request)."""
    from .publishing import process_bulk

    submission = process_bulk(submission_id)
    return {name: getattr(submission, name) for name in submission.COUNT_FIELDS}
