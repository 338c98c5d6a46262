"""Search endpoints of API v1: ``GET /api/v1/search/`` and ``GET /api/v1/search/suggest/``."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content_repo.api.errors import InvalidQueryParameter
from content_repo.api.params import check_query_parameters, str_list

from . import service
from .query import DEFAULT_PAGE_SIZE, FACET_NAMES, FILTER_NAMES, MAX_PAGE_SIZE, InvalidQuery, SearchQuery, SortOrder

MAX_SUGGESTIONS = 20
DEFAULT_SUGGESTIONS = 10
# SearchQuery names the free text «text»; the API calls it «q».
API_PARAMETER = {"text": "q", "filters": "q", "facets": "q"}

FILTER_DESCRIPTIONS = {
    "subject": "код предмета (`math`, `russian`)",
    "grade": "класс, 1–11",
    "level": "уровень образования (`NOO`, `OOO`, `SOO`)",
    "topic": "код темы или раздела программы (раздел включает свои темы)",
    "type": "тип ресурса (`lesson`, `video`, …)",
    "license": "лицензия (`CC-BY-4.0`, …)",
    "access": "условия доступа (`free`, …)",
    "provider": "код поставщика (`resh`, `yaklass`, …)",
    "source": "источник сбора",
    "language": "язык (`ru`, …)",
}


class HighlightSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, help_text="название, HTML: текст экранирован, совпадения в <mark>")
    description = serializers.CharField(required=False, help_text="фрагмент описания, HTML с <mark>")


class ProviderSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SearchResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    external_id = serializers.CharField()
    subjects = serializers.ListField(child=serializers.CharField())
    grades = serializers.ListField(child=serializers.IntegerField())
    levels = serializers.ListField(child=serializers.CharField())
    topics = serializers.ListField(child=serializers.CharField(), help_text="коды тем и их разделов")
    resource_type = serializers.CharField()
    license = serializers.CharField()
    access = serializers.CharField()
    language = serializers.CharField()
    provider = ProviderSerializer()
    published_at = serializers.DateTimeField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    highlight = HighlightSerializer()


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class QueryEchoSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="запрос, как он был задан")
    corrected = serializers.CharField(allow_null=True, help_text="запрос в исправленной раскладке, если искали по нему")


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SearchResultSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True), help_text="фасет → значения с числом")
    query = QueryEchoSerializer()
    next = serializers.URLField(allow_null=True)
    backend = serializers.CharField(help_text="бэкенд, который ответил")
    fallback = serializers.BooleanField(help_text="true, если основной бэкенд недоступен и ответил запасной")


class SuggestResponseSerializer(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.CharField())


SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="текст запроса («дроби 5 класс», «ЕГЭ по русскому»)"),
    *[
        OpenApiParameter(name, OpenApiTypes.STR, many=True, explode=True, description=description + "; ИЛИ")
        for name, description in FILTER_DESCRIPTIONS.items()
    ],
    OpenApiParameter("sort", OpenApiTypes.STR, enum=[order.value for order in SortOrder]),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=f"1–{MAX_PAGE_SIZE}, по умолчанию {DEFAULT_PAGE_SIZE}"),
    OpenApiParameter("cursor", OpenApiTypes.STR, description="курсор из поля `next`"),
]


class SearchView(APIView):
    """Full-text search over published resources with filters, multi-select facets and cursor paging."""

    allowed_parameters = frozenset({"q", "sort", *FILTER_NAMES})

    @extend_schema(operation_id="search", parameters=SEARCH_PARAMETERS, responses=SearchResponseSerializer)
    def get(self, request: Request) -> Response:
        check_query_parameters(request, self.allowed_parameters)
        query = self.parse(request)
        results = service.search(query)
        return Response(
            {
                "count": results.total,
                "results": [result_json(hit.id, hit.score, hit.document, hit.highlight) for hit in results.hits],
                "facets": {
                    name: [{"value": f.value, "label": f.label, "count": f.count} for f in values]
                    for name, values in results.facets.items()
                },
                "query": {"text": results.query_text, "corrected": results.corrected_text},
                "next": self.next_link(request, results.next_cursor),
                "backend": results.backend,
                "fallback": results.fallback,
            }
        )

    @staticmethod
    def parse(request: Request) -> SearchQuery:
        params = request.query_params
        filters = {name: tuple(str_list(request, name)) for name in FILTER_NAMES if str_list(request, name)}
        try:
            return SearchQuery(
                text=params.get("q", ""),
                filters=filters,
                sort=cast(SortOrder, params.get("sort") or SortOrder.RELEVANCE),
                page_size=_page_size(params.get("page_size")),
                cursor=params.get("cursor") or None,
                facets=FACET_NAMES,
                highlight=True,
            )
        except InvalidQuery as e:
            raise InvalidQueryParameter(API_PARAMETER.get(e.param, e.param), e.message) from e

    @staticmethod
    def next_link(request: Request, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        params = request.query_params.copy()
        params["cursor"] = cursor
        return request.build_absolute_uri(request.path + "?" + params.urlencode())


class SuggestView(APIView):
    """Completions for a query being typed: resource titles, then curriculum topic names."""

    @extend_schema(
        operation_id="search_suggest",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="набранный текст"),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1–{MAX_SUGGESTIONS}"),
        ],
        responses=SuggestResponseSerializer,
    )
    def get(self, request: Request) -> Response:
        check_query_parameters(request, {"q", "limit"})
        text = request.query_params.get("q", "")
        if len(text) > 100:
            raise InvalidQueryParameter("q", "не длиннее 100 символов")
        limit = _bounded_int("limit", request.query_params.get("limit"), DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS)
        return Response({"suggestions": service.suggest(text, limit) if text.strip() else []})


def result_json(doc_id: str, score: float | None, document: dict[str, Any] | Any, highlight: Any) -> dict[str, Any]:
    """One hit as the API shows it (the indexed document, reshaped)."""
    fields = ("title", "description", "url", "source", "external_id", "resource_type", "license", "access", "language")
    body: dict[str, Any] = {"id": doc_id, **{name: document.get(name) or "" for name in fields}}
    body.update(
        subjects=list(document.get("subjects") or []),
        grades=list(document.get("grades") or []),
        levels=list(document.get("levels") or []),
        topics=list(document.get("topics") or []),
        provider={"code": document.get("provider") or "", "name": document.get("provider_name") or ""},
        published_at=document.get("published_at"),
        score=score,
        highlight=dict(highlight),
    )
    return body


def _page_size(raw: str | None) -> int:
    return _bounded_int("page_size", raw, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _bounded_int(name: str, raw: str | None, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as e:
        raise InvalidQueryParameter(name, f"ожидается целое число от 1 до {maximum}, получено {raw!r}") from e
    if not 1 <= value <= maximum:
        raise InvalidQueryParameter(name, f"допустимо от 1 до {maximum}, получено {value}")
    return value
