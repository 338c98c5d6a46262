"""Object-level rules for resources: a vendor acts only on its own organisation's resources."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from content_repo.publishers.models import organizations_of


def is_restricted_to_own_organization(user) -> bool:
    """Vendors' staff (no review right) see and edit only what their organisations provide."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return False
    return not user.has_perm("resources.review_resource")


class ResourcePermissionPolicy(ModelPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if not self.user_has_permission(user, action):
            return False
        if is_restricted_to_own_organization(user):
            return instance.provider_id is not None and instance.provider_id in _org_ids(user)
        return True

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        queryset = super().instances_user_has_any_permission_for(user, actions)
        if is_restricted_to_own_organization(user):
            queryset = queryset.filter(provider_id__in=_org_ids(user))
        return queryset


def _org_ids(user) -> set[int]:
    cached = getattr(user, "_catalog_org_ids", None)
    if cached is None:
        cached = set(organizations_of(user).values_list("pk", flat=True))
        user._catalog_org_ids = cached
    return cached
