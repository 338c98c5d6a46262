"""Signal receivers of the API: change-feed entries and webhook events, in the transaction of the change.

Connected in ApiConfig.ready(), after the resources app's own receivers (which set `status` first).
"""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.models import WorkflowState
from wagtail.signals import published, unpublished, workflow_approved, workflow_rejected

from content_repo.resources.models import Resource
from content_repo.resources.signals import resources_changed, resources_published

from . import changes
from .models import WebhookSubscription
from .webhooks import notify_submission


@receiver(published, dispatch_uid="api.change_feed.published")
def feed_published(sender, instance, **kwargs):
    if isinstance(instance, Resource):
        changes.record_published(instance)


@receiver(resources_published, dispatch_uid="api.change_feed.batch_published")
def feed_batch_published(sender, resources, **kwargs):
    changes.record_published_many(resources)


@receiver(resources_changed, dispatch_uid="api.change_feed.batch_changed")
def feed_batch_changed(sender, resource_ids, **kwargs):
    changes.record_changed_many(resource_ids)


@receiver(unpublished, dispatch_uid="api.change_feed.unpublished")
def feed_unpublished(sender, instance, **kwargs):
    if isinstance(instance, Resource):
        changes.record_unpublished(instance)


@receiver(post_delete, sender=Resource, dispatch_uid="api.change_feed.deleted")
def feed_deleted(sender, instance, **kwargs):
    changes.record_deleted(instance)


@receiver(workflow_approved, dispatch_uid="api.webhooks.approved")
def submission_approved(sender, instance: WorkflowState, **kwargs):
    resource = instance.content_object
    if isinstance(resource, Resource):
        notify_submission(resource, WebhookSubscription.Event.SUBMISSION_APPROVED)


@receiver(workflow_rejected, dispatch_uid="api.webhooks.rejected")
def submission_rejected(sender, instance: WorkflowState, **kwargs):
    resource = instance.content_object
    if isinstance(resource, Resource):
        notify_submission(resource, WebhookSubscription.Event.SUBMISSION_REJECTED)
