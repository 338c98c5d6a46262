"""Keep the denormalised moderation status of resources in step with Wagtail's publishing and workflow."""

from __future__ import annotations

from django.dispatch import Signal, receiver
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import published, unpublished, workflow_approved, workflow_rejected, workflow_submitted

from .models import Resource

# The batch counterpart of Wagtail's `published`, sent (inside the transaction) by loads that write many
# resources at once in their published state: `resources` were published by one statement each table, so the
# change feed and the search index are told once for all of them. The instances carry their related rows
# (terms, subjects, grades, levels, parts, alignments with their targets, provider, source layer), so the feed
# serialises them without reading them back. Status is already written with the rows.
resources_published = Signal()

# Sent (inside the transaction) when live resources changed in place without a revision — the alignment service
# rewrote their engine suggestions (content_repo/alignment/services.py): ``resource_ids`` of the live ones. The
# change feed records them as updated and the search index re-indexes them, once for the batch.
resources_changed = Signal()


def _set_status(resource_id, status: str, reason: str = "") -> None:
    Resource.objects.filter(pk=resource_id).update(status=status, status_reason=reason)


@receiver(published)
def on_published(sender, instance, **kwargs):
    if isinstance(instance, Resource):
        Resource.objects.filter(pk=instance.pk).update(
            status=Resource.Status.PUBLISHED, status_reason="", withdrawn_at=None
        )
        instance.status = Resource.Status.PUBLISHED


@receiver(unpublished)
def on_unpublished(sender, instance, **kwargs):
    if isinstance(instance, Resource):
        _set_status(instance.pk, Resource.Status.DRAFT)


@receiver(workflow_submitted)
def on_submitted(sender, instance: WorkflowState, **kwargs):
    if isinstance(instance.content_object, Resource):
        _set_status(instance.object_id, Resource.Status.IN_REVIEW)


@receiver(workflow_rejected)
def on_rejected(sender, instance: WorkflowState, **kwargs):
    if isinstance(instance.content_object, Resource):
        last = (
            TaskState.objects.filter(workflow_state=instance, status=TaskState.STATUS_REJECTED)
            .order_by("-finished_at")
            .first()
        )
        _set_status(instance.object_id, Resource.Status.REJECTED, (last.comment if last else "") or "")


@receiver(workflow_approved)
def on_approved(sender, instance: WorkflowState, **kwargs):
    # Publishing (which follows approval) sets PUBLISHED; nothing to do unless the object has no draft state.
    return None
