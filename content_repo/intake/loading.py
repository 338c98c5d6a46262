"""The batched load: items from any door upserted into the catalog, a few hundred per transaction.

For a batch of validated :class:`~content_repo.intake.items.IntakeItem` the loader

1. finds the source layers that exist with one query, and classifies every item: *created* (no layer),
   *unchanged* (same content hash — it costs one shared ``UPDATE`` of ``last_seen`` and nothing else),
   *updated*, or *rejected* (its identity belongs to another organisation's resource, or repeats in the batch);
2. writes the created ones in bulk: resources, their many-to-many rows, parts and alignments, source layers,
   one revision each (history is kept), Wagtail's log entries, and for the ``PUBLISH`` policy the published
   state — then tells the change feed and the search index once for the whole batch
   (:data:`content_repo.resources.signals.resources_published`); under ``REVIEW`` each is submitted to the
   methodists' workflow;
3. updates the changed ones one by one through the editorial overlay (a methodist's fields stay theirs),
   each in its own savepoint.

A database error in the bulk write is not the batch's end: the created items are retried one by one, each in
its own savepoint, so the one that fails is reported with its reason and the others commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry, Revision

from content_repo.curriculum.models import CodifierElement, Topic
from content_repo.resources.codes import CatalogCodes
from content_repo.resources.models import (
    Alignment,
    Resource,
    ResourceFile,
    ResourcePart,
    SourceLayer,
    resource_uuid,
)
from content_repo.resources.overlay import apply_source_values, write_new
from content_repo.resources.services import submit_for_review
from content_repo.resources.signals import resources_published

from .items import IntakeItem, ItemResult, Outcome, Policy
from .validation import FieldProblem

__all__ = ["ExistingLayer", "classify", "load_items"]

logger = logging.getLogger(__name__)

_M2M_FIELDS = ("subjects", "grades", "levels", "educational_use")


@dataclass(frozen=True)
class ExistingLayer:
    """What the loader needs to know of a source layer that exists already."""

    pk: int
    resource_id: Any
    content_hash: str
    withdrawn: bool
    provider_id: int | None
    status: str


def existing_layers(items: Sequence[IntakeItem]) -> dict[tuple[str, str], ExistingLayer]:
    """The source layers of ``items`` that exist, by ``(source, external_id)`` — one query per source."""
    return existing_layers_by_key([(item.source, item.external_id) for item in items])


def touch_layers(layer_ids: Sequence[int]) -> None:
    """The source still says the same about these layers: only when it last said so changes."""
    if layer_ids:
        SourceLayer.objects.filter(pk__in=layer_ids).update(last_seen=timezone.now())


def existing_layers_by_key(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], ExistingLayer]:
    """The source layers that exist among ``(source, external_id)`` keys — one query per source."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    found = {}
    for source, external_ids in by_source.items():
        rows = SourceLayer.objects.filter(source=source, external_id__in=external_ids).values_list(
            "pk",
            "external_id",
            "resource_id",
            "content_hash",
            "withdrawn_at",
            "resource__provider_id",
            "resource__status",
        )
        for pk, external_id, resource_id, digest, withdrawn_at, provider_id, status in rows:
            found[(source, external_id)] = ExistingLayer(
                pk, resource_id, digest, withdrawn_at is not None, provider_id, status
            )
    return found


def classify(
    item: IntakeItem, layer: ExistingLayer | None, *, owner_id: int | None = None
) -> tuple[Outcome, list[FieldProblem]]:
    """What loading ``item`` over ``layer`` would do (dry runs ask this too, without writing)."""
    if layer is None:
        return Outcome.CREATED, []
    if owner_id is not None and layer.provider_id != owner_id:
        return Outcome.REJECTED, [FieldProblem("external_id", "идентификатор занят ресурсом другой организации")]
    if layer.content_hash == item.content_hash and not layer.withdrawn:
        if owner_id is not None and layer.status in (Resource.Status.DRAFT, Resource.Status.WITHDRAWN):
            return Outcome.UPDATED, []  # sent again after a withdrawal (or never submitted): publish it again
        return Outcome.UNCHANGED, []
    return Outcome.UPDATED, []


def load_items(
    items: Sequence[IntakeItem],
    *,
    policy: Policy,
    codes: CatalogCodes,
    user: AbstractBaseUser | None = None,
    owner_id: int | None = None,
) -> list[ItemResult]:
    """Load a batch in one transaction; one result per item, in the items' order.

    ``owner_id`` is the organisation that sends the items (vendors): an identity held by another
    organisation's resource is refused, and an unchanged item whose resource is a draft or withdrawn is
    submitted again.
    """
    results: list[ItemResult | None] = [None] * len(items)
    now = timezone.now()
    with transaction.atomic():
        # Classified inside the transaction: on SQLite (BEGIN IMMEDIATE) no other writer can create a layer
        # between the look and the write; on PostgreSQL one can, and `_create` turns that race into an update.
        layers = existing_layers(items)
        first_seen: dict[tuple[str, str], int] = {}
        created: list[int] = []
        updated: list[int] = []
        unchanged_layers: list[int] = []
        for index, item in enumerate(items):
            key = (item.source, item.external_id)
            if key in first_seen:
                problem = FieldProblem("external_id", f"повторяет элемент {first_seen[key] + 1} этого пакета")
                results[index] = ItemResult(item, Outcome.REJECTED, problems=[problem])
                continue
            first_seen[key] = index
            layer = layers.get(key)
            outcome, problems = classify(item, layer, owner_id=owner_id)
            if outcome is Outcome.REJECTED:
                results[index] = ItemResult(item, outcome, problems=problems)
            elif outcome is Outcome.UNCHANGED:
                assert layer is not None
                unchanged_layers.append(layer.pk)
                results[index] = ItemResult(item, outcome, resource_id=layer.resource_id)
            else:
                (created if outcome is Outcome.CREATED else updated).append(index)
        touch_layers(unchanged_layers)
        load = _Loader(policy, codes, user, owner_id)
        for index, result in load.create(items, created, now).items():
            results[index] = result
        for index in updated:
            results[index] = _in_savepoint(items[index], load.update)
    return [result for result in results if result is not None]


def _in_savepoint(item: IntakeItem, load) -> ItemResult:
    try:
        with transaction.atomic():
            return load(item)
    except (DatabaseError, ValidationError) as error:
        logger.warning("loading %s:%s failed: %s", item.source, item.external_id, error)
        message = (
            "; ".join(error.messages) if isinstance(error, ValidationError) else f"{type(error).__name__}: {error}"
        )
        return ItemResult(item, Outcome.REJECTED, problems=[FieldProblem("record", message[:2000])])


class _Loader:
    """Writes of one batch under its policy: created in bulk, changed one by one, races settled."""

    def __init__(
        self, policy: Policy, codes: CatalogCodes, user: AbstractBaseUser | None, owner_id: int | None
    ) -> None:
        self.policy, self.codes, self.user, self.owner_id = policy, codes, user, owner_id

    def create(self, items: Sequence[IntakeItem], indexes: list[int], now: datetime) -> dict[int, ItemResult]:
        if not indexes:
            return {}
        batch = [items[index] for index in indexes]
        try:
            with transaction.atomic():
                resources = BulkCreation(batch, self.policy, self.codes, self.user, now).write()
        except DatabaseError as error:
            logger.warning("bulk creation of %d resources failed, retrying one by one: %s", len(batch), error)
            return {index: _in_savepoint(items[index], self.create_one) for index in indexes}
        if self.policy is Policy.REVIEW:
            for resource in resources:
                submit_for_review(resource, self.user)
        return {
            index: ItemResult(items[index], Outcome.CREATED, resource_id=resource.pk)
            for index, resource in zip(indexes, resources, strict=True)
        }

    def create_one(self, item: IntakeItem) -> ItemResult:
        """One new resource; if another writer created it meanwhile, this becomes an update of theirs."""
        try:
            with transaction.atomic():
                return _create_one(item, self.policy, self.codes, self.user)
        except IntegrityError:
            layer = existing_layers([item]).get((item.source, item.external_id))
            if layer is None:
                raise
            outcome, problems = classify(item, layer, owner_id=self.owner_id)
            if outcome is Outcome.REJECTED:
                return ItemResult(item, outcome, problems=problems)
            if outcome is Outcome.UNCHANGED:
                return ItemResult(item, outcome, resource_id=layer.resource_id)
            return self.update(item)

    def update(self, item: IntakeItem) -> ItemResult:
        return _update_one(item, self.policy, self.codes, self.user)


class BulkCreation:
    """New resources written with one statement per table, in the state Wagtail's own calls would leave.

    Per resource: the row (published or a draft), its many-to-many rows, parts and alignments, the source
    layer, a revision with the resource's serialised content, and the log entries «создан» (and
    «опубликован»). What Wagtail's ``published`` signal would trigger per resource — the change feed and the
    search index — is triggered once for the batch by :data:`resources_published`.
    """

    def __init__(
        self,
        items: Sequence[IntakeItem],
        policy: Policy,
        codes: CatalogCodes,
        user: AbstractBaseUser | None,
        now: datetime,
    ) -> None:
        self.items, self.policy, self.codes, self.user, self.now = items, policy, codes, user, now
        self.content_type = ContentType.objects.get_for_model(Resource)

    def write(self) -> list[Resource]:
        publish = self.policy is Policy.PUBLISH
        resources = [self._resource(item, publish) for item in self.items]
        revisions = Revision.objects.bulk_create([self._revision(resource) for resource in resources])
        for resource, revision in zip(resources, revisions, strict=True):
            resource.latest_revision_id = revision.pk
            resource.live_revision_id = revision.pk if publish else None
        Resource.objects.bulk_create(resources)
        self._children(resources)
        layers = [self._layer(item, resource) for item, resource in zip(self.items, resources, strict=True)]
        SourceLayer.objects.bulk_create(layers)
        ModelLogEntry.objects.bulk_create(self._log_entries(resources, revisions, publish))
        if publish:
            for resource, layer in zip(resources, layers, strict=True):
                resource.source_layer = layer
            self._attach_targets(resources)
            resources_published.send(sender=Resource, resources=resources)
        return resources

    def _resource(self, item: IntakeItem, publish: bool) -> Resource:
        resource = Resource(id=resource_uuid(item.source, item.external_id), created_at=self.now)
        # In-memory children, so that serialising the cluster never asks the database for them.
        resource.parts, resource.alignments, resource.relations, resource.files = [], [], [], []  # type: ignore[assignment]
        for name in _M2M_FIELDS:
            getattr(resource, name).set([])
        if item.provider_code:
            resource.provider = self.codes.organizations.get(item.provider_code)
        write_new(resource, item.values, self.codes)
        if publish:
            resource.live, resource.has_unpublished_changes = True, False
            resource.first_published_at = resource.last_published_at = self.now
            resource.status = Resource.Status.PUBLISHED
        else:
            resource.live, resource.has_unpublished_changes = False, True
        return resource

    def _revision(self, resource: Resource) -> Revision:
        return Revision(
            content_type=self.content_type,
            base_content_type=self.content_type,
            object_id=str(resource.pk),
            user=self.user,
            content=resource.serializable_data(),
            object_str=str(resource),
            created_at=self.now,
        )

    def _children(self, resources: list[Resource]) -> None:
        for name in _M2M_FIELDS:
            through = getattr(Resource, name).through
            target = f"{Resource._meta.get_field(name).m2m_reverse_field_name()}_id"
            rows = [
                through(resource_id=resource.pk, **{target: row.pk})
                for resource in resources
                for row in getattr(resource, name).all()
            ]
            through.objects.bulk_create(rows)
        for model, relation in ((ResourcePart, "parts"), (Alignment, "alignments"), (ResourceFile, "files")):
            children = []
            for resource in resources:
                for child in getattr(resource, relation).all():
                    child.resource_id = resource.pk
                    children.append(child)
            model.objects.bulk_create(children)

    def _attach_targets(self, resources: list[Resource]) -> None:
        """The topics and codifier elements of the alignments as rows, read once for the batch."""
        alignments = [alignment for resource in resources for alignment in resource.alignments.all()]
        topics = Topic.objects.in_bulk({a.topic_id for a in alignments if a.topic_id})
        elements = CodifierElement.objects.in_bulk({a.codifier_element_id for a in alignments if a.codifier_element_id})
        for alignment in alignments:
            if alignment.topic_id:
                alignment.topic = topics[alignment.topic_id]
            else:
                alignment.codifier_element = elements[alignment.codifier_element_id]

    def _layer(self, item: IntakeItem, resource: Resource) -> SourceLayer:
        return SourceLayer(
            resource_id=resource.pk,
            source=item.source,
            external_id=item.external_id,
            source_url=item.source_url,
            data=item.values,
            content_hash=item.content_hash,
            first_seen=self.now,
            last_seen=self.now,
        )

    def _log_entries(self, resources: list[Resource], revisions: list[Revision], publish: bool) -> list[ModelLogEntry]:
        # One entry each: a resource harvested and published at once is «опубликован»; a draft is «создан».
        actions = ["wagtail.publish"] if publish else ["wagtail.create"]
        return [
            ModelLogEntry(
                content_type=self.content_type,
                label=str(resource),
                action=action,
                timestamp=self.now,
                data={},
                user=self.user,
                revision=revision,
                content_changed=True,
                object_id=str(resource.pk),
            )
            for resource, revision in zip(resources, revisions, strict=True)
            for action in actions
        ]


def _create_one(item: IntakeItem, policy: Policy, codes: CatalogCodes, user: AbstractBaseUser | None) -> ItemResult:
    """One new resource through Wagtail's own calls (the fallback when a bulk write failed)."""
    resource = Resource(id=resource_uuid(item.source, item.external_id), live=False)
    if item.provider_code:
        resource.provider = codes.organizations.get(item.provider_code)
    apply_source_values(resource, item.values, codes)
    resource.save()
    _save_layer(SourceLayer(resource=resource, source=item.source, external_id=item.external_id), item)
    revision = resource.save_revision(user=user, log_action=True)
    if policy is Policy.PUBLISH:
        revision.publish(user=user, log_action=True)
    else:
        submit_for_review(resource, user)
    return ItemResult(item, Outcome.CREATED, resource_id=resource.pk)


def _update_one(item: IntakeItem, policy: Policy, codes: CatalogCodes, user: AbstractBaseUser | None) -> ItemResult:
    """A changed item: the source layer always, live fields only where no methodist overlaid them."""
    layer = (
        SourceLayer.objects.select_for_update()
        .select_related("resource")
        .get(source=item.source, external_id=item.external_id)
    )
    resource = layer.resource
    was_withdrawn = layer.withdrawn_at is not None
    if policy is Policy.REVIEW and resource.live:
        # The published version stays as it is; the change waits in a draft of the latest version.
        draft = resource.get_latest_revision_as_object()
        changed = apply_source_values(draft, item.values, codes)
        _save_layer(layer, item)
        if changed or was_withdrawn:
            draft.save_revision(user=user, log_action=True)
            resource.refresh_from_db()
            submit_for_review(resource, user)
        return ItemResult(item, Outcome.UPDATED, resource_id=resource.pk)
    changed = apply_source_values(resource, item.values, codes)
    resource.withdrawn_at = None
    resource.save()
    _save_layer(layer, item)
    resubmitted = policy is Policy.REVIEW and resource.status in (Resource.Status.DRAFT, Resource.Status.WITHDRAWN)
    if changed or was_withdrawn or resubmitted or (policy is Policy.PUBLISH and not resource.live):
        revision = resource.save_revision(user=user, log_action=True)
        if policy is Policy.PUBLISH:
            revision.publish(user=user, log_action=True)
        else:
            submit_for_review(resource, user)
    return ItemResult(item, Outcome.UPDATED, resource_id=resource.pk)


def _save_layer(layer: SourceLayer, item: IntakeItem) -> None:
    layer.source_url = item.source_url
    layer.data = item.values
    layer.content_hash = item.content_hash
    layer.last_seen = timezone.now()
    layer.withdrawn_at = None
    layer.withdrawn_reason = ""
    layer.save()
