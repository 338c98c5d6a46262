"""A source update never overwrites a methodist's field; a methodist can give a field back to the source."""

import pytest

from content_repo.intake.items import IntakeItem, Outcome
from content_repo.resources.models import Resource
from content_repo.resources.services import edit_fields, revert_field
from tests.factories import load_item

from .test_moderation import _minimal_form

pytestmark = pytest.mark.django_db


def record(title="Урок 1. Натуральные числа", description="Описание источника", grades=(5,), digest="h1"):
    return IntakeItem(
        source="resh",
        external_id="7700",
        source_url="https://resh.edu.ru/subject/lesson/7700/",
        content_hash=digest,
        provider_code="resh",
        values={
            "title": title,
            "description": description,
            "subjects": ["math"],
            "grades": list(grades),
            "license": "all-rights-reserved-free-view",
            "access": "free",
            "parts": [
                {
                    "kind": "start",
                    "title": "Начнём урок",
                    "url": "https://resh.edu.ru/subject/lesson/7700/start/",
                }
            ],
        },
    )


def test_load_creates_then_skips_unchanged_then_updates():
    resource, outcome = load_item(record(), publish=True)
    assert outcome is Outcome.CREATED
    assert resource.live is True
    assert resource.provider.code == "resh"
    assert [p.kind for p in resource.parts.all()] == ["start"]

    same, outcome = load_item(record(), publish=True)
    assert outcome is Outcome.UNCHANGED
    assert same.pk == resource.pk
    assert Resource.objects.count() == 1
    assert resource.revisions.count() == 1

    _, outcome = load_item(record(description="Новое описание", digest="h2"), publish=True)
    assert outcome is Outcome.UPDATED
    assert Resource.objects.get().description == "Новое описание"


def test_source_update_keeps_the_methodists_field(users):
    resource, _ = load_item(record(), publish=True)
    edit_fields(resource, {"title": "Натуральные числа (исправлено методистом)"}, users.methodist)
    assert resource.overlaid_fields == ["title"]

    load_item(
        record(title="Урок 1. Натуральные числа и нуль", description="Обновлено", grades=(5, 6), digest="h2"),
        publish=True,
    )

    resource.refresh_from_db()
    assert resource.title == "Натуральные числа (исправлено методистом)"
    assert resource.description == "Обновлено"
    assert sorted(g.number for g in resource.grades.all()) == [5, 6]
    assert resource.source_layer.data["title"] == "Урок 1. Натуральные числа и нуль"


def test_revert_gives_the_field_back_to_the_source(users):
    resource, _ = load_item(record(), publish=True)
    edit_fields(resource, {"title": "Правка методиста"}, users.methodist)

    revert_field(resource, "title", users.methodist)

    resource.refresh_from_db()
    assert resource.title == "Урок 1. Натуральные числа"
    assert resource.overlaid_fields == []
    load_item(record(title="Урок 1. Новое название", digest="h3"), publish=True)
    resource.refresh_from_db()
    assert resource.title == "Урок 1. Новое название"


def test_admin_edit_marks_the_field_as_the_methodists(client, users):
    resource, _ = load_item(record(), publish=True)
    client.force_login(users.methodist)
    url = f"/admin/snippets/resources/resource/edit/{resource.pk}/"
    form = _minimal_form(resource) | {
        "description": "Описание источника",
        "subjects": [str(resource.subjects.get().pk)],
        "grades": ["5"],
        "license": str(resource.license_id),
        "access": str(resource.access_id),
        "parts-TOTAL_FORMS": "1",
        "parts-INITIAL_FORMS": "1",
        "parts-0-id": str(resource.parts.get().pk),
        "parts-0-kind": "start",
        "parts-0-title": "Начнём урок",
        "parts-0-url": "https://resh.edu.ru/subject/lesson/7700/start/",
        "parts-0-ORDER": "1",
        "parts-0-DELETE": "",
        "title": "Натуральные числа: правка в админке",
        "action-publish": "action-publish",
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    resource.refresh_from_db()
    assert resource.title == "Натуральные числа: правка в админке"
    assert resource.overlaid_fields == ["title"]
    page = client.get(url).content.decode()
    assert "Вернуть значение источника" in page
    assert "методист" in page


def test_withdrawn_source_record_is_unpublished_and_kept():
    from content_repo.resources.services import withdraw_from_source

    resource, _ = load_item(record(), publish=True)
    withdraw_from_source(resource.source_layer, "нет в полном списке источника")

    resource.refresh_from_db()
    assert resource.live is False
    assert resource.status == Resource.Status.WITHDRAWN
    assert resource.source_layer.withdrawn_reason == "нет в полном списке источника"

    _, outcome = load_item(record(), publish=True)
    resource.refresh_from_db()
    assert outcome is Outcome.UPDATED
    assert resource.live is True
    assert resource.status == Resource.Status.PUBLISHED


def test_review_policy_keeps_the_published_row_until_approval(users):
    from content_repo.resources.services import approve

    resource, _ = load_item(record(), publish=True)
    _, outcome = load_item(record(title="Урок 1. Новое название из источника", digest="h9"), publish=False)

    resource.refresh_from_db()
    assert outcome is Outcome.UPDATED
    assert resource.live is True
    assert resource.title == "Урок 1. Натуральные числа"
    assert resource.status == Resource.Status.IN_REVIEW
    assert resource.latest_revision.content["title"] == "Урок 1. Новое название из источника"

    approve(resource, users.methodist)
    resource.refresh_from_db()
    assert resource.title == "Урок 1. Новое название из источника"
    assert resource.status == Resource.Status.PUBLISHED
