"""The methodist's work in the admin: the review queue and its actions, permissions, the topic chooser, the
resource form's alignments, the bulk action, the listing filters and the coverage report."""

from __future__ import annotations

import re

import pytest

from content_repo.alignment.models import RejectedSuggestion
from content_repo.curriculum.models import Topic
from content_repo.resources.models import Alignment, Resource

from .catalog import FRACTIONS, HOLIDAY, QUADRATIC, VIETA, codes, item, load

pytestmark = pytest.mark.django_db

QUEUE = "/admin/alignment/"
CHOOSER = "/admin/snippets/choose/curriculum/topic/"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def catalog():
    return load(
        item("1", VIETA),
        item("2", QUADRATIC),
        item("3", FRACTIONS, subjects=("math",), grades=(5,), source="uchi"),
        item("4", HOLIDAY, subjects=("math",), grades=(5,)),
    )


def test_queue_lists_resources_with_suggestions_by_subject_and_grade(client, users, catalog):
    client.force_login(users.methodist)
    page = client.get(QUEUE, {"subject": "algebra", "grade": "8"})
    assert page.status_code == 200
    body = text(page)
    assert "Привязка к программе" in body
    assert "Урок 14. Теорема Виета" in body and "Урок 15. Решение квадратных уравнений" in body
    assert "Сложение и вычитание обыкновенных дробей" not in body
    assert "Сценарий праздника" not in body  # nothing was suggested: nothing to decide
    assert "0,78" in body and "0,81" in body  # Russian decimal comma
    assert "Уравнения и неравенства → " not in body  # sections have no parent
    assert "Совпали слова" in body
    assert page.content.decode().count('class="aq-suggestion"') == 6  # three suggestions for each lesson
    assert "Принять (6 у 2 рес.)" not in body  # the default threshold 0.80 leaves one
    assert "Принять (1 у 1 рес.)" in body

    everything = text(client.get(QUEUE))
    assert "Сложение и вычитание обыкновенных дробей" in everything


def test_the_queue_reads_the_source_names_once_for_all_its_cards(client, users, catalog):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users.methodist)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(QUEUE).content.decode()
    assert page.count('<article class="aq-card"') == 3  # Виета, квадратные уравнения, дроби
    assert sum("harvestsource" in query["sql"].lower() for query in queries.captured_queries) == 1


def test_queue_and_decisions_are_for_methodists_only(client, users, catalog):
    row = Alignment.objects.filter(resource=catalog[0]).first()
    for user in (users.vendor_a, users.reader):
        client.force_login(user)
        # Wagtail answers a refused admin page with a redirect home and a message.
        assert client.get(QUEUE)["Location"] == "/admin/"
        assert client.post(f"/admin/alignment/suggestions/{row.pk}/accept/")["Location"] == "/admin/"
        assert client.post("/admin/alignment/accept-above/", {"threshold": "0"})["Location"] == "/admin/"
        assert "Привязка к программе" not in text(client.get("/admin/"))
    client.logout()
    assert client.get(QUEUE).status_code == 302
    assert Alignment.objects.filter(status="confirmed").count() == 0


def test_accept_in_one_click_answers_the_card_without_that_suggestion(client, users, catalog):
    client.force_login(users.methodist)
    row = Alignment.objects.get(resource=catalog[0], topic__code="algebra.8.5")

    answer = client.post(f"/admin/alignment/suggestions/{row.pk}/accept/", HTTP_ACCEPT="application/json")

    body = answer.json()
    assert (answer.status_code, body["ok"]) == (200, True)
    assert body["message"] == "Привязка подтверждена: «Уравнения и неравенства. Квадратные уравнения»"
    assert "✓ Уравнения и неравенства. Квадратные уравнения" in body["html"]
    assert f"/suggestions/{row.pk}/accept/" not in body["html"]
    assert codes(catalog[0], "confirmed") == ["algebra.8.5"]
    again = client.post(f"/admin/alignment/suggestions/{row.pk}/accept/", HTTP_ACCEPT="application/json")
    assert (again.status_code, again.json()["ok"]) == (409, False)


def test_reject_and_replace_without_javascript_redirect_back(client, users, catalog):
    client.force_login(users.methodist)
    first = Alignment.objects.get(resource=catalog[0], topic__code="algebra.8.3")
    second = Alignment.objects.get(resource=catalog[0], topic__code="algebra.8.content.3")
    back = f"{QUEUE}?subject=algebra"

    rejected = client.post(f"/admin/alignment/suggestions/{first.pk}/reject/", {"next": back})
    replaced = client.post(
        f"/admin/alignment/suggestions/{second.pk}/replace/",
        {"next": back, "topic": Topic.objects.get(code="algebra.8.1").pk},
    )
    unknown = client.post(f"/admin/alignment/suggestions/{second.pk}/replace/", {"topic": "999999"})

    assert (rejected.status_code, rejected["Location"]) == (302, back)
    assert (replaced.status_code, replaced["Location"]) == (302, back)
    assert unknown["Location"] == QUEUE
    assert codes(catalog[0], "confirmed") == ["algebra.8.1"]
    assert sorted(RejectedSuggestion.objects.values_list("code", flat=True)) == ["algebra.8.3", "algebra.8.content.3"]
    offsite = client.post(
        f"/admin/alignment/suggestions/{Alignment.objects.filter(status='suggested').first().pk}/reject/",
        {"next": "https://evil.example/"},
    )
    assert offsite["Location"] == QUEUE


def test_accept_everything_above_a_score_in_the_filtered_queue(client, users, catalog):
    client.force_login(users.methodist)
    response = client.post(
        "/admin/alignment/accept-above/", {"subject": "algebra", "grade": "8", "threshold": "0,77", "next": QUEUE}
    )
    assert response.status_code == 302
    confirmed = sorted(Alignment.objects.filter(status="confirmed").values_list("resource__title", "topic__code"))
    assert confirmed == [
        ("Урок 14. Теорема Виета", "algebra.8.3"),
        ("Урок 14. Теорема Виета", "algebra.8.5"),
        ("Урок 14. Теорема Виета", "algebra.8.content.3"),
        ("Урок 15. Решение квадратных уравнений по формуле", "algebra-adv.8.3"),
        ("Урок 15. Решение квадратных уравнений по формуле", "algebra.8.5"),
    ]
    assert codes(catalog[2], "confirmed") == []  # another subject: outside the filter


def test_chooser_finds_topics_by_words_with_morphology_and_defaults_to_the_resource(client, users):
    client.force_login(users.methodist)
    found = text(client.get(CHOOSER + "results/", {"q": "дробями", "subject": "math", "grade": "5"}))
    assert "Найдено узлов программы: 4" in found  # «дробями» → «дроб»: three titles, and a topic's terms
    assert "Обыкновенные дроби" in found and "Десятичные дроби" in found and "Решение текстовых задач" in found
    assert "Математика, 5 класс, базовый уровень" in found

    # Node terms: a rule's name finds the topic that teaches it; the last word may be unfinished.
    vieta = text(client.get(CHOOSER + "results/", {"q": "теорема вие", "subject": "algebra", "grade": "8"}))
    assert "Уравнения и неравенства. Квадратные уравнения" in vieta
    assert "Числа и вычисления. Квадратные корни" not in vieta

    # Defaults from the resource: several subjects and grades become the first choice of each filter.
    modal = client.get(CHOOSER, {"subject": "algebra,geometry", "grade": "8,9"}).json()
    assert modal["step"] == "choose"
    assert 'value="algebra,geometry" selected' in modal["html"]
    assert "предметы ресурса: Алгебра, Геометрия" in modal["html"]
    assert "Алгебра, 9 класс" in modal["html"] and "Геометрия, 8 класс" in modal["html"]
    assert "Физика" not in text_of(modal["html"])

    tree = text(client.get(CHOOSER + "results/", {"q": "белки", "subject": "biology", "grade": "10"}))
    assert "Тема 3. Химический состав и строение клетки" in tree  # the section, shown as context
    assert "Белки. Состав и строение белков" in tree
    nothing = text(client.get(CHOOSER + "results/", {"q": "квантовая хромодинамика"}))
    assert "Ничего не нашлось по словам « квантовая хромодинамика »" in nothing


def text_of(html: str) -> str:
    return re.sub(r"<select.*?</select>", "", html, flags=re.S)


def _alignment_form(resource: Resource, **changes) -> dict[str, str]:
    """The edit form's data as the admin renders it, with ``changes`` applied to alignment rows by topic code."""
    data = {
        "title": resource.title,
        "description": resource.description,
        "keywords": "",
        "authors": "",
        "accessibility_features": "",
        "provider": str(resource.provider_id or ""),
        "subjects": [str(s.pk) for s in resource.subjects.all()],
        "grades": [str(g.pk) for g in resource.grades.all()],
        "levels": [str(level.pk) for level in resource.levels.all()],
        "resource_type": str(resource.resource_type_id or ""),
    }
    rows = list(resource.alignments.select_related("topic").order_by("sort_order", "pk"))
    for prefix, count in (("alignments", len(rows)), ("parts", 0), ("files", 0), ("relations", 0)):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(count),
            f"{prefix}-INITIAL_FORMS": str(count),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    for i, row in enumerate(rows):
        change = changes.get(row.topic.code, {})
        data |= {
            f"alignments-{i}-id": str(row.pk),
            f"alignments-{i}-topic": str(row.topic_id),
            f"alignments-{i}-codifier_element": "",
            f"alignments-{i}-alignment_type": row.alignment_type,
            f"alignments-{i}-status": change.get("status", row.status),
            f"alignments-{i}-ORDER": str(i + 1),
            f"alignments-{i}-DELETE": "1" if change.get("delete") else "",
        }
    return data


def test_the_form_confirms_for_methodists_and_records_removed_suggestions_as_rejected(client, users):
    [vieta] = load(item("1", VIETA))
    client.force_login(users.methodist)
    url = f"/admin/snippets/resources/resource/edit/{vieta.pk}/"
    page = client.get(url).content.decode()
    assert 'id="topic-chooser-subject" value="algebra"' in page
    assert 'id="topic-chooser-grade" value="8"' in page

    data = _alignment_form(vieta, **{"algebra.8.5": {"status": "confirmed"}, "algebra.8.3": {"delete": True}})
    response = client.post(url, data | {"action-publish": "action-publish"})

    assert response.status_code == 302, response.content.decode()[:2000]
    confirmed = Alignment.objects.get(resource=vieta, status="confirmed")
    assert (confirmed.topic.code, confirmed.confirmed_by) == ("algebra.8.5", users.methodist)
    assert RejectedSuggestion.objects.get(resource=vieta).code == "algebra.8.3"
    assert codes(vieta) == ["algebra.8.5", "algebra.8.content.3"]
    assert Resource.objects.get(pk=vieta.pk).overlaid_fields == ["alignments"]


def test_a_vendor_confirming_in_the_form_only_suggests(client, users):
    [own] = load(item("1", VIETA, source="vendor-a"))
    Resource.objects.filter(pk=own.pk).update(provider=users.org_a)
    own.refresh_from_db()
    client.force_login(users.vendor_a)
    url = f"/admin/snippets/resources/resource/edit/{own.pk}/"
    data = _alignment_form(own, **{"algebra.8.5": {"status": "confirmed"}})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = Resource.objects.get(pk=own.pk).get_latest_revision_as_object()
    assert {a.status for a in draft.alignments.all()} == {"suggested"}
    assert Alignment.objects.filter(status="confirmed").count() == 0


def test_bulk_topics_use_the_chooser_and_confirm_only_for_methodists(client, users, catalog):
    topic = Topic.objects.get(code="algebra.8.1")
    url = f"/admin/bulk/resources/resource/set_topics/?id={catalog[0].pk}&id={catalog[1].pk}&next=/admin/"
    client.force_login(users.methodist)
    form = client.get(url).content.decode()
    assert 'id="topic-chooser-subject" value="algebra"' in form
    assert "data-chooser-url=" in form and "choose/curriculum/topic/" in form

    assert client.post(url, {"mode": "add", "topic": topic.pk}).status_code == 302

    rows = Alignment.objects.filter(topic=topic)
    assert sorted(rows.values_list("resource__title", "status", "confirmed_by")) == [
        ("Урок 14. Теорема Виета", "confirmed", users.methodist.pk),
        ("Урок 15. Решение квадратных уравнений по формуле", "confirmed", users.methodist.pk),
    ]


def test_listing_filters_by_topic_with_its_section_and_by_alignment_state(client, users, catalog):
    client.force_login(users.methodist)
    listing = "/admin/snippets/resources/resource/"
    by_topic = text(client.get(listing, {"topic": Topic.objects.get(code="math.5.3").pk}))
    assert "Сложение и вычитание обыкновенных дробей" in by_topic
    assert "Урок 14. Теорема Виета" not in by_topic
    waiting = text(client.get(listing, {"alignment": "suggested"}))
    assert "Урок 14. Теорема Виета" in waiting and "Сценарий праздника" not in waiting
    nothing = text(client.get(listing, {"alignment": "none"}))
    assert "Сценарий праздника" in nothing and "Урок 14. Теорема Виета" not in nothing


def test_coverage_report_and_its_csv(client, users, catalog):
    from content_repo.alignment.decisions import accept

    accept(Alignment.objects.get(resource=catalog[0], topic__code="algebra.8.5").pk, users.methodist)
    client.force_login(users.reader)
    query = {"subject": "algebra", "grade": "8", "variant": "базовый", "min_confirmed": "1"}
    page = text(client.get("/admin/alignment/coverage/", query))
    assert "Узлов программы: 13; с материалом меньше нормы (подтверждённых ресурсов меньше 1): 12" in page
    assert "Уравнения и неравенства. Квадратные уравнения 8 базовый 15 1 1" in page

    export = client.get("/admin/alignment/coverage/", query | {"export": "csv"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert lines[0] == "Код,Узел,Вид,Класс,Вариант,Часов,Подтверждено,Только предложено,Мало материала"
    assert "algebra.8.5,Уравнения и неравенства. Квадратные уравнения,section,8,базовый,15,1,1," in lines
    assert len(lines) == 14


def test_a_collection_takes_the_resources_of_a_chosen_topic(client, users, catalog):
    from content_repo.alignment.decisions import accept
    from content_repo.collections.models import Collection

    accept(Alignment.objects.get(resource=catalog[1], topic__code="algebra.8.5").pk, users.methodist)
    client.force_login(users.methodist)
    add = client.get("/admin/snippets/collections/collection/add/").content.decode()
    assert "Добавить ресурсы темы" in add and 'id="topic-chooser-subject"' in add
    data = {
        "title": "Квадратные уравнения",
        "slug": "kvadratnye",
        "description": "",
        "add_topic": Topic.objects.get(code="algebra.8.5").pk,
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    response = client.post("/admin/snippets/collections/collection/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    collection = Collection.objects.get(slug="kvadratnye")
    # Confirmed first (the quadratic equations lesson), then suggestions by score (Vieta, 0.775).
    assert [item.resource.title for item in collection.items.order_by("sort_order")] == [
        "Урок 15. Решение квадратных уравнений по формуле",
        "Урок 14. Теорема Виета",
    ]
