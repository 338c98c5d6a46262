"""The work done on resources: moderation, withdrawal, editing and reverting overlaid fields.

Views, commands, API endpoints and importers call these functions; they never reimplement the rules. Loading
values from outside (harvests, vendors, spreadsheets) is the intake's work: ``content_repo.intake``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.models import TaskState, WorkflowState

from .codes import CatalogCodes
from .models import Resource, SourceLayer
from .overlay import OVERLAY_FIELDS, mark_overlaid


def withdraw_from_source(layer: SourceLayer, reason: str) -> None:
    """The source no longer lists the record: unpublish the resource, keep it, say when and why."""
    now = timezone.now()
    with transaction.atomic():
        layer.withdrawn_at = now
        layer.withdrawn_reason = reason
        layer.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        withdraw(layer.resource, reason=reason)


def withdraw(resource: Resource, *, reason: str, user: AbstractBaseUser | None = None) -> None:
    """Take a resource out of publication (kept, with its history), marking when and why."""
    with transaction.atomic():
        if resource.live:
            resource.unpublish(user=user, log_action=True)
        Resource.objects.filter(pk=resource.pk).update(
            status=Resource.Status.WITHDRAWN, status_reason=reason, withdrawn_at=timezone.now()
        )
        resource.refresh_from_db()


def submit_for_review(resource: Resource, user: AbstractBaseUser | None) -> WorkflowState:
    """Send the latest revision through the moderation workflow (Методисты approve)."""
    workflow = resource.get_workflow()
    if workflow is None:
        raise ValidationError("Для ресурсов не настроен процесс проверки: выполните manage.py setup_roles")
    current = resource.current_workflow_state
    if current is not None:
        current.cancel(user=user)
    if resource.latest_revision is None:
        resource.save_revision(user=user)
    return workflow.start(resource, user)


def _current_task_state(resource: Resource) -> TaskState:
    state = resource.current_workflow_state
    if state is None or state.current_task_state is None:
        raise ValidationError("Ресурс не находится на проверке")
    return state.current_task_state.specific


def approve(resource: Resource, user: AbstractBaseUser, comment: str = "") -> None:
    """A methodist approves the resource under review: its submitted revision is published."""
    task_state = _current_task_state(resource)
    task = task_state.task.specific
    if resource.provider_id is not None and task._is_member(user, resource.provider_id):
        # Four eyes: an organisation that both publishes and reviews never approves its own submissions.
        raise PermissionDenied("Ресурсы своей организации утверждает методист другой организации")
    if "approve" not in {name for name, _label, _form in task.get_actions(resource, user)}:
        raise PermissionDenied("Утверждать ресурсы могут только методисты")
    task.on_action(task_state, user, "approve", comment=comment)


def reject(resource: Resource, user: AbstractBaseUser, reason: str) -> None:
    """A methodist returns the resource for changes; the reason is required and shown to the vendor."""
    if not reason.strip():
        raise ValidationError({"reason": "Укажите причину отклонения"})
    task_state = _current_task_state(resource)
    task = task_state.task.specific
    if "reject" not in {name for name, _label, _form in task.get_actions(resource, user)}:
        raise PermissionDenied("Отклонять ресурсы могут только методисты")
    task.on_action(task_state, user, "reject", comment=reason.strip())


def revert_field(resource: Resource, name: str, user: AbstractBaseUser | None = None) -> None:
    """Give a field back to its source: the source's value is applied and the field is no longer overlaid."""
    if name not in OVERLAY_FIELDS:
        raise ValidationError(f"Поле {name!r} не относится к данным источника")
    layer = resource.source_layer_or_none
    if layer is None or name not in layer.data:
        raise ValidationError(f"У поля {name!r} нет значения источника")
    with transaction.atomic():
        resource.overlaid_fields = [f for f in resource.overlaid_fields if f != name]
        OVERLAY_FIELDS[name].set(resource, layer.data[name])
        resource.save()
        revision = resource.save_revision(user=user, log_action=True)
        if resource.live:
            revision.publish(user=user, log_action=True)


def source_values(resource: Resource) -> dict[str, Any]:
    layer = resource.source_layer_or_none
    return dict(layer.data) if layer else {}


def edit_fields(resource: Resource, values: dict[str, Any], user: AbstractBaseUser | None = None) -> list[str]:
    """An editor's change to several fields at once (bulk actions, API): overlaid, saved, published if live."""
    with transaction.atomic():
        changed = [name for name, value in values.items() if OVERLAY_FIELDS[name].get(resource) != value]
        if not changed:
            return []
        codes = CatalogCodes()
        for name in changed:
            OVERLAY_FIELDS[name].set(resource, values[name], codes)
        mark_overlaid(resource, source_values(resource), changed)
        resource.save()
        revision = resource.save_revision(user=user, log_action=True)
        if resource.live:
            revision.publish(user=user, log_action=True)
        return changed
