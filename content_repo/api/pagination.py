"""Cursor pagination shared by every list endpoint: `{"results": [...], "next": ...}`."""

from __future__ import annotations

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from .errors import InvalidQueryParameter


class CatalogCursorPagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-id"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError as e:
            raise InvalidQueryParameter("page_size", f"ожидается целое число от 1 до 100, получено {raw!r}") from e
        if not 1 <= size <= self.max_page_size:
            raise InvalidQueryParameter("page_size", f"допустимо от 1 до {self.max_page_size}, получено {size}")
        return size

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as e:
            raise InvalidQueryParameter("cursor", "курсор повреждён или устарел; начните с первой страницы") from e

    def get_paginated_response(self, data):
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "nullable": True, "format": "uri"},
            },
        }


def ordered_by(*ordering: str) -> type[CatalogCursorPagination]:
    """A cursor paginator over a stable ordering (the first field positions the cursor)."""
    return type("OrderedCursorPagination", (CatalogCursorPagination,), {"ordering": ordering})
