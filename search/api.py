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
from content_repo.api.params import (
    CODE_PATTERN,
    MAX_VALUE_LENGTH,
    check_query_parameters,
    choice,
    int_list,
    integer,
    str_list,
)

from . import service
from .query import (
    DEFAULT_PAGE_SIZE,
    FACET_NAMES,
    FILTER_NAMES,
    MAX_FILTER_VALUE_LENGTH,
    MAX_FILTER_VALUES,
    MAX_PAGE_SIZE,
    MAX_TEXT_LENGTH,
    InvalidQuery,
    SearchQuery,
    SearchResults,
    SortOrder,
)

MAX_SUGGESTIONS = 20
DEFAULT_SUGGESTIONS = 10
MAX_SUGGEST_TEXT_LENGTH = 100
# Facets reported under the public name: with `alignment=confirmed` the topic facet counts confirmed ones.
PUBLIC_FACET = {"confirmed_topic": "topic"}
# SearchQuery names the free text «text»; the API calls it «q».
API_PARAMETER = {"text": "q", "filters": "q", "facets": "q"}

# `alignment=confirmed|any`: which alignments `topic` and the topic facet go by (search/query.py keeps the
# confirmed ones as the internal filter `confirmed_topic`). Not a filter of its own in the API.
ALIGNMENT_MODES = ("any", "confirmed")
INTERNAL_FILTERS = frozenset({"alignment", "confirmed_topic"})
PUBLIC_FILTERS = tuple(name for name in FILTER_NAMES if name not in INTERNAL_FILTERS)

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
    confirmed_topics = serializers.ListField(
        child=serializers.CharField(), help_text="коды тем, привязку к которым подтвердил методист, и их разделов"
    )
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


class RecognisedSerializer(serializers.Serializer):
    grades = serializers.ListField(child=serializers.IntegerField(), help_text="классы, названные в запросе")
    subjects = serializers.ListField(child=serializers.CharField(), help_text="коды предметов, названных в запросе")
    exam = serializers.CharField(allow_null=True, help_text="экзамен: `EGE`, `OGE`, `VPR`")
    assessment = serializers.BooleanField(help_text="в запросе просят тест или контрольную")


class QueryEchoSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="запрос, как он был задан")
    corrected = serializers.CharField(
        allow_null=True,
        help_text="запрос, по которому показаны результаты, если он другой: исправлена раскладка или опечатки",
    )
    relaxed = serializers.BooleanField(help_text="true, если ни один ресурс не содержит всех слов и найдены части")
    unmatched = serializers.ListField(
        child=serializers.CharField(), help_text="слова запроса, которых нет в показанных результатах («впр»)"
    )
    recognised = RecognisedSerializer(help_text="что понято в запросе: поднимает подходящие ресурсы, не фильтрует")


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


def _filter_parameter(name: str, description: str) -> OpenApiParameter:
    item: dict[str, Any] = {
        "type": "string",
        "pattern": CODE_PATTERN,
        "minLength": 1,
        "maxLength": MAX_FILTER_VALUE_LENGTH,
    }
    if name == "grade":
        item = {"type": "integer", "minimum": 1, "maximum": 11}
    schema = {"type": "array", "items": item, "maxItems": MAX_FILTER_VALUES}
    return OpenApiParameter(name, schema, style="form", explode=True, description=description + "; ИЛИ")


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": MAX_TEXT_LENGTH},
        description="текст запроса («дроби 5 класс», «ЕГЭ по русскому»)",
    ),
    *[_filter_parameter(name, description) for name, description in FILTER_DESCRIPTIONS.items()],
    OpenApiParameter(
        "alignment",
        OpenApiTypes.STR,
        enum=list(ALIGNMENT_MODES),
        default="any",
        description="какие привязки к программе учитывают `topic` и фасет тем: `any` — подтверждённые методистом и "
        "предложенные автоматически, `confirmed` — только подтверждённые (без `topic` — только ресурсы с "
        "подтверждённой привязкой); фасет `alignment` считает ресурсы с подтверждёнными и с предложенными привязками",
    ),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=[order.value for order in SortOrder]),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
        description=f"1–{MAX_PAGE_SIZE}, по умолчанию {DEFAULT_PAGE_SIZE}",
    ),
    OpenApiParameter(
        "cursor", {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH}, description="курсор из поля `next`"
    ),
]


class SearchView(APIView):
    """Full-text search over published resources with filters, multi-select facets and cursor paging."""

    allowed_parameters = frozenset({"q", "sort", "alignment", *PUBLIC_FILTERS})

    @extend_schema(operation_id="search", parameters=SEARCH_PARAMETERS, responses=SearchResponseSerializer)
    def get(self, request: Request) -> Response:
        check_query_parameters(request, self.allowed_parameters)
        query = self.parse(request)
        results = service.search(query)
        return Response(search_response(results, self.next_link(request, results.next_cursor)))

    @staticmethod
    def parse(request: Request) -> SearchQuery:
        params = request.query_params
        text = params.get("q", "")
        if len(text) > MAX_TEXT_LENGTH:
            raise InvalidQueryParameter("q", f"не длиннее {MAX_TEXT_LENGTH} символов")
        filters = {name: tuple(_filter_values(request, name)) for name in PUBLIC_FILTERS}
        filters = {name: values for name, values in filters.items() if values}
        facets = [name for name in FACET_NAMES if name != "confirmed_topic"]
        if choice(request, "alignment", ALIGNMENT_MODES, default="any") == "confirmed":
            filters["alignment"] = ("confirmed",)
            if "topic" in filters:
                filters["confirmed_topic"] = filters.pop("topic")
            facets = ["confirmed_topic" if name == "topic" else name for name in facets]
        try:
            return SearchQuery(
                text=text,
                filters=filters,
                sort=cast(SortOrder, params.get("sort") or SortOrder.RELEVANCE),
                page_size=integer(request, "page_size", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE),
                cursor=params.get("cursor") or None,
                facets=tuple(facets),
                highlight=True,
            )
        except InvalidQuery as e:
            param = {"confirmed_topic": "topic"}.get(e.param, e.param)
            raise InvalidQueryParameter(API_PARAMETER.get(param, param), e.message) from e

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
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_SUGGEST_TEXT_LENGTH},
                description="набранный текст (без него — пустой список)",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_SUGGESTIONS, "default": DEFAULT_SUGGESTIONS},
                description=f"1–{MAX_SUGGESTIONS}, по умолчанию {DEFAULT_SUGGESTIONS}",
            ),
        ],
        responses=SuggestResponseSerializer,
    )
    def get(self, request: Request) -> Response:
        check_query_parameters(request, {"q", "limit"})
        text = request.query_params.get("q", "")
        if len(text) > MAX_SUGGEST_TEXT_LENGTH:
            raise InvalidQueryParameter("q", f"не длиннее {MAX_SUGGEST_TEXT_LENGTH} символов")
        limit = integer(request, "limit", default=DEFAULT_SUGGESTIONS, minimum=1, maximum=MAX_SUGGESTIONS)
        return Response({"suggestions": service.suggest(text, limit) if text.strip() else []})


def search_response(results: SearchResults, next_link: str | None) -> dict[str, Any]:
    """The body of ``GET /api/v1/search/`` (documented by :class:`SearchResponseSerializer`)."""
    return {
        "count": results.total,
        "results": [result_json(hit.id, hit.score, hit.document, hit.highlight) for hit in results.hits],
        "facets": {
            PUBLIC_FACET.get(name, name): [{"value": f.value, "label": f.label, "count": f.count} for f in values]
            for name, values in results.facets.items()
        },
        "query": {
            "text": results.query_text,
            "corrected": results.corrected_text,
            "relaxed": results.relaxed,
            "unmatched": list(results.unmatched),
            "recognised": {"grades": [], "subjects": [], "exam": None, "assessment": False} | dict(results.recognised),
        },
        "next": next_link,
        "backend": results.backend,
        "fallback": results.fallback,
    }


def result_json(doc_id: str, score: float | None, document: dict[str, Any] | Any, highlight: Any) -> dict[str, Any]:
    """One hit as the API shows it (the indexed document, reshaped)."""
    fields = ("title", "description", "url", "source", "external_id", "resource_type", "license", "access", "language")
    body: dict[str, Any] = {"id": doc_id, **{name: document.get(name) or "" for name in fields}}
    body.update(
        subjects=list(document.get("subjects") or []),
        grades=list(document.get("grades") or []),
        levels=list(document.get("levels") or []),
        topics=list(document.get("topics") or []),
        confirmed_topics=list(document.get("confirmed_topics") or []),
        provider={"code": document.get("provider") or "", "name": document.get("provider_name") or ""},
        published_at=document.get("published_at"),
        score=score,
        highlight=dict(highlight),
    )
    return body


def _filter_values(request: Request, name: str) -> list[str]:
    """A filter's values, read by the API's typed readers (grades as ASCII integers 1–11)."""
    if name == "grade":
        return [str(grade) for grade in int_list(request, name, minimum=1, maximum=11)]
    return str_list(request, name)
