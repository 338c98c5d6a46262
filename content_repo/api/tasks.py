"""Background work of the API: draining the webhook outbox.

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
