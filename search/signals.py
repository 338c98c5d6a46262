"""Index resources when they are published, unpublished, changed while live or deleted (after commit)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import published, unpublished

from content_repo.resources.models import Resource
from content_repo.resources.signals import resources_changed, resources_published

from .indexing import schedule, schedule_many


@receiver(published)
@receiver(unpublished)
def on_publication_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Resource):
        schedule(instance.pk)


@receiver(post_save, sender=Resource)
def on_resource_saved(sender: Any, instance: Resource, **kwargs: Any) -> None:
    # Drafts live in revisions; only a change to the live row changes what is searchable.
    if instance.live:
        schedule(instance.pk)


@receiver(post_delete, sender=Resource)
def on_resource_deleted(sender: Any, instance: Resource, **kwargs: Any) -> None:
    schedule(instance.pk)


@receiver(resources_published)
def on_batch_published(sender: Any, resources: list[Resource], **kwargs: Any) -> None:
    schedule_many(resource.pk for resource in resources)


@receiver(resources_changed)
def on_batch_changed(sender: Any, resource_ids: list[Any], **kwargs: Any) -> None:
    schedule_many(resource_ids)
