"""The methodists' admin: Russian UI, listing filters, bulk actions."""

import pytest

from content_repo.resources.models import Resource
from content_repo.resources.services import submit_for_review
from tests.factories import make_resource

pytestmark = pytest.mark.django_db


def bulk_url(action, resources):
    ids = "&".join(f"id={r.pk}" for r in resources)
    return f"/admin/bulk/resources/resource/{action}/?{ids}&next=/admin/snippets/resources/resource/"


def test_admin_speaks_russian(client, users):
    login = client.get("/admin/login/").content.decode()
    assert 'lang="ru"' in login
    assert "Каталог образовательных ресурсов" in login
    client.force_login(users.methodist)
    listing = client.get("/admin/snippets/resources/resource/").content.decode()
    assert "Ресурсы" in listing
    assert "Без привязки к программе" in listing


def test_listing_filters(client, users):
    make_resource(provider=users.org_a, title="Дроби с лицензией", license="cc-by-4.0", subjects=["math"])
    make_resource(provider=users.org_a, title="Клетки без лицензии", subjects=["biology"])
    client.force_login(users.methodist)

    page = client.get("/admin/snippets/resources/resource/?no_license=true").content.decode()
    assert "Клетки без лицензии" in page
    assert "Дроби с лицензией" not in page

    page = client.get("/admin/snippets/resources/resource/?no_alignment=true&subject=math").content.decode()
    assert "Дроби с лицензией" in page
    assert "Клетки без лицензии" not in page


def test_bulk_set_grades_and_license_are_methodist_edits(client, users):
    from content_repo.intake.items import IntakeItem
    from tests.factories import load_item

    a, _ = load_item(
        IntakeItem("resh", "1", "https://resh.edu.ru/subject/lesson/1/", "h", {"title": "Урок А", "grades": [5]}),
        publish=True,
    )
    b = make_resource(provider=users.org_b, title="Урок Б", publish=True)
    client.force_login(users.methodist)
    from content_repo.curriculum.models import Grade
    from content_repo.vocabularies.models import Term

    form_page = client.get(bulk_url("set_grades", [a, b]))
    assert form_page.status_code == 200
    assert "Урок А" in form_page.content.decode()

    response = client.post(bulk_url("set_grades", [a, b]), {"mode": "add", "grades": [Grade.objects.get(number=6).pk]})
    assert response.status_code == 302
    license = Term.objects.get(vocabulary="license", code="cc-by-sa-4.0")
    response = client.post(bulk_url("set_license", [a, b]), {"license": license.pk})
    assert response.status_code == 302

    for resource, grades in ((a, [5, 6]), (b, [6])):
        resource.refresh_from_db()
        assert sorted(g.number for g in resource.grades.all()) == grades
        assert resource.license.code == "cc-by-sa-4.0"
        assert resource.live is True
    assert a.overlaid_fields == ["grades", "license"]


def test_bulk_approve_only_for_methodists(client, users):
    drafts = [make_resource(provider=users.org_a, title=f"Черновик {n}") for n in range(2)]
    for draft in drafts:
        submit_for_review(draft, users.vendor_a)

    client.force_login(users.vendor_a)
    client.post(bulk_url("approve", drafts), {})
    assert Resource.objects.filter(live=True).count() == 0

    client.force_login(users.methodist)
    response = client.post(bulk_url("approve", drafts), {})
    assert response.status_code == 302
    assert sorted(Resource.objects.filter(live=True).values_list("title", flat=True)) == ["Черновик 0", "Черновик 1"]
    assert set(Resource.objects.values_list("status", flat=True)) == {"published"}


def test_methodists_and_vendors_may_add_cover_images_but_readers_not(client, users):
    for user, expected in ((users.methodist, 200), (users.vendor_a, 200), (users.reader, 302)):
        client.force_login(user)
        assert client.get("/admin/images/add/").status_code == expected
