"""Pages of the teachers' site. Each view reads its parameters, asks :mod:`portal.catalog` (the public API's
services) and renders a template; what the pages show is assembled in :mod:`portal.search_page`,
:mod:`portal.curriculum` and :mod:`portal.presenters`."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from content_repo.api.errors import InvalidQueryParameter

from . import catalog, curriculum, presenters, search_page

EXAMPLE_QUERIES = ("дроби 5 класс", "впр математика 4 класс", "таблица умножения", "теорема пифагора", "кпд")
RECENT_COLLECTIONS = 6
RELATED = 6
SUGGESTIONS = 8


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    everything = catalog.search(request, QueryDict("page_size=1"))
    collections = sorted(catalog.collections(), key=lambda item: item["updated_at"], reverse=True)
    context = {
        "levels": curriculum.subjects_by_level(catalog.subjects(), _subjects_by_level(request)),
        "total": everything["count"],
        "collections": collections[:RECENT_COLLECTIONS],
        "examples": EXAMPLE_QUERIES,
    }
    return render(request, "portal/home.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    params = search_page.page_params(request.GET)
    problem = None
    try:
        response = catalog.search(request, params)
    except InvalidQueryParameter as e:
        problem = f"Параметр «{e.parameter}» не подошёл и не учтён: {_first_message(e)}"
        params.pop(e.parameter, None)
        params.pop("cursor", None)
        params.pop("p", None)
        response = catalog.search(request, params)
    subjects = {item["value"]: item["label"] for item in response["facets"].get("subject", [])}
    subjects |= {item["code"]: item["title"] for item in catalog.subjects() if item["code"] not in subjects}
    labels = {name: {item["value"]: item["label"] for item in values} for name, values in response["facets"].items()}
    groups = search_page.facet_groups(response, params)
    _label_missing_choices(request, groups)
    page = int(params.get("p", "1")) if params.get("p", "1").isdigit() else 1
    context = {
        "q": params.get("q", ""),
        "params": params,
        "response": response,
        "hits": [curriculum.hit_card(hit, labels) for hit in response["results"]],
        "groups": groups,
        "active": search_page.active_filters(groups),
        "notices": search_page.notices(response, params, subjects),
        "problem": problem,
        "sorts": search_page.SORTS,
        "sort": params.get("sort", "relevance"),
        "page": page,
        "next_url": (
            search_page.url_with(params, cursor=response["next_cursor"], p=str(page + 1))
            if response["next_cursor"]
            else None
        ),
        "first_url": search_page.url_with(params, cursor=None, p=None) if page > 1 else None,
    }
    context["clear_url"] = search_page.url_with(
        QueryDict(mutable=True), **({"q": params["q"]} if "q" in params else {})
    )
    return render(request, "portal/search.html", context)


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Completions for the search box (what ``/api/v1/search/suggest/`` answers), for the page's script."""
    text = request.GET.get("q", "")[:100]
    return JsonResponse({"suggestions": catalog.suggest(text, SUGGESTIONS)})


@require_GET
def resource(request: HttpRequest, pk: str) -> HttpResponse:
    data = catalog.resource(pk)
    if data is None:
        return not_found(request, "Такого ресурса в каталоге нет: его не публиковали или сняли с публикации.")
    topics = [a for a in data["alignments"] if a["target_type"] == "topic"]
    related = _related(request, data, topics)
    context = {
        "resource": data,
        "jsonld": json.dumps(catalog.resource_jsonld(pk), ensure_ascii=False),
        "topics": topics,
        "codifier": [a for a in data["alignments"] if a["target_type"] == "codifier_element"],
        "grades": presenters.grades_in_words(data["grades"]),
        "access": presenters.access_in_words(data["access"]),
        "licence": presenters.licence_in_words(data["license"]),
        "parts": [
            {**part, "kind_label": presenters.PART_KINDS.get(part["kind"], part["kind"])} for part in data["parts"]
        ],
        "files": [
            {
                **file,
                "role_label": presenters.FILE_ROLES.get(file["role"], file["role"]),
                "size_label": presenters.file_size(file["size"]),
            }
            for file in data["files"]
        ],
        "related_title": related[0],
        "related": related[1],
        "api_url": f"/api/v1/resources/{data['id']}",
    }
    return render(request, "portal/resource.html", context)


@require_GET
def curriculum_index(request: HttpRequest) -> HttpResponse:
    levels = curriculum.subjects_by_level(catalog.subjects(), _subjects_by_level(request))
    return render(request, "portal/curriculum_index.html", {"levels": levels})


@require_GET
def curriculum_subject(request: HttpRequest, code: str) -> HttpResponse:
    subject = catalog.subject(code)
    if subject is None:
        return not_found(request, "Такого предмета в программе нет.")
    counts = catalog.search(request, QueryDict(f"page_size=1&subject={code}"))
    grades = curriculum.grades_of(subject, counts["facets"]["grade"])
    return render(request, "portal/curriculum_subject.html", {"subject": subject, "grades": grades})


@require_GET
def curriculum_grade(request: HttpRequest, code: str, grade: int) -> HttpResponse:
    subject = catalog.subject(code)
    if subject is None or grade not in subject["grades"]:
        return not_found(request, "Этот предмет в этом классе не изучают.")
    counts = catalog.search(request, QueryDict(f"page_size=1&subject={code}&grade={grade}"))
    plan = curriculum.plan_of(catalog.topics(code, grade), counts["facets"].get("topic", []))
    context = {"subject": subject, "grade": grade, "plan": plan, "total": counts["count"]}
    return render(request, "portal/curriculum_grade.html", context)


@require_GET
def curriculum_topic(request: HttpRequest, code: str) -> HttpResponse:
    topic = catalog.topic(code)
    if topic is None:
        return not_found(request, "Такой темы в программе нет.")
    subject = catalog.subject(topic["subject"])
    parent = catalog.topic(topic["parent"]) if topic["parent"] else None
    aligned = catalog.search(request, QueryDict(f"topic={code}"))
    similar = None
    if not aligned["count"]:
        params = QueryDict(mutable=True)
        params.update({"q": topic["title"][:200], "subject": topic["subject"], "grade": str(topic["grade"])})
        similar = catalog.search(request, params)
    labels = _labels(aligned if similar is None else similar)
    children = [item for item in catalog.topics(topic["subject"], topic["grade"]) if item["parent"] == code]
    context = {
        "topic": topic,
        "subject": subject,
        "parent": parent,
        "children": children,
        "aligned": [curriculum.hit_card(hit, labels) for hit in aligned["results"]],
        "aligned_count": aligned["count"],
        "similar": [curriculum.hit_card(hit, labels) for hit in similar["results"]] if similar else [],
        "search_url": search_page.url_with(QueryDict(mutable=True), topic=code),
    }
    return render(request, "portal/curriculum_topic.html", context)


@require_GET
def collections(request: HttpRequest) -> HttpResponse:
    found = sorted(catalog.collections(), key=lambda item: item["title"])
    return render(request, "portal/collections.html", {"collections": found})


@require_GET
def collection(request: HttpRequest, slug: str) -> HttpResponse:
    data = catalog.collection(slug)
    if data is None:
        return not_found(request, "Такой подборки нет или её сняли с публикации.")
    resources = catalog.resources([str(item["resource"]) for item in data["items"]])
    items = [
        {"note": item["note"], "resource": resources[str(item["resource"])]}
        for item in data["items"]
        if str(item["resource"]) in resources
    ]
    for item in items:
        item["grades"] = presenters.grades_in_words(item["resource"]["grades"])
        item["access"] = presenters.access_in_words(item["resource"]["access"])
    context = {"collection": data, "items": items, "grades": presenters.grades_in_words(data["grades"])}
    return render(request, "portal/collection.html", context)


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        "Disallow: /suggest/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _related(
    request: HttpRequest, data: dict[str, Any], topics: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]]]:
    """(heading, cards): resources of the same topics; or else of the same subject and grade, those with the
    most words of this title first."""
    if topics:
        found = _others(request, data, topic=[topic["code"] for topic in topics[:5]])
        if found:
            return "Ещё по этой теме", found
    if not data["subjects"]:
        return "", []
    filters = {"subject": [subject["code"] for subject in data["subjects"]], "grade": [str(g) for g in data["grades"]]}
    similar = _others(request, data, q=[data["title"][:200]], **filters)
    seen = {card["id"] for card in similar}
    more = [card for card in _others(request, data, **filters) if card["id"] not in seen]
    return "Похожие ресурсы", (similar + more)[:RELATED]


def _others(request: HttpRequest, data: dict[str, Any], **params: list[str]) -> list[dict[str, Any]]:
    """Search results (``params`` in the API's spelling) other than this resource."""
    query = QueryDict(mutable=True)
    query["page_size"] = str(RELATED + 1)
    for name, values in params.items():
        if values:
            query.setlist(name, values)
    found = catalog.search(request, query)
    labels = _labels(found)
    return [curriculum.hit_card(hit, labels) for hit in found["results"] if hit["id"] != str(data["id"])][:RELATED]


def _label_missing_choices(request: HttpRequest, groups: list[search_page.FacetGroup]) -> None:
    """A ticked value the results no longer count (0 found) has no label in the response: take it from the
    facets of the whole catalog, and a topic's from the curriculum."""
    missing = [choice for group in groups for choice in group.choices if choice.label == choice.value]
    if not missing:
        return
    everything = _labels(catalog.search(request, QueryDict("page_size=1")))
    for group in groups:
        for choice in group.choices:
            if choice.label != choice.value:
                continue
            if group.name == "topic":
                topic = catalog.topic(choice.value)
                choice.label = topic["title"] if topic else choice.value
            else:
                choice.label = everything.get(group.name, {}).get(choice.value, choice.value)


def _subjects_by_level(request: HttpRequest) -> dict[str, list[dict[str, Any]]]:
    """The subject facet of the catalog at each level of education (one search per level)."""
    return {
        level: catalog.search(request, QueryDict(f"page_size=1&level={level}"))["facets"]["subject"]
        for level in presenters.LEVEL_ORDER
    }


def _labels(response: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {name: {item["value"]: item["label"] for item in values} for name, values in response["facets"].items()}


def _first_message(error: InvalidQueryParameter) -> str:
    detail = error.detail
    if isinstance(detail, dict):
        messages = next(iter(detail.values()), [])
        return str(messages[0]) if messages else ""
    return str(detail)


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    """The portal's own 404 page, with the way back to search."""
    return render(request, "portal/404.html", {"message": message}, status=404)
