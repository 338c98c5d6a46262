"""The admin's views and helpers through Django's test client on the real database (no browser): bulk-action
pages, the morphology search of resources, the catalog search, «Запустить сбор», collection addresses and
«В подборку», human values and Russian counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from content_repo.admin_display import human
from content_repo.collections.models import Collection, CollectionItem
from content_repo.collections.slugs import collection_slug, transliterate
from content_repo.resources.admin_forms import LinesListField
from content_repo.resources.admin_search import search_resources
from content_repo.resources.models import Resource
from content_repo.resources.russian import plural
from tests.factories import make_resource, make_user

pytestmark = pytest.mark.django_db

LIST = "/admin/snippets/resources/resource/"


@pytest.fixture
def fractions(users):
    """A published lesson «Дроби и проценты» and a vendor's draft «Сравнение дробей»."""
    published = make_resource(title="Дроби и проценты", publish=True, subjects=["math"], grades=[5])
    draft = make_resource(title="Сравнение дробей", provider=users.org_a, subjects=["math"], grades=[5])
    make_resource(title="Квадратные уравнения", publish=True)
    return published, draft


def _index_published() -> None:
    from search.backends.database import DatabaseSearchBackend
    from search.indexing import published_documents

    DatabaseSearchBackend({}).rebuild(published_documents(read_ahead=0))


def test_the_bulk_page_names_its_buttons_and_returns_to_the_list_it_came_from(client, users, fractions):
    client.force_login(users.methodist)
    ids = "&".join(f"id={resource.pk}" for resource in fractions)
    referer = f"http://testserver{LIST}?subject=math&grade=5"
    page = client.get(f"/admin/bulk/resources/resource/set_grades/?{ids}", HTTP_REFERER=referer).content.decode()
    assert '<button type="submit" class="button ">Применить</button>' in page
    assert f'<a href="{referer.replace("&", "&amp;")}" class="button button-secondary">Отмена</a>' in page
    assert "next=http%3A%2F%2Ftestserver%2Fadmin%2Fsnippets%2Fresources%2Fresource%2F%3Fsubject%3Dmath" in page

    without_referer = client.get(f"/admin/bulk/resources/resource/set_grades/?{ids}").content.decode()
    assert f'<a href="{LIST}" class="button button-secondary">Отмена</a>' in without_referer


def test_add_to_collection_publishes_a_live_collection_and_keeps_a_draft_a_draft(client, users, fractions):
    published, draft = fractions
    live = Collection.objects.create(title="Дроби", slug="drobi", live=True)
    live.save_revision().publish()
    client.force_login(users.methodist)
    url = f"/admin/bulk/resources/resource/add_to_collection/?id={published.pk}&id={draft.pk}&next={LIST}"

    assert client.post(url, {"collection": live.pk}).status_code == 302
    assert client.post(url, {"collection": live.pk}).status_code == 302  # again: nothing is added twice

    live.refresh_from_db()
    assert sorted(item.resource.title for item in live.items.all()) == ["Дроби и проценты", "Сравнение дробей"]
    assert not live.has_unpublished_changes

    hidden = Collection.objects.create(title="Черновик", slug="chernovik", live=False)
    hidden.save_revision()
    assert client.post(url, {"collection": hidden.pk}).status_code == 302
    assert CollectionItem.objects.filter(collection=hidden).count() == 0  # the row waits for publishing
    assert len(Collection.objects.get(pk=hidden.pk).get_latest_revision_as_object().items.all()) == 2


def _messages(response) -> list[str]:
    from django.contrib.messages import get_messages

    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def test_add_to_collection_says_a_live_collection_was_published_for_a_user_who_may(client, users, fractions):
    published, draft = fractions
    live = Collection.objects.create(title="Дроби", slug="drobi", live=True)
    live.save_revision().publish()
    client.force_login(users.methodist)
    url = f"/admin/bulk/resources/resource/add_to_collection/?id={published.pk}&next={LIST}"
    assert _messages(client.post(url, {"collection": live.pk})) == ["В подборку «Дроби» добавлено ресурсов: 1"]
    assert [item.resource for item in Collection.objects.get(pk=live.pk).items.all()] == [published]


def test_add_to_collection_without_the_right_to_publish_leaves_a_draft_and_says_so(client, users, fractions):
    from django.contrib.auth.models import Group, Permission

    from content_repo.resources.roles import METHODISTS

    published, draft = fractions
    live = Collection.objects.create(title="Дроби", slug="drobi", live=True)
    live.save_revision().publish()
    editors = Group.objects.create(name="Редакторы подборок")
    permissions = Group.objects.get(name=METHODISTS).permissions.exclude(codename="publish_collection")
    editors.permissions.set(Permission.objects.filter(pk__in=permissions.values("pk")))
    editor = make_user("editor")
    editor.groups.add(editors)
    assert editor.has_perm("collections.change_collection") and not editor.has_perm("collections.publish_collection")
    client.force_login(editor)
    url = f"/admin/bulk/resources/resource/add_to_collection/?id={published.pk}&id={draft.pk}&next={LIST}"

    response = client.post(url, {"collection": live.pk})
    assert response.status_code == 302
    assert _messages(response) == [
        "В подборку «Дроби» добавлено ресурсов: 2. Изменения сохранены черновиком подборки: публиковать подборки "
        "вам не разрешено, опубликовать их может методист"
    ]
    stored = Collection.objects.get(pk=live.pk)
    assert stored.live and stored.has_unpublished_changes
    assert CollectionItem.objects.filter(collection=live).count() == 0  # nothing published
    assert len(stored.get_latest_revision_as_object().items.all()) == 2


def test_resources_are_found_by_another_form_of_the_word_drafts_included(users, fractions):
    published, draft = fractions
    _index_published()
    found = search_resources(Resource.objects.all(), "дробь")
    assert sorted(found.values_list("title", flat=True)) == ["Дроби и проценты", "Сравнение дробей"]
    assert list(search_resources(Resource.objects.all(), "процентами").values_list("title", flat=True)) == [
        "Дроби и проценты"
    ]
    assert search_resources(Resource.objects.all(), "квазары").count() == 0


def test_the_backend_hook_finds_published_resources_only(users, fractions):
    from search.wagtail_hooks import published_resources_matching

    published, draft = fractions
    _index_published()
    assert published_resources_matching("дробь") == [str(published.pk)]


def test_catalog_search_finds_resources_collections_and_topics_and_a_vendor_only_its_own(client, users, fractions):
    Collection.objects.create(title="Дроби, 5 класс", slug="drobi-5", live=True)
    client.force_login(users.methodist)
    page = client.get(reverse("catalog_search"), {"q": "дробь"}).content.decode()
    assert "Ресурсы: 2" in page and "Дроби и проценты" in page and "Сравнение дробей" in page
    assert "Подборки: 1" in page and "Дроби, 5 класс" in page
    assert "Обыкновенные дроби" in page  # a topic of the programme

    client.force_login(users.vendor_b)
    page = client.get(reverse("catalog_search"), {"q": "дробь"}).content.decode()
    assert "Ресурсы: 0" in page and "Сравнение дробей" not in page
    assert "Подборки:" not in page.split("Ресурсы: 0")[1] or "Дроби, 5 класс" not in page


def test_the_sidebar_search_is_the_catalogs(client, users):
    client.force_login(users.methodist)
    page = client.get("/admin/").content.decode()
    assert '"/admin/catalog-search/"' in page  # the sidebar's search module posts here
    assert "Искать на всех страницах" not in page


def test_only_administrators_start_a_harvest(client, users):
    from importers.builtin import ensure_builtin_sources
    from importers.models import HarvestJob, HarvestSource

    ensure_builtin_sources()
    source = HarvestSource.objects.get(code="resh")
    url = reverse("importers_run_harvest", args=[source.pk])
    client.force_login(users.methodist)
    refused = client.post(url)  # Wagtail answers a refusal in the admin with a message on the dashboard
    assert (refused.status_code, refused.url) == (302, "/admin/")
    assert "Запустить сбор" not in client.get(reverse("harvest_sources:inspect", args=[source.pk])).content.decode()
    assert HarvestJob.objects.count() == 0
    client.force_login(users.admin)
    assert "Запустить сбор" in client.get(reverse("harvest_sources:inspect", args=[source.pk])).content.decode()
    assert "Собрать источник «Российская электронная школа»" in client.get(url).content.decode()


def test_collection_address_from_the_russian_title():
    assert transliterate("Щука ёжик") == "shchuka ezhik"
    assert collection_slug("Дроби: шаг за шагом") == "drobi-shag-za-shagom"
    Collection.objects.create(title="Дроби", slug="drobi")
    Collection.objects.create(title="Дроби", slug="drobi-2")
    assert collection_slug("Дроби") == "drobi-3"
    assert collection_slug("!!!") == "podborka"


def test_a_collection_saved_without_an_address_gets_one(client, users):
    client.force_login(users.methodist)
    data = {"title": "Подготовка к ОГЭ", "slug": "", "description": "", "items-TOTAL_FORMS": "0"}
    data |= {"items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000"}
    response = client.post("/admin/snippets/collections/collection/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Collection.objects.get().slug == "podgotovka-k-oge"


def test_human_values_and_russian_counts():
    assert [human(True), human(None), human([5, 6]), human({"rate": 1.0, "full": False})] == [
        "да",
        "—",
        "5, 6",
        "запросов в секунду: 1.0; полный сбор: нет",
    ]
    forms = ("ресурс", "ресурса", "ресурсов")
    assert [plural(n, forms) for n in (1, 2, 5, 11, 21, 22, 112, 267)] == [
        "ресурс",
        "ресурса",
        "ресурсов",
        "ресурсов",
        "ресурс",
        "ресурса",
        "ресурсов",
        "ресурсов",
    ]


def test_lists_are_edited_one_per_line_and_old_json_is_still_read():
    field = LinesListField(required=False)
    assert field.prepare_value(["дроби", "сложение"]) == "дроби\nсложение"
    assert field.clean("дроби\n\n сложение \nдроби") == ["дроби", "сложение"]
    assert field.clean('["Иванова А. А.", "Петров"]') == ["Иванова А. А.", "Петров"]
    assert field.clean("") == []


def test_wagtails_english_default_groups_are_gone():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert names == {"Администраторы", "Методисты", "Поставщики", "Только чтение"}


def test_add_forms_do_not_autosave_but_edit_forms_do(client, users, fractions):
    client.force_login(users.methodist)
    for url in ("/admin/snippets/collections/collection/add/", f"{LIST}add/"):
        assert "data-w-autosave-interval-value" not in client.get(url).content.decode(), url
    assert "data-w-autosave-interval-value" in client.get(f"{LIST}edit/{fractions[0].pk}/").content.decode()


def test_administrators_edit_a_sources_schedule_and_methodists_do_not(client, users):
    from importers.builtin import ensure_builtin_sources
    from importers.models import HarvestSource

    ensure_builtin_sources()
    source = HarvestSource.objects.get(code="resh")
    url = reverse("harvest_sources:edit", args=[source.pk])
    data = {"schedule": "12h", "rate_limit": "0.5", "publish_policy": source.publish_policy, "enabled": "on"}
    client.force_login(users.methodist)
    assert client.post(url, data).status_code == 302
    assert HarvestSource.objects.get(pk=source.pk).schedule == source.schedule  # refused: nothing changed

    client.force_login(users.admin)
    page = client.post(url, data | {"schedule": "каждый вторник"}).content.decode()
    assert HarvestSource.objects.get(pk=source.pk).schedule == source.schedule
    assert "errorlist" in page or "error-message" in page
    assert client.post(url, data).status_code == 302
    saved = HarvestSource.objects.get(pk=source.pk)
    assert (saved.schedule, saved.rate_limit, saved.base_url) == ("12h", 0.5, source.base_url)


def test_a_jobs_page_shows_moscow_time_and_words_not_codes(client, users):
    import datetime

    from importers.builtin import ensure_builtin_sources
    from importers.models import HarvestJob, HarvestSource

    ensure_builtin_sources()
    started = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)
    job = HarvestJob.objects.create(
        source=HarvestSource.objects.get(code="resh"),
        state=HarvestJob.State.PARTIAL,
        started_at=started,
        finished_at=started + datetime.timedelta(minutes=5),
        gather_status="incomplete",
        options={"rate": 2.0, "full": False, "since": None},
    )
    client.force_login(users.methodist)
    page = client.get(reverse("harvest_jobs:inspect", args=[job.pk])).content.decode()
    assert "01.12.2026 13:00" in page and "01.12.2026 13:05" in page  # 10:00 UTC in Moscow
    assert "не весь список (снятие не проводилось)" in page
    assert "запросов в секунду: 2.0; полный сбор: нет; изменения с: —" in page
    assert "incomplete" not in page and "False" not in page


def test_the_misses_report_is_the_methodists(client, users):
    url = reverse("search_misses_report")
    client.force_login(users.vendor_a)
    assert url not in client.get("/admin/").content.decode()
    refused = client.get(url)
    assert (refused.status_code, refused.url) == (302, "/admin/")
    client.force_login(users.methodist)
    assert "Что ищут и не находят" in client.get(url).content.decode()


def test_a_vendor_chooses_among_its_own_resources_and_published_ones_never_sees_others_rejections(client, users):
    own = make_resource(title="Дроби: свой отклонённый", provider=users.org_a)
    theirs = make_resource(title="Дроби: чужой отклонённый", provider=users.org_b)
    make_resource(title="Дроби: чужой черновик", provider=users.org_b)
    make_resource(title="Дроби: чужой опубликованный", provider=users.org_b, publish=True)
    Resource.objects.filter(pk=own.pk).update(status=Resource.Status.REJECTED, status_reason="нет лицензии у своего")
    Resource.objects.filter(pk=theirs.pk).update(status=Resource.Status.REJECTED, status_reason="плагиат у чужого")
    url = reverse(Resource.snippet_viewset.chooser_viewset.get_url_name("choose_results"))  # type: ignore[attr-defined]

    client.force_login(users.vendor_a)
    page = client.get(url).content.decode()
    assert "Дроби: свой отклонённый" in page and "нет лицензии у своего" in page
    assert "Дроби: чужой опубликованный" in page
    assert "чужой отклонённый" not in page and "плагиат у чужого" not in page and "чужой черновик" not in page
    refused = client.get(url, {"status": Resource.Status.REJECTED}).content.decode()
    assert "свой отклонённый" in refused and "чужой" not in refused

    client.force_login(users.methodist)
    page = client.get(url).content.decode()
    assert "чужой черновик" in page and "плагиат у чужого" in page


def _aligned_to_a_codifier(numbers: range) -> None:
    """Resources harvested from «resh», each aligned to a codifier element of its own."""
    from content_repo.curriculum.models import CodifierElement
    from content_repo.resources.models import Alignment, SourceLayer

    for n in numbers:
        element = CodifierElement.objects.create(
            code=f"test-oge-math:{n}",
            codifier="test-oge-math",
            exam="ОГЭ",
            kind="element",
            element_code=str(n),
            title=f"Элемент кодификатора {n}",
        )
        resource = make_resource(title=f"Урок {n}")
        Alignment.objects.create(resource=resource, codifier_element=element, status=Alignment.Status.CONFIRMED)
        SourceLayer.objects.create(resource=resource, source="resh", external_id=str(n))


def test_the_resource_list_reads_codifier_topics_and_sources_in_the_same_queries_for_any_number_of_rows(
    client, users, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users.methodist)
    _aligned_to_a_codifier(range(1))
    client.get(LIST)  # the first request warms per-process caches (content types, site)
    with CaptureQueriesContext(connection) as one_row:
        assert "Элемент кодификатора 0" in client.get(LIST).content.decode()
    _aligned_to_a_codifier(range(1, 7))
    with django_assert_max_num_queries(len(one_row)):
        page = client.get(LIST).content.decode()
    assert page.count("Элемент кодификатора") == 7


def _cells(page: str, text: str) -> int:
    return len(re.findall(rf"<td[^>]*>\s*{re.escape(text)}\s*</td>", page))


def test_a_renamed_harvest_source_shows_its_new_name_in_the_list_at_once(client, users):
    from importers.builtin import ensure_builtin_sources
    from importers.models import HarvestSource

    ensure_builtin_sources()
    _aligned_to_a_codifier(range(2))
    client.force_login(users.methodist)
    assert _cells(client.get(LIST).content.decode(), "Российская электронная школа") == 2
    HarvestSource.objects.filter(code="resh").update(name="РЭШ (переименована)")
    page = client.get(LIST).content.decode()
    assert (_cells(page, "РЭШ (переименована)"), _cells(page, "Российская электронная школа")) == (2, 0)


def test_the_login_page_names_the_catalog_not_wagtail(client):
    page = client.get("/admin/login/").content.decode()
    assert "<h1>Вход в каталог образовательных ресурсов</h1>" in page
    assert "Войти в Wagtail" not in page and "Sign in to Wagtail" not in page
