"""The minimal read API: published data only, filters, cursor pagination, declared parameters."""

import pytest

from tests.factories import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(users):
    return {
        "fractions5": make_resource(
            provider=users.org_a,
            publish=True,
            title="Дроби",
            subjects=["math"],
            grades=[5],
            license="cc-by-4.0",
            resource_type="lesson",
        ),
        "cells": make_resource(
            provider=users.org_b,
            publish=True,
            title="Клетки",
            subjects=["biology"],
            grades=[5, 6],
            license="all-rights-reserved-free-view",
            resource_type="video_lesson",
        ),
        "draft": make_resource(provider=users.org_a, title="Черновик", subjects=["math"], grades=[5]),
    }


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["results"])


def test_lists_only_published(client, catalog):
    assert titles(client.get("/api/v1/resources/")) == ["Дроби", "Клетки"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("subject=math", ["Дроби"]),
        ("grade=6", ["Клетки"]),
        ("grade=5&grade=6", ["Дроби", "Клетки"]),
        ("grade=5,6&license=cc-by-4.0", ["Дроби"]),
        ("type=video_lesson", ["Клетки"]),
        ("provider=vendor-b", ["Клетки"]),
        ("subject=math&provider=vendor-b", []),
        ("modified_since=2000-01-01", ["Дроби", "Клетки"]),
    ],
)
def test_filters(client, catalog, query, expected):
    assert titles(client.get(f"/api/v1/resources/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("colour=red", "colour"),
        ("grade=12", "grade"),
        ("grade=five", "grade"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("cursor=garbage", "cursor"),
        ("topic=no%00topic", "topic"),
        ("modified_since=yesterday", "modified_since"),
    ],
)
def test_bad_parameters_are_400_problems_naming_the_parameter(client, catalog, query, parameter):
    response = client.get(f"/api/v1/resources/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/invalid_query_parameter")
    assert list(body["errors"]) == [parameter]


def test_an_unknown_code_matches_nothing_like_any_other_code(client, catalog):
    for query in ("topic=no.such.topic", "subject=no_such_subject"):
        response = client.get(f"/api/v1/resources/?{query}")
        assert (response.status_code, response.json()["results"]) == (200, [])


def test_cursor_pagination_walks_every_item_once(client, users):
    for n in range(7):
        make_resource(provider=users.org_a, publish=True, title=f"Урок {n}")
    seen, url = [], "/api/v1/resources/?page_size=3"
    while url:
        body = client.get(url).json()
        assert set(body) == {"results", "next"}
        seen += [item["title"] for item in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(f"Урок {n}" for n in range(7))


def test_topic_has_a_stable_uri_that_serves_it(client):
    body = client.get("/api/v1/curriculum/topics/?subject=biology&grade=8&parent=biology.8.3&page_size=100").json()
    codes = [t["code"] for t in body["results"]]
    assert "biology.8.3.1" in codes
    assert all(code.startswith("biology.8.3.") for code in codes)
    topic = body["results"][0]
    detail = client.get(topic["uri"].replace("http://127.0.0.1:8000", ""))
    assert detail.status_code == 200
    assert detail.json()["code"] == topic["code"]
    assert detail.json()["parent"] == "biology.8.3"


def test_curriculum_subjects_and_frameworks(client):
    subjects = client.get("/api/v1/curriculum/subjects/?page_size=100").json()["results"]
    assert len(subjects) == 35
    algebra = client.get("/api/v1/curriculum/subjects/algebra/").json()
    assert algebra["title"] == "Алгебра" and algebra["grades"] == [7, 8, 9]
    frameworks = client.get("/api/v1/curriculum/frameworks/").json()["results"]
    assert {f["code"] for f in frameworks} >= {"FGOS-NOO-2021", "FRP-2025", "FIPI-KES"}


def test_organizations_and_schema(client):
    codes = {o["code"] for o in client.get("/api/v1/organizations/").json()["results"]}
    assert {"resh", "yaklass", "uchi", "mesh"} <= codes
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/resources/" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200
