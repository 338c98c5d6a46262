"""The search endpoints: response contract, 400 problems naming the parameter, the OpenAPI schema."""

from __future__ import annotations

import pytest

from search.backends.database import DatabaseSearchBackend

from .catalog import load_catalog

pytestmark = pytest.mark.django_db

RESULT_FIELDS = {
    "id", "title", "description", "url", "source", "external_id", "subjects", "grades", "levels", "topics",
    "confirmed_topics", "resource_type", "license", "access", "language", "provider", "published_at", "score",
    "highlight",
}  # fmt: skip


@pytest.fixture
def catalog(db):
    DatabaseSearchBackend({}).index_documents(load_catalog())


def test_search_answers_with_results_facets_and_next(client, catalog):
    response = client.get("/api/v1/search/", {"q": "дроби", "grade": "5", "page_size": 4})
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"count", "results", "facets", "query", "next", "backend", "fallback"}
    assert (body["count"], len(body["results"]), body["backend"], body["fallback"]) == (6, 4, "database", False)
    assert set(body["results"][0]) == RESULT_FIELDS
    assert "<mark>" in body["results"][0]["highlight"]["title"]
    assert body["query"] == {
        "text": "дроби",
        "corrected": None,
        "relaxed": False,
        "unmatched": [],
        "recognised": {"grades": [], "subjects": [], "exam": None, "assessment": False},
    }
    assert body["facets"]["grade"][0] == {"value": "5", "label": "5 класс", "count": 6}
    assert body["facets"]["subject"] == [{"value": "math", "label": "Математика", "count": 6}]
    labels = {facet["value"]: facet["label"] for facet in body["facets"]["provider"]}
    assert labels["resh"] == "Российская электронная школа (РЭШ)"
    second = client.get(body["next"]).json()
    assert second["count"] == 6
    assert {r["id"] for r in second["results"]}.isdisjoint({r["id"] for r in body["results"]})
    assert second["next"] is None


def test_repeated_and_comma_separated_values_are_or(client, catalog):
    repeated = client.get("/api/v1/search/?grade=5&grade=6").json()
    commas = client.get("/api/v1/search/?grade=5,6").json()
    assert repeated["count"] == commas["count"] > client.get("/api/v1/search/?grade=5").json()["count"]


def test_wrong_layout_is_reported(client, catalog):
    query = client.get("/api/v1/search/", {"q": "lhj,b"}).json()["query"]
    assert (query["text"], query["corrected"]) == ("lhj,b", "дроби")


def test_words_not_used_typos_and_what_was_understood_are_reported(client, catalog):
    relaxed = client.get("/api/v1/search/", {"q": "интерактивная карта материков"}).json()
    assert (relaxed["query"]["relaxed"], relaxed["query"]["unmatched"], relaxed["count"]) == (True, ["карта"], 13)
    typo = client.get("/api/v1/search/", {"q": "биссиктриса"}).json()
    assert (typo["query"]["corrected"], typo["count"]) == ("биссектриса", 2)
    exam = client.get("/api/v1/search/", {"q": "впр математика 4 класс"}).json()
    assert exam["query"]["recognised"] == {"grades": [4], "subjects": ["math"], "exam": "VPR", "assessment": False}
    assert exam["results"][0]["id"] == "yaklass-1084"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"colour": "red"}, "colour"),
        ({"grade": "12"}, "grade"),
        ({"grade": "пятый"}, "grade"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "x"}, "page_size"),
        ({"sort": "random"}, "sort"),
        ({"cursor": "garbage"}, "cursor"),
        ({"q": "д" * 501}, "q"),
    ],
)
def test_bad_parameters_are_a_400_problem_naming_the_parameter(client, catalog, params, parameter):
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [parameter]


def test_suggest(client, catalog):
    assert client.get("/api/v1/search/suggest/", {"q": "теорема ви"}).json() == {"suggestions": ["Теорема Виета"]}
    assert client.get("/api/v1/search/suggest/", {"q": ""}).json() == {"suggestions": []}
    assert client.get("/api/v1/search/suggest/", {"q": "x", "limit": "0"}).status_code == 400
    assert client.get("/api/v1/search/suggest/", {"term": "x"}).status_code == 400


def test_schema_documents_the_endpoints(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    search = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "subject", "grade", "topic", "sort", "cursor"}
    assert "SearchResponse" in schema["components"]["schemas"]
    assert "/api/v1/search/suggest/" in schema["paths"]
