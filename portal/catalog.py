"""The portal's only way to the catalog: the public API's own services, answering with the API's JSON.

Each function stands for one endpoint of API v1 and returns exactly what that endpoint returns (the same
queryset of published data, the same serializer, the same search service), as plain dicts and lists. The
pages are rendered from these, so everything on the site can be built by any other front end over HTTP:
replace a call here by a ``GET`` of the named endpoint and the templates do not change (docs/portal.md).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, QueryDict
from rest_framework.request import Request

from content_repo.api import jsonld, serializers
from content_repo.api.views.read import published_collections, published_resources
from content_repo.curriculum.models import Subject, Topic
from search import service
from search.api import SearchView, search_response

# The API's page of curriculum topics is 100 long; the browser reads a whole grade, as a client would by
# following ``next``.
TOPICS_OF_A_GRADE = 1000


def search(request: HttpRequest, params: QueryDict | None = None) -> dict[str, Any]:
    """``GET /api/v1/search/?…`` with the request's parameters (or ``params``).

    Raises ``content_repo.api.errors.InvalidQueryParameter`` for a parameter the API refuses (a 400 there).
    """
    if params is not None:
        request = _with_query(request, params)
    query = SearchView.parse(Request(request))
    results = service.search(query)
    response = search_response(results, None)
    response["next_cursor"] = results.next_cursor
    return response


def suggest(text: str, limit: int = 8) -> list[str]:
    """``GET /api/v1/search/suggest/?q=…&limit=…``: the ``suggestions`` list."""
    return service.suggest(text, limit) if text.strip() else []


def resource(pk: str) -> dict[str, Any] | None:
    """``GET /api/v1/resources/{id}``; ``None`` where the API answers 404 (unknown or not published)."""
    found = published_resources().filter(pk=pk).first()
    return dict(serializers.ResourceSerializer(found).data) if found is not None else None


def resources(ids: list[str]) -> dict[str, dict[str, Any]]:
    """``GET /api/v1/resources/{id}`` for each of ``ids`` (published ones only), by id."""
    found = published_resources().filter(pk__in=ids)
    return {str(item["id"]): dict(item) for item in serializers.ResourceSerializer(found, many=True).data}


def resource_jsonld(pk: str) -> dict[str, Any] | None:
    """``GET /api/v1/resources/{id}?format=jsonld``: the schema.org LearningResource document."""
    found = published_resources().filter(pk=pk).first()
    return jsonld.document(jsonld.resource_node(found)) if found is not None else None


def subjects() -> list[dict[str, Any]]:
    """``GET /api/v1/curriculum/subjects/`` (every page), ordered by code as the API pages them."""
    queryset = Subject.objects.prefetch_related("levels").order_by("code")
    return [dict(item) for item in serializers.SubjectSerializer(queryset, many=True).data]


def subject(code: str) -> dict[str, Any] | None:
    """``GET /api/v1/curriculum/subjects/{code}``."""
    found = Subject.objects.prefetch_related("levels").filter(code=code).first()
    return dict(serializers.SubjectSerializer(found).data) if found is not None else None


def topics(subject_code: str, grade: int) -> list[dict[str, Any]]:
    """``GET /api/v1/curriculum/topics/?subject=…&grade=…`` (every page), in the API's order."""
    queryset = Topic.objects.select_related("subject", "level", "parent").filter(
        subject__code=subject_code, grade_id=grade
    )
    return [
        dict(item) for item in serializers.TopicSerializer(queryset.order_by("id")[:TOPICS_OF_A_GRADE], many=True).data
    ]


def topic(code: str) -> dict[str, Any] | None:
    """``GET /api/v1/curriculum/topics/{code}``."""
    found = Topic.objects.select_related("subject", "level", "parent").filter(code=code).first()
    return dict(serializers.TopicSerializer(found).data) if found is not None else None


def collections() -> list[dict[str, Any]]:
    """``GET /api/v1/collections/`` (every page): published collections, with their published items."""
    return [dict(item) for item in serializers.CollectionSerializer(published_collections(), many=True).data]


def collection(slug: str) -> dict[str, Any] | None:
    """``GET /api/v1/collections/{slug}``."""
    found = published_collections().filter(slug=slug).first()
    return dict(serializers.CollectionSerializer(found).data) if found is not None else None


def _with_query(request: HttpRequest, params: QueryDict) -> HttpRequest:
    """A copy of ``request`` asking with ``params`` instead of its own query string."""
    copy = HttpRequest()
    copy.method = "GET"
    copy.path = request.path
    copy.META = request.META
    copy.GET = params
    return copy
