"""Response formats: JSON, JSON-LD (schema.org), and content negotiation that names a bad `format`."""

from __future__ import annotations

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer

from .errors import InvalidQueryParameter


class JSONLDRenderer(JSONRenderer):
    """`Accept: application/ld+json` or `?format=jsonld`: the view returns a JSON-LD document."""

    media_type = "application/ld+json"
    format = "jsonld"


class CatalogContentNegotiation(DefaultContentNegotiation):
    """An unsupported `?format=` is a 400 naming the parameter (DRF would answer 404)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404 as e:
            formats = ", ".join(r.format for r in renderers)
            raise InvalidQueryParameter(self.settings.URL_FORMAT_OVERRIDE, f"допустимые форматы: {formats}") from e


def wants_jsonld(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return isinstance(renderer, JSONLDRenderer)
