"""Reading and syncing: conditional GET, JSON-LD checked by a JSON-LD processor, errors as problem+json."""

import pytest
from pyld import jsonld

from content_repo.resources.services import edit_fields
from tests.factories import make_resource

from .helpers import problem

pytestmark = pytest.mark.django_db
SDO = "https://schema.org/"


def offline_loader(url, options=None):
    raise AssertionError(f"a document must expand without fetching anything, it asked for {url}")


def expand(document: dict) -> list[dict]:
    return jsonld.expand(document, {"documentLoader": offline_loader})


def values(node: dict, prop: str) -> list:
    return [v.get("@value", v.get("@id")) for v in node.get(SDO + prop, [])]


@pytest.fixture
def lesson(users):
    return make_resource(
        provider=users.org_a,
        publish=True,
        title="Сложение дробей",
        subjects=["math"],
        grades=[5],
        license="cc-by-4.0",
        access="registration",
        resource_type="lesson",
        duration="PT45M",
        parts=[
            {"kind": "start", "title": "Начнём урок", "url": "https://resh.example/1/start"},
            {"kind": "main", "title": "", "url": "https://resh.example/1/main"},
        ],
        alignments=[{"target": "math.5.1", "type": "teaches", "status": "confirmed"}],
    )


def test_etag_and_last_modified_give_304(client, lesson):
    url = f"/api/v1/resources/{lesson.pk}/"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    listing = client.get("/api/v1/resources/?subject=math")
    assert client.get("/api/v1/resources/?subject=math", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304
    topics = client.get("/api/v1/curriculum/topics/?subject=math&grade=5")
    assert (
        client.get("/api/v1/curriculum/topics/?subject=math&grade=5", HTTP_IF_NONE_MATCH=topics["ETag"]).status_code
        == 304
    )

    edit_fields(lesson, {"title": "Сложение обыкновенных дробей"})
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["title"] == "Сложение обыкновенных дробей"
    assert client.get("/api/v1/resources/?subject=math", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200
    assert client.get("/api/v1/resources/", HTTP_IF_MODIFIED_SINCE="Sat, 01 Jan 2000 00:00:00 GMT").status_code == 200


def test_resource_as_json_ld_learning_resource(client, lesson):
    response = client.get(f"/api/v1/resources/{lesson.pk}/", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    assert client.get(f"/api/v1/resources/{lesson.pk}/?format=jsonld").json() == response.json()
    [node] = expand(response.json())
    assert node["@type"] == [SDO + "LearningResource"]
    assert node["@id"] == f"http://127.0.0.1:8000/api/v1/resources/{lesson.pk}"
    assert values(node, "name") == ["Сложение дробей"]
    assert values(node, "license") == ["https://creativecommons.org/licenses/by/4.0/"]
    assert values(node, "isAccessibleForFree") == [True]
    assert values(node, "conditionsOfAccess") == ["Регистрация"]
    assert values(node, "timeRequired") == ["PT45M"]
    [provider] = node[SDO + "provider"]
    assert (provider["@type"], values(provider, "name")) == ([SDO + "Organization"], ["Издательство А"])
    alignments = {
        (values(a, "alignmentType")[0], (values(a, "targetUrl") or values(a, "targetName"))[0])
        for a in node[SDO + "educationalAlignment"]
    }
    assert alignments == {
        ("educationalSubject", "http://127.0.0.1:8000/api/v1/curriculum/subjects/math"),
        ("educationalLevel", "5 класс"),
        ("teaches", "http://127.0.0.1:8000/api/v1/curriculum/topics/math.5.1"),
    }
    parts = node[SDO + "hasPart"]
    assert [(values(p, "position")[0], values(p, "url")[0]) for p in parts] == [
        (1, "https://resh.example/1/start"),
        (2, "https://resh.example/1/main"),
    ]
    assert client.get("/api/v1/curriculum/topics/math.5.1?format=jsonld").status_code == 200


def test_resource_list_as_json_ld_graph(client, lesson):
    response = client.get("/api/v1/resources/?format=jsonld&page_size=1")
    nodes = expand(response.json())
    assert [n["@type"] for n in nodes] == [[SDO + "LearningResource"]]


def test_curriculum_as_json_ld(client, db):
    [topic] = expand(client.get("/api/v1/curriculum/topics/math.5.1", HTTP_ACCEPT="application/ld+json").json())
    assert topic["@type"] == [SDO + "DefinedTerm"]
    assert topic["@id"] == "http://127.0.0.1:8000/api/v1/curriculum/topics/math.5.1"
    assert values(topic, "termCode") == ["math.5.1"]
    assert values(topic, "inDefinedTermSet") == ["http://127.0.0.1:8000/api/v1/curriculum/subjects/math"]
    [subject] = expand(client.get("/api/v1/curriculum/subjects/math?format=jsonld").json())
    assert (subject["@type"], subject["@id"]) == ([SDO + "DefinedTermSet"], topic[SDO + "inDefinedTermSet"][0]["@id"])
    [node] = expand(client.get("/api/v1/curriculum/topics/biology.8.3.1?format=jsonld").json())
    broader = node["http://www.w3.org/2004/02/skos/core#broader"]
    assert broader == [{"@id": "http://127.0.0.1:8000/api/v1/curriculum/topics/biology.8.3"}]
    frameworks = expand(client.get("/api/v1/curriculum/frameworks/?format=jsonld").json())
    assert frameworks and all(n["@type"] == [SDO + "CreativeWork"] for n in frameworks)


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing/", {}, 404, "not_found"),
        ("get", "/api/v1/resources/00000000-0000-0000-0000-000000000000/", {}, 404, "not_found"),
        ("delete", "/api/v1/resources/", {}, 405, "method_not_allowed"),
        ("get", "/api/v1/resources/?format=xml", {}, 400, "invalid_query_parameter"),
        ("get", "/api/v1/organizations/", {"HTTP_ACCEPT": "text/csv"}, 406, "not_acceptable"),
        ("get", "/api/v1/submissions/?format=jsonld", {}, 400, "invalid_query_parameter"),
        ("get", "/api/v1/resources/?source=a%00b", {}, 400, "invalid_query_parameter"),
    ],
)
def test_errors_are_problems(client, db, method, url, kwargs, status, code):
    assert problem(getattr(client, method)(url, **kwargs), status)["code"] == code


def test_malformed_json_is_a_problem_not_a_500(callers):
    response = callers.publish_a.post("/api/v1/resources/", b'{"title": ', content_type="application/json")
    assert problem(response, 400)["code"] == "parse_error"
    response = callers.publish_a.post("/api/v1/resources/", b"title=x", content_type="text/plain")
    assert problem(response, 415)["code"] == "unsupported_media_type"


def test_cors_allows_configured_origins(client, settings, db):
    settings.CORS_ALLOWED_ORIGINS = ["https://school.example"]
    response = client.get("/api/v1/organizations/", HTTP_ORIGIN="https://school.example")
    assert response["Access-Control-Allow-Origin"] == "https://school.example"
    response = client.get("/api/v1/organizations/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response
