"""Scope permissions: a key may do what its scopes name; anonymous requests only read."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from .models import ApiKey


def api_key_of(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


class HasScope(BasePermission):
    """Without a key: 401 (the authenticator's challenge); a key without the scope: 403."""

    scope: str = ""

    @property
    def message(self) -> str:
        return f"Ключу не выдано право «{self.scope}»"

    def has_permission(self, request, view) -> bool:
        key = api_key_of(request)
        return key is not None and key.has_scope(self.scope)


class CanPublish(HasScope):
    scope = ApiKey.Scope.PUBLISH


class CanReview(HasScope):
    scope = ApiKey.Scope.REVIEW
