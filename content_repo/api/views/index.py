"""`GET /api/v1/`: the index of the API's entry points (and of the open protocols beside it)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .base import ConditionalGetMixin, DeclaredParametersMixin

# Entry points by name: (URL name, description). Templated addresses are written out.
ENTRY_POINTS = [
    ("resources", "api:resource-list", "опубликованные ресурсы; приём ресурсов поставщиков"),
    ("search", "api:search", "поиск по каталогу"),
    ("changes", "api:changes", "лента изменений (курсор since)"),
    ("frameworks", "api:framework-list", "нормативные документы и программы"),
    ("subjects", "api:subject-list", "предметы"),
    ("topics", "api:topic-list", "темы программы"),
    ("codifier_elements", "api:codifier-element-list", "элементы кодификаторов ФИПИ"),
    ("organizations", "api:organization-list", "организации"),
    ("collections", "api:collection-list", "подборки"),
    ("submissions", "api:submission-list", "заявки поставщика"),
    ("webhooks", "api:webhook-list", "подписки на уведомления"),
    ("dumps", "exchange:dumps", "выгрузки каталога целиком (JSON Lines, JSON-LD)"),
    ("schema", "api:schema", "схема OpenAPI"),
    ("docs", "api:docs", "документация (Swagger UI)"),
    ("oai_pmh", "exchange:oai", "OAI-PMH 2.0 (oai_dc, lom)"),
]


class ApiIndex(ConditionalGetMixin, DeclaredParametersMixin, APIView):
    """Where everything is: each entry point's address and what it is for."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Список адресов API")
    def get(self, request):
        links = {
            name: {"href": request.build_absolute_uri(reverse(url_name)), "title": title}
            for name, url_name, title in ENTRY_POINTS
        }
        links["case"] = {
            "href": request.build_absolute_uri("/api/v1/curriculum/case/") + "{framework}/",
            "title": "программа в формате IMS CASE 1.1 (framework — код из frameworks)",
        }
        return Response({"title": "Каталог образовательных ресурсов — API v1", "version": "v1", "links": links})
