"""A consumer keeps an exact mirror of the published catalog from the change feed alone."""

import pytest

from content_repo.resources.models import Resource
from content_repo.resources.services import edit_fields
from tests.factories import make_resource

from .conftest import LESSON

pytestmark = pytest.mark.django_db


class Mirror:
    """What a third-party app keeps: documents by id, and the cursor."""

    def __init__(self, client):
        self.client, self.cursor, self.documents, self.actions = client, 0, {}, []

    def sync(self):
        url = f"/api/v1/changes/?since={self.cursor}&page_size=2"
        while url:
            page = self.client.get(url).json()
            for entry in page["results"]:
                self.actions.append(entry["action"])
                if entry["action"] in ("published", "updated"):
                    self.documents[entry["id"]] = entry["resource"]
                else:
                    assert entry["resource"] is None
                    self.documents.pop(entry["id"], None)
            self.cursor, url = page["cursor"], page["next"]


def catalog(client):
    documents, url = {}, "/api/v1/resources/?page_size=100"
    while url:
        page = client.get(url).json()
        documents |= {item["id"]: item for item in page["results"]}
        url = page["next"]
    return documents


def test_mirror_from_the_feed_equals_the_catalog(callers):
    api, review = callers.publish_a, callers.review
    mirror = Mirror(callers.anonymous)

    def approve(resource_id):
        assert review.post(f"/api/v1/resources/{resource_id}/approve/", {}, format="json").status_code == 200

    one = api.post("/api/v1/resources/", LESSON | {"external_id": "one"}, format="json").json()["id"]
    two = api.post("/api/v1/resources/", LESSON | {"external_id": "two", "title": "Второй"}, format="json").json()["id"]
    approve(one)
    approve(two)
    harvested = make_resource(provider=callers.users.org_b, publish=True, title="Из сбора", subjects=["math"])
    mirror.sync()
    assert mirror.documents == catalog(callers.anonymous) and len(mirror.documents) == 3

    api.patch(f"/api/v1/resources/{one}/", {"title": "Первый, исправленный"}, format="json")
    approve(one)
    edit_fields(Resource.objects.get(pk=harvested.pk), {"grades": [6]}, callers.users.methodist)
    api.post(f"/api/v1/resources/{two}/withdraw/", {"reason": "устарел"}, format="json")
    mirror.sync()
    assert mirror.documents == catalog(callers.anonymous) and len(mirror.documents) == 2
    assert mirror.documents[one]["title"] == "Первый, исправленный"

    api.patch(f"/api/v1/resources/{two}/", {"title": "Второй, снова"}, format="json")
    approve(two)
    Resource.objects.get(pk=one).delete()
    draft = make_resource(provider=callers.users.org_a, title="Черновик")
    draft.delete()  # never published: nothing for consumers
    mirror.sync()
    assert mirror.documents == catalog(callers.anonymous)
    assert sorted(mirror.documents) == sorted([two, str(harvested.pk)])
    assert mirror.actions == [
        "published",
        "published",
        "published",
        "updated",
        "updated",
        "withdrawn",
        "published",
        "deleted",
    ]

    mirror.sync()  # nothing new: the cursor holds
    assert len(mirror.actions) == 8


def test_feed_parameters_are_checked(callers):
    for query, parameter in [("since=-1", "since"), ("since=abc", "since"), ("page_size=0", "page_size"), ("x=1", "x")]:
        response = callers.anonymous.get(f"/api/v1/changes/?{query}")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == [parameter]
