"""The change feed: `GET /api/v1/changes/?since=<cursor>`, in commit order, tombstones included."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import inputs
from ..errors import InvalidQueryParameter
from ..models import Change
from .base import ConditionalGetMixin, DeclaredParametersMixin


class ChangeFeed(ConditionalGetMixin, DeclaredParametersMixin, APIView):
    """Every publish, update, withdrawal and deletion of a resource after `since`, oldest first.

    Replay the entries in order: `published`/`updated` carry the resource as `/resources/{id}/` showed it,
    `withdrawn`/`deleted` are tombstones (`resource: null`). Keep `cursor` and poll with `?since=<cursor>`.
    """

    extra_parameters = frozenset({"since"})

    @extend_schema(
        parameters=[
            OpenApiParameter("since", int, description="курсор: номер последней полученной записи (0 — с начала)"),
            OpenApiParameter("page_size", int, description="1–1000, по умолчанию 100"),
        ],
        responses={200: inputs.ChangePageSerializer},
        summary="Лента изменений каталога",
    )
    def get(self, request):
        since = _non_negative_int(request, "since", 0)
        size = _page_size(request)
        entries = list(Change.objects.filter(seq__gt=since).order_by("seq")[: size + 1])
        page, more = entries[:size], len(entries) > size
        cursor = page[-1].seq if page else since
        next_link = None
        if more:
            next_link = request.build_absolute_uri(f"{request.path}?since={cursor}&page_size={size}")
        if page:
            self.last_modified = page[-1].at
        return Response({"results": inputs.ChangeSerializer(page, many=True).data, "next": next_link, "cursor": cursor})


def _non_negative_int(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise InvalidQueryParameter(name, f"ожидается неотрицательное целое число, получено {raw!r}")
    return int(raw)


def _page_size(request) -> int:
    size = _non_negative_int(request, "page_size", 100)
    if not 1 <= size <= 1000:
        raise InvalidQueryParameter("page_size", f"допустимо от 1 до 1000, получено {size}")
    return size
