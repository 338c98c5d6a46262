"""Background work of the API: draining the webhook outbox."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhooks() -> dict[str, int]:
    """Attempt every due webhook delivery once (retries are scheduled by the attempts themselves)."""
    from .webhooks import deliver_pending

    return dict(deliver_pending())
