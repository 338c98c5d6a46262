"""The file download view (``/files/<id>/<name>``); the rules live in ``storage.serving``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from storage import access
from storage.models import StoredFile
from storage.serving import file_response, visible_to


class AnyAccept(BaseContentNegotiation):
    """A download answers with the file whatever ``Accept`` says; errors are problem+json."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return (renderers[0], renderers[0].media_type)


class FileDownloadView(APIView):
    """Anyone may download a file attached to a published resource; an unpublished one only its uploaders and
    editors (an API key of the organisation, or a signed-in admin user). Anything else is a 404."""

    content_negotiation_class = AnyAccept
    permission_classes: list[Any] = []

    def get_authenticators(self) -> list[Any]:
        return [*access.key_authenticators(), SessionAuthentication()]

    @extend_schema(exclude=True)
    def get(self, request: Request, pk: int, name: str = "") -> HttpResponseBase:
        stored = get_object_or_404(StoredFile, pk=pk)
        if not visible_to(stored, organization=access.organization_of(request), user=request.user):
            raise Http404  # like a missing file: existence is not disclosed
        return file_response(stored)
