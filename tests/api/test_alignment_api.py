"""Curriculum alignment in the public API: statuses and scores in resource JSON, JSON-LD with confirmed ones
only, `alignment=` on the resources list and search, a topic's resources, the coverage report (JSON, CSV)
against a count by hand, and 400s for bad values."""

from __future__ import annotations

import csv
import io

import pytest

from content_repo.curriculum.models import Topic
from content_repo.resources.models import Alignment, Resource
from search.indexing import sync_resources
from tests.factories import make_resource

pytestmark = pytest.mark.django_db


def suggest(resource: Resource, code: str, score: float) -> Alignment:
    """An engine suggestion written as the alignment service writes it (straight to the row)."""
    return Alignment.objects.create(
        resource=resource,
        topic=Topic.objects.get(code=code),
        status="suggested",
        score=score,
        explanation="Совпали слова: «белки».",
        sort_order=1000,
    )


@pytest.fixture
def biology():
    """Resources of biology, grade 10, aligned by hand so that every count below can be checked by eye.

    section biology.10.3 «Химический состав и строение клетки» has topics .1 (вода), .2 (белки), .3 (ферменты).
    """
    proteins = make_resource(
        title="Белки: строение и функции",
        subjects=["biology"],
        grades=[10],
        alignments=[
            {"target": "biology.10.3.2", "type": "teaches", "status": "confirmed"},
            {"target": "biology.10.3.1", "type": "teaches", "status": "suggested"},  # a source's, no score
        ],
        publish=True,
    )
    suggest(proteins, "biology.10.3.3", 0.41)
    suggest(proteins, "biology.10.4.3", 0.66)
    enzymes = make_resource(title="Ферменты", subjects=["biology"], grades=[10], publish=True)
    suggest(enzymes, "biology.10.3.3", 0.9)
    water = make_resource(
        title="Вода в клетке",
        subjects=["biology"],
        grades=[10],
        alignments=[{"target": "biology.10.3.1", "type": "teaches", "status": "confirmed"}],
        publish=True,
    )
    draft = make_resource(
        title="Черновик про белки",
        subjects=["biology"],
        grades=[10],
        alignments=[{"target": "biology.10.3.2", "type": "teaches", "status": "confirmed"}],
    )
    sync_resources([r.pk for r in (proteins, enzymes, water, draft)])
    return proteins, enzymes, water, draft


def test_resource_json_lists_confirmed_first_then_suggestions_by_score(client, biology):
    proteins = biology[0]
    body = client.get(f"/api/v1/resources/{proteins.pk}/").json()
    assert [(a["code"], a["status"], a["score"]) for a in body["alignments"]] == [
        ("biology.10.3.2", "confirmed", None),
        ("biology.10.4.3", "suggested", 0.66),
        ("biology.10.3.3", "suggested", 0.41),
        ("biology.10.3.1", "suggested", None),
    ]


def test_jsonld_carries_confirmed_alignments_only(client, biology):
    document = client.get(f"/api/v1/resources/{biology[0].pk}/", {"format": "jsonld"}).json()
    taught = [a for a in document["educationalAlignment"] if a["alignmentType"] == "teaches"]
    assert [a["targetUrl"].rsplit("/", 1)[1] for a in taught] == ["biology.10.3.2"]
    assert taught[0]["targetName"] == "Белки. Состав и строение белков"


def test_resources_list_filters_by_alignment_status(client, biology):
    proteins, enzymes, water, _ = biology

    def titles(**params):
        response = client.get("/api/v1/resources/", params)
        assert response.status_code == 200, response.json()
        return sorted(r["title"] for r in response.json()["results"])

    assert titles(topic="biology.10.3") == ["Белки: строение и функции", "Вода в клетке", "Ферменты"]
    assert titles(topic="biology.10.3", alignment="any") == titles(topic="biology.10.3")
    assert titles(topic="biology.10.3", alignment="confirmed") == ["Белки: строение и функции", "Вода в клетке"]
    assert titles(topic="biology.10.3.3", alignment="confirmed") == []
    assert titles(topic="biology.10.3.3") == ["Белки: строение и функции", "Ферменты"]
    assert titles(alignment="confirmed") == ["Белки: строение и функции", "Вода в клетке"]


@pytest.mark.parametrize("query", ["alignment=maybe", "alignment=confirmed&alignment=any", "alignment=suggested"])
def test_bad_alignment_values_are_400_naming_the_parameter(client, biology, query):
    response = client.get(f"/api/v1/resources/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert query.split("=")[0] in response.json()["errors"]


def test_an_unknown_topic_code_matches_nothing_like_an_unknown_subject(client, biology):
    for alignment in ("any", "confirmed"):
        response = client.get("/api/v1/resources/", {"topic": "nope.1", "alignment": alignment})
        assert (response.status_code, response.json()["results"]) == (200, [])


def test_a_topic_lists_its_resources_and_counts_them(client, biology):
    section = client.get("/api/v1/curriculum/topics/biology.10.3").json()
    assert section["resources"]["confirmed"] == 2
    assert section["resources"]["suggested"] == 1
    assert section["resources"]["url"].endswith("/api/v1/curriculum/topics/biology.10.3/resources/")

    listed = client.get("/api/v1/curriculum/topics/biology.10.3/resources/").json()
    assert sorted(r["title"] for r in listed["results"]) == ["Белки: строение и функции", "Вода в клетке", "Ферменты"]
    confirmed = client.get("/api/v1/curriculum/topics/biology.10.3.2/resources/", {"alignment": "confirmed"}).json()
    assert [r["title"] for r in confirmed["results"]] == ["Белки: строение и функции"]
    assert client.get("/api/v1/curriculum/topics/nope.1/resources/").status_code == 404
    assert client.get("/api/v1/curriculum/topics/biology.10.3/resources/", {"colour": "red"}).status_code == 400


def test_coverage_matches_a_count_by_hand(client, biology):
    response = client.get("/api/v1/curriculum/coverage/", {"subject": "biology", "grade": "10", "min_confirmed": "2"})
    body = response.json()
    assert response.status_code == 200
    nodes = {node["code"]: node for node in body["results"]}
    counts = {code: (nodes[code]["confirmed"], nodes[code]["suggested"], nodes[code]["flagged"]) for code in nodes}
    # Section 10.3: proteins (confirmed to .2) and water (confirmed to .1) — 2 confirmed; enzymes only suggested.
    # The draft is not published and counts nowhere.
    assert counts["biology.10.3"] == (2, 1, False)
    assert counts["biology.10.3.1"] == (1, 1, True)  # water confirmed; proteins by its source's suggestion
    assert counts["biology.10.3.2"] == (1, 0, True)
    assert counts["biology.10.3.3"] == (0, 2, True)  # enzymes and proteins, both suggested
    assert counts["biology.10.4"] == (0, 1, True)
    assert counts["biology.10.4.3"] == (0, 1, True)
    assert counts["biology.10.1"] == (0, 0, True)
    assert body["nodes"] == len(body["results"]) == Topic.objects.filter(subject__code="biology", grade_id=10).count()
    assert body["flagged"] == body["nodes"] - 1
    assert (body["subject"], body["grade"], body["variant"], body["min_confirmed"]) == (["biology"], [10], [], 2)
    order = [node["code"] for node in body["results"]]
    assert order.index("biology.10.3") + 1 == order.index("biology.10.3.1")
    assert nodes["biology.10.3.1"]["parent"] == "biology.10.3"
    assert (nodes["biology.10.3"]["depth"], nodes["biology.10.3.1"]["depth"]) == (0, 1)


def test_coverage_exports_csv(client, biology):
    response = client.get("/api/v1/curriculum/coverage/", {"subject": "biology", "grade": "10", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="coverage-biology-10.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    section = next(row for row in rows if row["code"] == "biology.10.3")
    assert (section["confirmed"], section["suggested"], section["flagged"]) == ("2", "1", "1")
    assert len(rows) == Topic.objects.filter(subject__code="biology", grade_id=10).count()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"subject": "astrology"}, "subject"),
        ({"subject": "astrology", "format": "csv"}, "subject"),
        ({"subject": "biology", "grade": "12"}, "grade"),
        ({"subject": "biology", "min_confirmed": "-1"}, "min_confirmed"),
        ({"subject": "biology", "min_confirmed": "много"}, "min_confirmed"),
        ({"subject": "biology", "colour": "red"}, "colour"),
        ({"subject": "biology", "format": "xml"}, "format"),
    ],
)
def test_coverage_refuses_bad_parameters(client, query, parameter):
    response = client.get("/api/v1/curriculum/coverage/", query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert parameter in response.json()["errors"]


def test_coverage_without_a_subject_covers_the_whole_programme(client):
    body = client.get("/api/v1/curriculum/coverage/").json()
    assert body["nodes"] == Topic.objects.count()
    assert "math" in body["subject"] and "biology" in body["subject"]
    assert body["flagged"] == body["nodes"]  # nothing is published in this test


def test_search_topic_alignment_and_the_topic_facet(client, biology):
    def search(**params):
        response = client.get("/api/v1/search/", params)
        assert response.status_code == 200, response.json()
        return response.json()

    section = search(topic="biology.10.3")
    assert sorted(hit["title"] for hit in section["results"]) == [
        "Белки: строение и функции",
        "Вода в клетке",
        "Ферменты",
    ]
    confirmed = search(topic="biology.10.3", alignment="confirmed")
    assert sorted(hit["title"] for hit in confirmed["results"]) == ["Белки: строение и функции", "Вода в клетке"]
    facet = {value["value"]: (value["label"], value["count"]) for value in confirmed["facets"]["topic"]}
    assert facet["biology.10.3"] == ("Тема 3. Химический состав и строение клетки (Биология, 10 кл., базовый)", 2)
    assert "biology.10.3.3" not in facet  # only suggested: not counted under alignment=confirmed
    assert {v["value"]: v["count"] for v in search()["facets"]["alignment"]} == {"confirmed": 2, "suggested": 2}
    labels = {v["value"]: v["label"] for v in search()["facets"]["alignment"]}
    assert labels == {"confirmed": "подтверждена методистом", "suggested": "предложена автоматически"}
    any_facet = {value["value"]: value["count"] for value in search()["facets"]["topic"]}
    assert any_facet["biology.10.3.3"] == 2
    hit = next(h for h in search(q="белки")["results"] if h["title"] == "Белки: строение и функции")
    assert hit["confirmed_topics"] == ["biology.10.3.2", "biology.10.3"]
    for bad in ({"alignment": "maybe"}, {"alignment": "suggested"}, {"confirmed_topic": "biology.10.3"}):
        response = client.get("/api/v1/search/", bad)
        assert response.status_code == 400
        assert next(iter(bad)) in response.json()["errors"]


def test_schema_documents_coverage_and_alignment_parameters(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    coverage = schema["paths"]["/api/v1/curriculum/coverage/"]["get"]
    parameters = {p["name"]: p for p in coverage["parameters"]}
    assert set(parameters) >= {"subject", "grade", "variant", "min_confirmed", "format"}
    assert parameters["subject"].get("required", False) is False
    assert parameters["min_confirmed"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 10000, "default": 3}
    listed = {p["name"]: p for p in schema["paths"]["/api/v1/resources/"]["get"]["parameters"]}
    assert listed["alignment"]["schema"] == {"type": "string", "enum": ["any", "confirmed"], "default": "any"}
    search = {p["name"] for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert "alignment" in search and "confirmed_topic" not in search
