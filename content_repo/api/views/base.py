"""What every API view shares: declared query parameters, conditional GET, JSON and JSON-LD."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import jsonld
from ..params import FORMATS, check_query_parameters
from ..renderers import JSONLDRenderer, wants_jsonld


class DeclaredParametersMixin:
    """Rejects query parameters the endpoint does not declare (a typo is a 400, not a silent no-op)."""

    extra_parameters: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):  # type: ignore[attr-defined]
            raise MethodNotAllowed(request.method)  # before authentication: a wrong method is a 405 for anyone
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        allowed: set[str] = set(self.extra_parameters)
        if getattr(self, "action_is_list", True):
            for backend in getattr(self, "filter_backends", []):
                allowed |= set(getattr(backend, "parameters", {}))
        own_formats = (renderer.format for renderer in getattr(self, "renderer_classes", []))
        check_query_parameters(request, allowed, tuple(dict.fromkeys([*FORMATS, *own_formats])))


class ConditionalGetMixin:
    """`ETag` (a hash of the body as served) on every successful GET, `Last-Modified` where the view knows
    it, and `304 Not Modified` for a matching `If-None-Match` / `If-Modified-Since`."""

    last_modified: datetime | None = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or not isinstance(response, Response):
            return response
        response.render()
        set_response_etag(response)
        timestamp = None
        if self.last_modified is not None:
            timestamp = int(self.last_modified.timestamp())
            response.headers["Last-Modified"] = http_date(timestamp)
        return get_conditional_response(
            request._request if hasattr(request, "_request") else request,
            etag=response.headers["ETag"],
            last_modified=timestamp,
            response=response,
        )


class JsonLdMixin:
    """Views whose objects have a schema.org form answer `Accept: application/ld+json` / `?format=jsonld`."""

    jsonld_node: Callable[[Any], dict[str, Any]]
    renderer_classes = [JSONRenderer, JSONLDRenderer]

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()  # type: ignore[attr-defined]
        if wants_jsonld(request):
            return Response(jsonld.document(type(self).jsonld_node(instance)))
        return Response(self.get_serializer(instance).data)  # type: ignore[attr-defined]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        if wants_jsonld(request):
            nodes = [type(self).jsonld_node(item) for item in page]
            next_link = self.paginator.get_next_link()  # type: ignore[attr-defined]
            headers = {"Link": f'<{next_link}>; rel="next"'} if next_link else None
            return Response(jsonld.graph(nodes), headers=headers)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)  # type: ignore[attr-defined]


class ReadView(ConditionalGetMixin, DeclaredParametersMixin):
    """Base of the read endpoints: conditional GET and declared parameters."""

    def get_object(self):
        instance = super().get_object()  # type: ignore[misc]
        self.last_modified = getattr(instance, "updated_at", None)
        return instance


class UnknownEndpoint(APIView):
    """Any other address under /api/v1/: a problem+json 404 instead of Django's HTML page."""

    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound("Нет такого адреса API; список адресов — /api/v1/docs/")
