"""The change feed: `GET /api/v1/changes/?since=<cursor>`, in commit order, tombstones included."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import inputs
from ..models import Change
from ..params import MAX_INTEGER, integer
from .base import ConditionalGetMixin, DeclaredParametersMixin

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class ChangeFeed(ConditionalGetMixin, DeclaredParametersMixin, APIView):
    """Every publish, update, withdrawal and deletion of a resource after `since`, oldest first.

    Replay the entries in order: `published`/`updated` carry the resource as `/resources/{id}/` showed it,
    `withdrawn`/`deleted` are tombstones (`resource: null`). Keep `cursor` and poll with `?since=<cursor>`.
    """

    extra_parameters = frozenset({"since"})

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
                description="курсор: номер последней полученной записи (0 — с начала)",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
                description=f"1–{MAX_PAGE_SIZE}, по умолчанию {DEFAULT_PAGE_SIZE}",
            ),
        ],
        responses={200: inputs.ChangePageSerializer},
        summary="Лента изменений каталога",
    )
    def get(self, request):
        since = integer(request, "since", default=0)
        size = integer(request, "page_size", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)
        entries = list(Change.objects.filter(seq__gt=since).order_by("seq")[: size + 1])
        page, more = entries[:size], len(entries) > size
        cursor = page[-1].seq if page else since
        next_link = None
        if more:
            next_link = request.build_absolute_uri(f"{request.path}?since={cursor}&page_size={size}")
        if page:
            self.last_modified = page[-1].at
        return Response({"results": inputs.ChangeSerializer(page, many=True).data, "next": next_link, "cursor": cursor})
