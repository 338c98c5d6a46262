"""A vendor's draft goes through a methodist's review to publication, and only then reaches the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from content_repo.resources.models import Resource
from content_repo.resources.services import approve, reject, submit_for_review
from tests.factories import make_resource

pytestmark = pytest.mark.django_db


def api_ids(client):
    response = client.get("/api/v1/resources/")
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


def test_vendor_draft_is_published_only_after_methodist_approval(client, users):
    resource = make_resource(provider=users.org_a, subjects=["math"], grades=[5], license="cc-by-4.0")
    assert api_ids(client) == []
    assert client.get(f"/api/v1/resources/{resource.pk}/").status_code == 404

    submit_for_review(resource, users.vendor_a)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.IN_REVIEW
    assert api_ids(client) == []

    with pytest.raises(PermissionDenied):
        approve(resource, users.vendor_a)
    resource.refresh_from_db()
    assert resource.live is False

    approve(resource, users.methodist)
    resource.refresh_from_db()
    assert resource.live is True
    assert resource.status == Resource.Status.PUBLISHED
    assert api_ids(client) == [str(resource.pk)]
    detail = client.get(f"/api/v1/resources/{resource.pk}/").json()
    assert detail["title"] == "Сложение обыкновенных дробей"
    assert detail["subjects"] == [{"code": "math", "title": "Математика"}]
    assert detail["provider"] == {"code": "vendor-a", "name": "Издательство А"}


def test_rejection_needs_a_reason_and_is_kept_for_the_vendor(client, users):
    resource = make_resource(provider=users.org_a)
    submit_for_review(resource, users.vendor_a)

    with pytest.raises(ValidationError):
        reject(resource, users.methodist, "   ")
    resource.refresh_from_db()
    assert resource.status == Resource.Status.IN_REVIEW

    reject(resource, users.methodist, "Не указана лицензия")
    resource.refresh_from_db()
    assert resource.status == Resource.Status.REJECTED
    assert resource.status_reason == "Не указана лицензия"
    assert resource.live is False
    assert api_ids(client) == []


def test_vendor_cannot_publish_through_the_admin(client, users):
    resource = make_resource(provider=users.org_a)
    client.force_login(users.vendor_a)
    edit_url = f"/admin/snippets/resources/resource/edit/{resource.pk}/"
    response = client.post(
        edit_url,
        {**_minimal_form(resource), "action-publish": "action-publish"},
    )
    resource.refresh_from_db()
    assert resource.live is False
    assert response.status_code in (200, 302, 403)


def _minimal_form(resource):
    data = {
        "title": resource.title,
        "description": "",
        "keywords": "[]",
        "authors": "[]",
        "accessibility_features": "[]",
        "provider": str(resource.provider_id or ""),
    }
    for prefix in ("alignments", "parts", "files", "relations"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data
