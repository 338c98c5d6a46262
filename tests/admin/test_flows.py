"""A methodist's and a vendor's day in the admin, in Chromium against `runserver` (:mod:`tests.admin.conftest`).

Filter the list by subject and grade; bulk-set grades (labelled buttons, «Отмена» back to the filtered list);
choose a topic by typing part of its name; find a resource from the sidebar «Поиск»; approve one submission
and reject another with a reason that the list and the vendor then see; create a collection whose address is
made from its Russian title; add resources to it from the list; import a spreadsheet with an unknown topic
code and see the row reported under the file's own column name. Screenshots of the main pages are saved.
"""

from __future__ import annotations

import re

import pytest

from tests.admin.seeding import VENDOR_TITLES
from tests.harness.browser import (  # noqa: F401 - autouse fixtures of this module
    UNNAMED,
    close_connections_of_this_loop,
    sync_database_work_beside_playwright,
)

pytestmark = pytest.mark.django_db

LIST = "/admin/snippets/resources/resource/"


def rows(page) -> list[str]:
    """Titles of the resource list's rows, in order."""
    return [text.strip() for text in page.locator("main table tbody td.title a").all_inner_texts()]


def select(page, title: str) -> None:
    """Tick the list row of the resource titled ``title`` (once the list's scripts listen)."""
    page.wait_for_load_state("networkidle")
    link = page.get_by_role("link", name=title, exact=True)
    page.locator("main table tbody tr", has=link).get_by_role("checkbox").check()
    page.get_by_role("region", name="Массовые действия").wait_for()


def bulk(page, name: str) -> None:
    """Start the bulk action ``name`` (its link's accessible name), from the «Больше» menu if it is there."""
    link = page.get_by_role("region", name="Массовые действия").get_by_role("link", name=name)
    if not link.is_visible():
        page.get_by_role("region", name="Массовые действия").get_by_role("button", name="Больше").click()
    link.click()


def open_filter(page, name: str):
    page.get_by_role("button", name="Показать фильтры").click()
    page.get_by_role("button", name=name, exact=True).click()


def test_filter_then_bulk_set_grades_and_cancel_back_to_the_list(methodist, screenshots):
    page = methodist
    page.goto(LIST)
    page.screenshot(path=screenshots / "resources.png")
    open_filter(page, "Предмет")
    page.get_by_role("checkbox", name="Математика", exact=True).check()
    page.wait_for_url(re.compile(r"subject=math"))
    page.get_by_role("button", name="Назад").click()
    page.get_by_role("button", name="Класс", exact=True).click()
    page.get_by_role("checkbox", name="5 класс", exact=True).check()
    page.wait_for_url(re.compile(r"grade=5"))
    page.wait_for_load_state("networkidle")
    titles = rows(page)
    assert {"Обыкновенные дроби", "Десятичные дроби", *VENDOR_TITLES} <= set(titles), titles
    filtered_url = page.url
    page.keyboard.press("Escape")  # the filters' drawer closes (and fades out before the screenshot)
    page.get_by_role("tooltip").wait_for(state="hidden")
    page.screenshot(path=screenshots / "resources-filtered.png")

    select(page, "Обыкновенные дроби")
    select(page, "Десятичные дроби")
    bulk(page, "Указать классы выбранных ресурсов")
    page.wait_for_url("**/bulk/**")
    apply, cancel = page.get_by_role("button", name="Применить"), page.get_by_role("link", name="Отмена")
    assert apply.is_visible() and cancel.is_visible()
    assert not UNNAMED.findall(page.locator("main").aria_snapshot())
    page.screenshot(path=screenshots / "bulk-grades.png")
    cancel.click()
    page.wait_for_url(filtered_url)
    assert page.locator("main h1").inner_text().strip() == "Ресурсы"

    select(page, "Обыкновенные дроби")
    select(page, "Десятичные дроби")
    bulk(page, "Указать классы выбранных ресурсов")
    page.get_by_role("checkbox", name="6 класс", exact=True).check()
    page.get_by_role("button", name="Применить").click()
    page.wait_for_url(filtered_url)
    assert "Классы: обработано ресурсов — 2" in page.get_by_role("status").first.inner_text()
    row = page.locator("main table tbody tr", has_text="Обыкновенные дроби")
    assert "5, 6\u00a0класс" in row.inner_text()

    page.goto("/admin/")  # the list opened again from the menu comes back with its filters
    page.get_by_role("navigation", name="Главное меню").get_by_role("link", name="Ресурсы").click()
    page.wait_for_url(re.compile(r"subject=math.*grade=5|grade=5.*subject=math"))


def test_choose_a_topic_by_typing_part_of_its_name(methodist, screenshots):
    page = methodist
    page.goto(f"{LIST}?q=теорема+пифагора")
    select(page, "Теорема Пифагора")
    bulk(page, "Привязать выбранные ресурсы к темам программы")
    page.get_by_role("button", name="Выбрать тему").first.click()
    modal = page.locator(".modal-dialog")
    modal.get_by_label("Слова").fill("пифагор")
    modal.get_by_role("link", name=re.compile("Теорема Пифагора")).first.wait_for()
    page.wait_for_timeout(500)  # the modal's fade-in, for the screenshot only
    page.screenshot(path=screenshots / "topic-chooser.png")
    modal.get_by_role("link", name=re.compile("Теорема Пифагора")).first.click()
    page.get_by_role("button", name="Применить").click()
    page.wait_for_url(re.compile(re.escape(LIST)))
    row = page.locator("main table tbody tr", has_text="Теорема Пифагора").first
    assert "Теорема Пифагора" in row.locator("td").nth(4).inner_text()


def test_sidebar_search_finds_resources_collections_and_topics(methodist, screenshots):
    page = methodist
    page.get_by_role("complementary").get_by_role("textbox", name="Поиск").fill("дробь")
    page.get_by_role("complementary").get_by_role("textbox", name="Поиск").press("Enter")
    page.wait_for_url("**/admin/catalog-search/?q=*")
    found = page.get_by_role("main")
    resources = found.get_by_role("region", name=re.compile("^Ресурсы"))
    assert resources.get_by_role("link", name="Обыкновенные дроби", exact=True).is_visible()
    assert (
        found.get_by_role("region", name=re.compile("^Подборки"))
        .get_by_role("link", name="Дроби, 5 класс")
        .is_visible()
    )
    assert found.get_by_role("heading", name=re.compile(r"^Темы программы: \d+")).is_visible()
    page.screenshot(path=screenshots / "catalog-search.png", full_page=True)
    topics = page.get_by_role("region", name=re.compile("^Темы программы"))
    topics.get_by_role("link", name="Обыкновенные дроби", exact=True).first.click()
    page.wait_for_url(re.compile(r"topic=\d+"))
    assert "Обыкновенные дроби" in rows(page)  # aligned to the topic by the demo's methodist
    page.goto(f"{LIST}?q=дробь")
    assert "Обыкновенные дроби" in rows(page)


def test_approve_one_reject_another_with_a_reason_the_vendor_sees(methodist, vendor, screenshots):
    page = methodist
    page.goto("/admin/")
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)
    page.goto(f"{LIST}?status=in_review")
    assert sorted(rows(page)) == sorted(VENDOR_TITLES[:2])
    select(page, VENDOR_TITLES[0])
    bulk(page, "Утвердить выбранные ресурсы, находящиеся на проверке")
    page.get_by_role("button", name="Утвердить").click()
    page.wait_for_url(re.compile(r"status=in_review"))
    assert rows(page) == [VENDOR_TITLES[1]]

    page.get_by_role("link", name=VENDOR_TITLES[1], exact=True).click()
    page.get_by_role("button", name="Больше действий").click()
    page.get_by_role("button", name="Отклонить (с причиной)").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox").fill("Нет ссылки на правообладателя")
    page.screenshot(path=screenshots / "reject-dialog.png")
    # The rejection is a form POST answered by a redirect: wait for that page, or the next goto aborts it.
    with page.expect_navigation():
        dialog.get_by_role("button", name=re.compile("Отклонить")).click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{LIST}?status=rejected")
    row = page.locator("main table tbody tr", has_text=VENDOR_TITLES[1])
    assert "отклонён: Нет ссылки на правообладателя" in row.inner_text()
    page.screenshot(path=screenshots / "resources-rejected.png")

    vendor.goto(LIST)
    assert sorted(rows(vendor)) == sorted(VENDOR_TITLES)
    own = vendor.locator("main table tbody tr", has_text=VENDOR_TITLES[1])
    assert "отклонён: Нет ссылки на правообладателя" in own.inner_text()
    vendor.screenshot(path=screenshots / "vendor-resources.png")


def test_collection_gets_its_address_from_the_russian_title_and_resources_from_the_list(methodist, screenshots):
    from playwright.sync_api import expect

    page = methodist
    page.goto("/admin/snippets/collections/collection/add/")
    page.locator("#id_title").fill("Дроби: шаг за шагом")
    page.locator("#id_title").blur()
    expect(page.locator("#id_slug")).to_have_value("drobi-shag-za-shagom")
    page.screenshot(path=screenshots / "collection-add.png")
    page.get_by_role("button", name="Сохранить черновик").click()
    page.wait_for_url("**/edit/**")
    assert "Подборка «Дроби: шаг за шагом»: добавлено." in page.get_by_role("status").first.inner_text()

    page.goto(f"{LIST}?q=дробь")
    select(page, "Обыкновенные дроби")
    select(page, "Десятичные дроби")
    bulk(page, "Добавить выбранные ресурсы в подборку")
    page.get_by_label("Подборка").select_option(label="Дроби: шаг за шагом")
    page.get_by_role("button", name="Добавить в подборку").click()
    assert "В подборку «Дроби: шаг за шагом» добавлено ресурсов: 2" in page.get_by_role("status").first.inner_text()


def test_spreadsheet_with_an_unknown_topic_code_is_reported_by_row(methodist, screenshots, tmp_path):
    sheet = tmp_path / "уроки.csv"
    sheet.write_text(
        "название;адрес;предмет;классы;темы\n"
        "Дроби на пальцах;https://example.org/a;Математика;5;math.5.3\n"
        "Дроби в картинках;https://example.org/b;Математика;5;math.99.99\n",
        encoding="utf-8",
    )
    page = methodist
    page.goto("/admin/importers/upload/")
    page.get_by_label("Таблица (CSV или XLSX)").set_input_files(sheet)
    page.get_by_role("button", name="Проверить").click()
    page.get_by_role("heading", name=re.compile("^Проверка: строк 2")).wait_for()
    problem = page.locator("tr.problem")
    assert problem.count() == 1
    assert [cell.strip() for cell in problem.locator("td").all_inner_texts()] == [
        "строка 3",
        "темы",
        "неизвестный код темы программы: 'math.99.99'",
    ]
    page.screenshot(path=screenshots / "spreadsheet-report.png", full_page=True)
    page.get_by_role("button", name="Загрузить 1 строку").click()
    assert "Таблица «уроки.csv» загружена" in page.get_by_role("status").first.inner_text()
