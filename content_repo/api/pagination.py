"""Cursor pagination shared by every list endpoint: `{"results": [...], "next": ...}`.

Cursors are signed (django.core.signing) for their list and ordering: a client can only hand back a cursor
this server wrote for that list, so a forged, garbled or borrowed one is a 400 naming `cursor`, never a
position the database would choke on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core import signing
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .errors import InvalidQueryParameter
from .params import MAX_VALUE_LENGTH, integer

CURSOR_SALT = "content_repo.api.pagination.cursor"
INVALID_CURSOR = "курсор повреждён или устарел; начните с первой страницы"


class CatalogCursorPagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-id"

    def get_page_size(self, request):
        name = self.page_size_query_param
        return integer(request, name, default=self.page_size, minimum=1, maximum=self.max_page_size)

    def encode_cursor(self, cursor: Cursor) -> str:
        token = signing.dumps([cursor.offset, cursor.reverse, cursor.position], salt=self._salt(), compress=True)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def decode_cursor(self, request) -> Cursor | None:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            offset, reverse, position = signing.loads(token, salt=self._salt())
        except (signing.BadSignature, ValueError, TypeError) as e:
            raise InvalidQueryParameter(self.cursor_query_param, INVALID_CURSOR) from e
        if not _is_offset(offset, self.offset_cutoff) or not isinstance(reverse, bool):
            raise InvalidQueryParameter(self.cursor_query_param, INVALID_CURSOR)
        if position is not None and not isinstance(position, str):
            raise InvalidQueryParameter(self.cursor_query_param, INVALID_CURSOR)
        return Cursor(offset=offset, reverse=reverse, position=position)

    def _salt(self) -> str:
        # A cursor belongs to one list and its ordering: another list's position would not fit its field.
        return f"{CURSOR_SALT}:{urlsplit(self.base_url).path}:{','.join(self.ordering)}"

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

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "курсор из поля `next` предыдущей страницы",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"число записей на странице, 1–{self.max_page_size} (по умолчанию {self.page_size})",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
            },
        ]


def _is_offset(value: object, cutoff: int) -> bool:
    return type(value) is int and 0 <= value <= cutoff


def ordered_by(*ordering: str) -> type[CatalogCursorPagination]:
    """A cursor paginator over a stable ordering (the first field positions the cursor)."""
    return type("OrderedCursorPagination", (CatalogCursorPagination,), {"ordering": ordering})
