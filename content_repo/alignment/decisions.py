"""The methodists' decisions on suggestions: accept, reject, replace, accept everything above a score.

Only methodists decide (the ``resources.review_resource`` permission; vendors never confirm). A decision is
about a node, not a row: the suggestion is found by its node code in every version it must reach.

- **Accept** and **replace** are editorial: the confirmed alignment (with who and when) is written to the
  resource, the ``alignments`` field becomes the methodist's (overlaid: neither a re-harvest nor the engine
  touches it again), a revision is saved and — for a live resource without a pending draft — published, so
  the change feed and the search index follow and the history shows it. A live resource whose newer draft
  waits in review is changed in place and in that draft (publishing now would cancel the review).
- **Reject** of an engine suggestion changes only row state: the row goes, the node is remembered
  (:class:`~content_repo.alignment.models.RejectedSuggestion`) and never suggested again. Rejecting a
  suggestion that a source sent is editorial like an accept (otherwise the next harvest would bring it back).

Every decision is logged in the resource's history (``alignment.*`` actions, registered in wagtail_hooks).
After a confirmation the near-identical resources are suggested again: the engine takes the confirmation
as a hint for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log

from content_repo.curriculum.models import CodifierElement, Topic
from content_repo.resources.models import Alignment, Resource
from content_repo.resources.overlay import mark_overlaid
from content_repo.resources.services import source_values
from content_repo.resources.signals import resources_changed

from .models import RejectedSuggestion, ResourceIdentity
from .services import suggest_for
from .suggesting import MIN_TITLE_KEY_WORDS

__all__ = ["DecisionError", "accept", "accept_above", "can_decide", "confirm_topics", "reject", "replace"]

REVIEW_PERMISSION = "resources.review_resource"
# Near-identical resources re-suggested after a confirmation, at most.
PROPAGATION_LIMIT = 200

User = AbstractBaseUser | AnonymousUser


class DecisionError(ValidationError):
    """A decision that cannot be made (the suggestion was decided meanwhile, an unknown node…)."""


@dataclass(frozen=True)
class Node:
    """A curriculum node a decision names: ``kind`` is ``topic`` or ``codifier``."""

    kind: str
    id: int
    code: str
    title: str

    @classmethod
    def of(cls, alignment: Alignment) -> Node:
        if alignment.topic_id:
            topic = alignment.topic
            assert topic is not None
            return cls("topic", topic.pk, topic.code, topic.title)
        element = alignment.codifier_element
        assert element is not None
        return cls("codifier", element.pk, element.code, element.title)

    @classmethod
    def topic(cls, topic: Topic) -> Node:
        return cls("topic", topic.pk, topic.code, topic.title)

    @classmethod
    def codifier_element(cls, element: CodifierElement) -> Node:
        return cls("codifier", element.pk, element.code, element.title)

    def matches(self, alignment: Alignment) -> bool:
        if self.kind == "topic":
            return alignment.topic_id == self.id
        return alignment.codifier_element_id == self.id


def can_decide(user: Any) -> bool:
    """Methodists (and administrators) confirm and reject; vendors and readers never do."""
    return bool(getattr(user, "is_active", False) and user.has_perm(REVIEW_PERMISSION))


def _check(user: Any) -> None:
    if not can_decide(user):
        raise PermissionDenied("Подтверждать и отклонять привязки к программе могут только методисты")


def _suggestion(alignment_id: int) -> Alignment:
    alignment = (
        Alignment.objects.select_related("topic", "codifier_element", "resource").filter(pk=alignment_id).first()
    )
    if alignment is None or alignment.status != Alignment.Status.SUGGESTED:
        raise DecisionError("Эта подсказка уже рассмотрена или удалена: обновите страницу")
    return alignment


def accept(alignment_id: int, user: Any) -> Alignment:
    """Confirm a suggestion (one click in the queue); returns the confirmed row of the resource."""
    _check(user)
    suggestion = _suggestion(alignment_id)
    node = Node.of(suggestion)
    resource_id = suggestion.resource_id
    _decide(resource_id, lambda version: _confirm(version, [node], user), user, "alignment.confirm", [node])
    propagate(resource_id)
    return _confirmed(resource_id, node)


def reject(alignment_id: int, user: Any) -> None:
    """Refuse a suggestion: it goes, and its node is never suggested to this resource again."""
    _check(user)
    suggestion = _suggestion(alignment_id)
    node = Node.of(suggestion)
    if suggestion.is_engine_suggestion:
        _reject_engine_suggestion(suggestion, node, user)
    else:
        _decide(suggestion.resource_id, lambda version: _drop(version, node), user, "alignment.reject", [node])
    _remember_rejection(suggestion.resource_id, node, user)


def replace(alignment_id: int, chosen: Topic | CodifierElement, user: Any) -> Alignment:
    """Refuse a suggestion and confirm the node the methodist chose instead (the same relation)."""
    _check(user)
    suggestion = _suggestion(alignment_id)
    old = Node.of(suggestion)
    new = Node.topic(chosen) if isinstance(chosen, Topic) else Node.codifier_element(chosen)
    if new == old:
        return accept(alignment_id, user)
    kind = suggestion.alignment_type

    def change(version: Resource) -> None:
        _drop(version, old)
        _confirm(version, [new], user, alignment_type=kind)

    _decide(suggestion.resource_id, change, user, "alignment.replace", [old, new])
    _remember_rejection(suggestion.resource_id, old, user)
    propagate(suggestion.resource_id)
    return _confirmed(suggestion.resource_id, new)


def accept_above(suggestions: Iterable[Alignment], threshold: float, user: Any) -> tuple[int, int]:
    """Confirm every engine suggestion among ``suggestions`` scoring at least ``threshold``.

    Returns (alignments confirmed, resources changed). Resources whose alignments a methodist owns are
    included: the suggestions shown to them are still waiting for a decision.
    """
    _check(user)
    if not 0 <= threshold <= 1:
        raise DecisionError("Порог оценки — число от 0 до 1")
    by_resource: dict[Any, list[Node]] = {}
    chosen = [s for s in suggestions if s.score is not None and s.score >= threshold and s.is_engine_suggestion]
    for suggestion in chosen:
        by_resource.setdefault(suggestion.resource_id, []).append(Node.of(suggestion))
    for resource_id, nodes in by_resource.items():
        _decide(resource_id, partial(_confirm, nodes=nodes, user=user), user, "alignment.confirm", nodes)
    for resource_id in by_resource:
        propagate(resource_id)
    return sum(len(nodes) for nodes in by_resource.values()), len(by_resource)


def confirm_topics(resource_id: Any, topics: Iterable[Topic], user: Any, *, replace: bool = False) -> None:
    """A methodist aligns a resource to topics chosen by hand (the bulk action): confirmed, with who and when.

    ``replace`` drops the resource's other alignments but the engine's suggestions (which stay to be decided).
    """
    _check(user)
    nodes = [Node.topic(topic) for topic in topics]

    def change(version: Resource) -> None:
        if replace:
            version.alignments = [  # type: ignore[assignment]
                a for a in version.alignments.all() if a.is_engine_suggestion or any(n.matches(a) for n in nodes)
            ]
        _confirm(version, nodes, user)

    _decide(resource_id, change, user, "alignment.confirm", nodes)
    propagate(resource_id)


# Changes to one version of a resource (the row, or a draft built from a revision), in memory


def _confirm(version: Resource, nodes: list[Node], user: Any, *, alignment_type: str | None = None) -> None:
    now = timezone.now()
    children = list(version.alignments.all())
    for node in nodes:
        found = [a for a in children if node.matches(a)]
        if not found:
            new = Alignment(resource_id=version.pk, alignment_type=alignment_type or Alignment.Type.TEACHES)
            new.topic_id = node.id if node.kind == "topic" else None
            new.codifier_element_id = node.id if node.kind == "codifier" else None
            new.sort_order = max((a.sort_order or 0 for a in children), default=-1) + 1
            children.append(new)
            found = [new]
        for alignment in found:
            if alignment.status != Alignment.Status.CONFIRMED:
                alignment.status = Alignment.Status.CONFIRMED
                alignment.confirmed_by = user if getattr(user, "pk", None) else None
                alignment.confirmed_at = now
    version.alignments = children  # type: ignore[assignment]


def _drop(version: Resource, node: Node) -> None:
    version.alignments = [  # type: ignore[assignment]
        a for a in version.alignments.all() if not (node.matches(a) and a.status == Alignment.Status.SUGGESTED)
    ]


def _decide(resource_id: Any, change: Callable[[Resource], None], user: Any, action: str, nodes: list[Node]) -> None:
    """Apply ``change`` to the live row and to the latest version, keep history, tell the feed and the index."""
    with transaction.atomic():
        row = Resource.objects.select_for_update().get(pk=resource_id)
        publish_now = row.live and not row.has_unpublished_changes
        latest = None if publish_now or row.latest_revision_id is None else row.get_latest_revision_as_object()
        source = source_values(row)
        change(row)
        mark_overlaid(row, source, ["alignments"])
        row.save()
        if publish_now:
            revision = row.save_revision(user=_real(user))
            revision.publish(user=_real(user), log_action=True)
        else:
            version = latest or row
            if latest is not None:
                change(latest)
                mark_overlaid(latest, source, ["alignments"])
            revision = version.save_revision(user=_real(user))
            if row.live:
                resources_changed.send(sender=Resource, resource_ids=[row.pk])
        log(instance=row, action=action, user=_real(user), revision=revision, data=_log_data(nodes))


def _reject_engine_suggestion(suggestion: Alignment, node: Node, user: Any) -> None:
    with transaction.atomic():
        Alignment.objects.filter(pk=suggestion.pk).delete()
        resource = suggestion.resource
        Resource.objects.filter(pk=resource.pk).update(updated_at=timezone.now())
        if resource.live:
            resources_changed.send(sender=Resource, resource_ids=[resource.pk])
        log(instance=resource, action="alignment.reject", user=_real(user), data=_log_data([node]))


def _remember_rejection(resource_id: Any, node: Node, user: Any) -> None:
    RejectedSuggestion.objects.update_or_create(
        resource_id=resource_id,
        code=node.code,
        defaults={"rejected_by": _real(user), "rejected_at": timezone.now()},
    )


def _confirmed(resource_id: Any, node: Node) -> Alignment:
    target = {"topic_id": node.id} if node.kind == "topic" else {"codifier_element_id": node.id}
    found = Alignment.objects.filter(resource_id=resource_id, status=Alignment.Status.CONFIRMED, **target).first()
    assert found is not None, "the decision confirmed the node"
    return found


def _real(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _log_data(nodes: list[Node]) -> dict[str, Any]:
    return {"nodes": [{"code": node.code, "title": node.title} for node in nodes]}


def propagate(resource_id: Any) -> None:
    """Suggest again for the near-identical resources of ``resource_id`` (its confirmations are their hints)."""
    suggest_for([resource_id])  # stores the resource's own identity keys if they are missing or stale
    identity = ResourceIdentity.objects.filter(resource_id=resource_id).first()
    if identity is None:
        return
    condition = Q()
    if len(identity.title_key.split()) >= MIN_TITLE_KEY_WORDS:
        condition |= Q(title_key=identity.title_key)
    if identity.series_key and identity.lesson_number is not None:
        neighbours = [identity.lesson_number - 1, identity.lesson_number + 1]
        condition |= Q(series_key=identity.series_key, lesson_number__in=neighbours)
    if not condition:
        return
    ids = list(
        ResourceIdentity.objects.filter(condition)
        .exclude(resource_id=resource_id)
        .values_list("resource_id", flat=True)[:PROPAGATION_LIMIT]
    )
    if ids:
        suggest_for(ids)
