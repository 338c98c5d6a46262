"""A vendor acts only on its own organisation's resources; methodists act on all."""

import pytest
from wagtail.permissions import policy_registry

from content_repo.resources.models import Resource
from tests.factories import make_resource

from .test_moderation import _minimal_form

pytestmark = pytest.mark.django_db


def edit_url(resource):
    return f"/admin/snippets/resources/resource/edit/{resource.pk}/"


def test_vendor_cannot_edit_another_organizations_resource(client, users):
    theirs = make_resource(provider=users.org_a, title="Ресурс организации А")
    client.force_login(users.vendor_b)

    assert client.get(edit_url(theirs)).status_code in (302, 403, 404)
    response = client.post(edit_url(theirs), {**_minimal_form(theirs), "title": "Взломано"})

    theirs.refresh_from_db()
    assert response.status_code in (302, 403, 404)
    assert theirs.title == "Ресурс организации А"
    assert theirs.revisions.count() == 1


def test_vendor_edits_own_resource_as_draft(client, users):
    own = make_resource(provider=users.org_a, title="Черновик А")
    client.force_login(users.vendor_a)

    response = client.post(edit_url(own), {**_minimal_form(own), "title": "Черновик А, исправленный"})

    assert response.status_code == 302, response.content[:2000]
    own.refresh_from_db()
    assert own.latest_revision.content["title"] == "Черновик А, исправленный"
    assert own.live is False


def test_listing_shows_a_vendor_only_its_organizations_resources(client, users):
    make_resource(provider=users.org_a, title="Урок издательства А")
    make_resource(provider=users.org_b, title="Урок издательства Б")
    client.force_login(users.vendor_a)

    page = client.get("/admin/snippets/resources/resource/").content.decode()

    assert "Урок издательства А" in page
    assert "Урок издательства Б" not in page


@pytest.mark.parametrize(
    ("who", "action", "own_org", "allowed"),
    [
        ("vendor_a", "change", True, True),
        ("vendor_a", "change", False, False),
        ("vendor_a", "publish", True, False),
        ("vendor_a", "delete", True, False),
        ("methodist", "change", False, True),
        ("methodist", "publish", False, True),
        ("reader", "change", False, False),
    ],
)
def test_permission_policy(users, who, action, own_org, allowed):
    resource = make_resource(provider=users.org_a if own_org else users.org_b)
    policy = policy_registry.get_by_type(Resource)
    assert policy.user_has_permission_for_instance(getattr(users, who), action, resource) is allowed
