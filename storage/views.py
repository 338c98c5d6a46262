"""The file download views (``/files/<upload id>/<name>`` and ``/files/<id>/<name>``); the rules live in
``storage.serving``."""

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
from storage.models import StoredFile, Upload
from storage.serving import file_response, upload_visible_to, visible_to


class AnyAccept(BaseContentNegotiation):
    """A download answers with the file whatever ``Accept`` says; errors are problem+json."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return (renderers[0], renderers[0].media_type)


class DownloadView(APIView):
    """Base of the download views: an API key or an admin session; errors are problem+json."""

    content_negotiation_class = AnyAccept
    permission_classes: list[Any] = []

    def get_authenticators(self) -> list[Any]:
        return [*access.key_authenticators(), SessionAuthentication()]


class UploadDownloadView(DownloadView):
    """A file through an upload (the API's address): public once attached to a published resource, before
    that only to the upload's organisation, its uploader and editors. Anything else is a 404."""

    @extend_schema(exclude=True)
    def get(self, request: Request, upload_id: str, name: str = "") -> HttpResponseBase:
        upload = get_object_or_404(Upload.objects.select_related("stored_file"), pk=upload_id)
        if not upload_visible_to(upload, organization=access.organization_of(request), user=request.user):
            raise Http404  # like a missing file: existence is not disclosed
        assert upload.stored_file is not None
        return file_response(upload.stored_file, upload.original_name)


class FileDownloadView(DownloadView):
    """A file by its row id (the admin's address): public once attached to a published resource, before that
    only to editors and the staff of organisations that uploaded or attached it; never to an API key."""

    @extend_schema(exclude=True)
    def get(self, request: Request, pk: int, name: str = "") -> HttpResponseBase:
        stored = get_object_or_404(StoredFile, pk=pk)
        user = None if access.organization_of(request) is not None else request.user
        if not visible_to(stored, user=user):
            raise Http404  # like a missing file: existence is not disclosed
        return file_response(stored)
