"""Who calls the upload and download endpoints: the API keys of ``content_repo.api``.

Uploads need a key with the ``publish`` scope (anonymous: 401, a key without the scope: 403, both
problem+json); what a key uploads is recorded for the key's organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.request import Request
from rest_framework.views import APIView

from content_repo.api.authentication import ApiKeyAuthentication
from content_repo.api.permissions import CanPublish, api_key_of

if TYPE_CHECKING:
    from content_repo.publishers.models import Organization


class PublishKeyView(APIView):
    """Base of the upload views: Bearer API key with the ``publish`` scope."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [CanPublish]


def key_authenticators() -> list[Any]:
    """Authenticators that recognise an API key (for views that also accept other callers)."""
    return [ApiKeyAuthentication()]


def organization_of(request: Request) -> Organization | None:
    """The organisation of the API key that authenticated ``request`` (None without a key)."""
    key = api_key_of(request)
    return key.organization if key is not None else None
