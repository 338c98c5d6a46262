"""Vendors publish through the API; every submission is validated and reviewed, never published directly."""

import pytest

from content_repo.resources.models import Resource

from .conftest import LESSON, client_with
from .helpers import feed_item, post_feed, problem, state

pytestmark = pytest.mark.django_db


def public_ids(client):
    return [item["id"] for item in client.get("/api/v1/resources/").json()["results"]]


def test_a_new_resource_goes_to_review_and_is_not_published(callers):
    response = callers.publish_a.post("/api/v1/resources/", LESSON | {"external_id": "frac-1"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["outcome"], body["status"], body["live"], body["external_id"]) == (
        "created",
        "in_review",
        False,
        "frac-1",
    )
    assert body["values"]["subjects"] == ["math"] and body["values"]["levels"] == ["OOO"]
    assert response["Location"] == f"/api/v1/submissions/{body['id']}/"
    assert public_ids(callers.anonymous) == []
    assert callers.anonymous.get(f"/api/v1/resources/{body['id']}/").status_code == 404
    listed = callers.publish_a.get("/api/v1/submissions/?status=in_review").json()["results"]
    assert [(s["id"], s["status"]) for s in listed] == [(body["id"], "in_review")]

    again = callers.publish_a.post("/api/v1/resources/", LESSON | {"external_id": "frac-1"}, format="json")
    assert (again.status_code, again.json()["outcome"], again.json()["id"]) == (200, "unchanged", body["id"])
    assert Resource.objects.count() == 1


def test_unknown_codes_are_named_precisely_and_nothing_is_saved(callers):
    bad = LESSON | {
        "subjects": ["matematika"],
        "grades": [5, 12],
        "license": "cc-by-5.0",
        "alignments": [{"target": "math.5.1"}, {"target": "math.5.999"}],
    }
    body = problem(callers.publish_a.post("/api/v1/resources/", bad, format="json"), 400)
    assert body["type"].endswith("/validation_error")
    assert sorted(body["errors"]) == ["alignments[1].target", "grades[1]", "license", "subjects[0]"]
    assert "matematika" in body["errors"]["subjects[0]"][0]
    assert "math.5.999" in body["errors"]["alignments[1].target"][0]
    assert Resource.objects.count() == 0

    body = problem(callers.publish_a.post("/api/v1/resources/", LESSON | {"colour": "red"}, format="json"), 400)
    assert body["errors"] == {"colour": ["неизвестное поле"]}
    body = problem(callers.publish_a.post("/api/v1/resources/", {"subjects": ["math"]}, format="json"), 400)
    # The minimum a vendor must send, all missing parts named at once.
    assert sorted(body["errors"]) == ["grades", "license", "title", "url"]


def test_a_change_to_a_published_resource_waits_for_approval(callers):
    created = callers.publish_a.post("/api/v1/resources/", LESSON, format="json").json()
    url = f"/api/v1/resources/{created['id']}/"
    assert callers.review.post(url + "approve/", {}, format="json").status_code == 200
    assert callers.anonymous.get(url).json()["title"] == LESSON["title"]

    patched = callers.publish_a.patch(url, {"title": "Дроби: сложение", "grades": [5, 6]}, format="json")
    assert patched.status_code == 200, patched.content
    assert (patched.json()["outcome"], patched.json()["live"]) == ("updated", True)
    assert patched.json()["values"]["title"] == "Дроби: сложение"
    assert patched.json()["status"] == "in_review"  # the vendor sees the change under review…
    live = callers.anonymous.get(url).json()
    assert (live["title"], live["grades"]) == (LESSON["title"], [5])  # the published version is untouched
    assert live["status"] == "published"  # …the public never sees an editorial state of a live resource
    assert live["duration"] == "PT40M"  # as sent

    assert callers.review.post(url + "approve/", {"comment": "ок"}, format="json").status_code == 200
    live = callers.anonymous.get(url).json()
    assert (live["title"], live["grades"], live["status"]) == ("Дроби: сложение", [5, 6], "published")


def test_rejection_needs_a_reason_which_the_vendor_sees(callers):
    created = callers.publish_a.post("/api/v1/resources/", LESSON, format="json").json()
    url = f"/api/v1/resources/{created['id']}/"
    assert list(problem(callers.review.post(url + "reject/", {}, format="json"), 400)["errors"]) == ["reason"]
    assert Resource.objects.get(pk=created["id"]).status == "in_review"

    rejected = callers.review.post(url + "reject/", {"reason": "Нет ссылки на условия лицензии"}, format="json")
    assert rejected.status_code == 200
    seen = callers.publish_a.get(f"/api/v1/submissions/{created['id']}/").json()
    assert (seen["status"], seen["status_reason"]) == ("rejected", "Нет ссылки на условия лицензии")
    assert problem(callers.review.post(url + "approve/", {}, format="json"), 409)["code"] == "conflict"

    fixed = callers.publish_a.patch(url, {"license_terms_url": "https://vendor-a.example/terms"}, format="json")
    assert fixed.json()["status"] == "in_review"


def test_withdraw_takes_a_resource_down_at_once(callers):
    created = callers.publish_a.post("/api/v1/resources/", LESSON, format="json").json()
    url = f"/api/v1/resources/{created['id']}/"
    callers.review.post(url + "approve/", {}, format="json")
    assert public_ids(callers.anonymous) == [created["id"]]

    response = callers.publish_a.post(url + "withdraw/", {"reason": "Урок устарел"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_reason"]) == ("withdrawn", "Урок устарел")
    assert public_ids(callers.anonymous) == []
    assert callers.anonymous.get(url).status_code == 404


def test_bulk_feed_is_answered_line_by_line(callers):
    feed = [
        feed_item("a-1", "Натуральные числа"),
        feed_item(
            "a-2",
            "Дроби",
            educationalAlignment=[
                {"alignmentType": "educationalSubject", "targetName": "math"},
                {"alignmentType": "educationalLevel", "targetName": "5 класс"},
                {"alignmentType": "teaches", "targetName": "math.5.1"},
            ],
        ),
        "",
        '{"@type": "LearningResource", "identifier": "a-3", "name": ',
        feed_item("a-4", "Клетка", subject="Биологиия"),
        feed_item(
            "a-5",
            "Проценты",
            educationalAlignment=[
                {"alignmentType": "educationalSubject", "targetName": "Математика"},
                {"alignmentType": "educationalLevel", "targetName": "5 класс"},
                {"alignmentType": "teaches", "targetName": "math.5.999"},
            ],
        ),
        feed_item("a-1", "Натуральные числа (дубль)"),
        feed_item("a-6", "Без класса", educationalAlignment=[{"alignmentType": "educationalSubject"}]),
        feed_item("a-7", "Нуль\u0000в названии"),
    ]
    response = post_feed(callers.publish_a, *feed)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["line"], r["status"]) for r in results] == [
        (1, "created"),
        (2, "created"),
        (4, "rejected"),
        (5, "rejected"),
        (6, "rejected"),
        (7, "rejected"),
        (8, "rejected"),
        (9, "rejected"),
    ]
    assert list(results[2]["errors"]) == ["line"]
    assert results[3]["errors"] == {
        "educationalAlignment[0].targetName": [
            "неизвестный предмет 'Биологиия': укажите код или название из /api/v1/curriculum/subjects/"
        ]
    }
    assert results[4]["errors"] == {
        "educationalAlignment[2].targetName": ["неизвестный код темы программы: 'math.5.999'"]
    }
    assert results[5]["errors"] == {"identifier": ["повторяет строку 1 этого запроса"]}
    assert list(results[6]["errors"]) == ["educationalAlignment"]
    assert results[7]["errors"] == {"name": ["недопустимый символ U+0000 в позиции 5"]}
    assert response.json()["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 6}
    lesson = Resource.objects.get(pk=results[1]["id"])
    assert (lesson.status, lesson.live, lesson.provider.code) == ("in_review", False, "vendor-a")
    values = callers.publish_a.get(f"/api/v1/submissions/{lesson.pk}/").json()["values"]
    assert values["alignments"] == [{"target": "math.5.1", "type": "teaches", "status": "suggested"}]
    assert (values["license"], values["duration"] is not None) == ("cc-by-4.0", True)

    again = post_feed(callers.publish_a, feed[0], feed_item("a-2", "Дроби: сложение"))
    assert [(r["status"], r["id"]) for r in again.json()["results"]] == [
        ("unchanged", results[0]["id"]),
        ("updated", results[1]["id"]),
    ]
    assert Resource.objects.count() == 2


def test_bulk_needs_ndjson(callers):
    response = callers.publish_a.post("/api/v1/resources/bulk/", [feed_item("x", "X")], format="json")
    assert problem(response, 415)["code"] == "unsupported_media_type"
    assert Resource.objects.count() == 0


def test_an_operator_never_approves_its_own_organisations_submissions(callers):
    from content_repo.api.keys import create_api_key
    from content_repo.publishers.models import Organization
    from content_repo.publishers.services import create_organization

    operator = Organization.objects.get(code="catalog-operator")
    own = client_with(create_api_key(operator, "read,publish", name="редакция оператора").key)
    created = own.post("/api/v1/resources/", LESSON, format="json").json()
    url = f"/api/v1/resources/{created['id']}/"
    before = state(created["id"])

    body = problem(callers.review.post(url + "approve/", {}, format="json"), 403)

    assert "другой организации" in body["detail"]
    assert state(created["id"]) == before
    other = create_organization("regional-operator", "Региональный оператор", "operator")
    reviewer = create_api_key(other, "read,review", name="методисты региона").key
    assert client_with(reviewer).post(url + "approve/", {}, format="json").status_code == 200


def test_a_json_ld_document_is_taken_by_the_single_endpoint_with_every_problem_at_once(callers):
    document = feed_item(
        "ld-1",
        "Признаки делимости",
        subject="Матаматика",
        educationalAlignment=[
            {"alignmentType": "educationalSubject", "targetName": "Матаматика"},
            {"alignmentType": "educationalLevel", "targetName": "13 класс"},
        ],
        url="javascript:alert(1)",
        timeRequired="сорок минут",
    )

    body = problem(callers.publish_a.post("/api/v1/resources/", document, format="json"), 400)

    assert sorted(body["errors"]) == [
        "educationalAlignment[0].targetName",
        "educationalAlignment[1].targetName",
        "timeRequired",
        "url",
    ]
    assert "Матаматика" in body["errors"]["educationalAlignment[0].targetName"][0]
    assert Resource.objects.count() == 0

    fixed = feed_item("ld-1", "Признаки делимости", subject="Математика", grade=6)
    created = callers.publish_a.post("/api/v1/resources/", fixed, format="json")
    assert created.status_code == 201, created.content
    values = created.json()["values"]
    assert (values["subjects"], values["grades"], values["duration"]) == (["math"], [6], "PT30M")
