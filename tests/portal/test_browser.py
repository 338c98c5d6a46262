"""The teachers' journeys in a real browser: Debian's Chromium driven by Playwright against `runserver`.

The server runs over its own copy of the test database with the demo catalog (:mod:`tests.portal.seeding`).
The browser is the shared one of :mod:`tests.harness.browser` (Debian's Chromium). Screenshots of every page type,
desktop and phone, are written to ``$PORTAL_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.harness.browser import (  # noqa: F401 - autouse fixtures of this module
    UNNAMED,
    close_connections_of_this_loop,
    screenshot_folder,
    seeded_site,
    sync_database_work_beside_playwright,
)

PHONE = {"width": 390, "height": 844}

# pytest-django creates the test database (which the site's copy is made from) only for marked tests.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """`runserver` (DEBUG on, so it serves the static files) over a copy of the test database with the demo."""
    yield from seeded_site(django_db_blocker, tmp_path_factory.mktemp("portal-site"), "tests.portal.seeding")


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    return screenshot_folder("PORTAL_SCREENSHOTS", tmp_path_factory)


@pytest.fixture
def desktop(site, browser):
    context = browser.new_context(base_url=site.url, locale="ru-RU", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(site, browser):
    context = browser.new_context(base_url=site.url, locale="ru-RU", viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_search_narrow_open_follow_the_topic_and_back(desktop, screenshots):
    page = desktop
    page.goto("/")
    page.get_by_label("Что ищем?").fill("дроби 5 класс")
    page.get_by_label("Что ищем?").press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.get_by_role("heading", level=2, name="Найдено 3 ресурса").is_visible()
    page.screenshot(path=screenshots / "search.png", full_page=True)
    page.get_by_role("checkbox", name=re.compile("^Десятичные дроби")).click()  # applied at once by the script
    page.wait_for_url(re.compile(r"topic=math\.5\.5"))
    assert page.get_by_role("heading", level=2, name="Найдено 1 ресурс").is_visible()
    page.get_by_role("link", name="Десятичные дроби", exact=True).first.click()
    page.wait_for_url("**/resources/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Десятичные дроби"
    assert '"@type": "LearningResource"' in page.locator('script[type="application/ld+json"]').inner_text()
    page.screenshot(path=screenshots / "resource.png", full_page=True)
    page.get_by_role("link", name="Десятичные дроби", exact=True).last.click()  # the topic of the programme
    page.wait_for_url("**/curriculum/topics/math.5.5/")
    page.get_by_role("navigation", name="Вы здесь").get_by_role("link", name="5 класс").click()
    page.wait_for_url("**/curriculum/math/5/")
    assert page.get_by_role("heading", level=1).inner_text() == "Математика, 5 класс"
    page.go_back()
    page.wait_for_url("**/curriculum/topics/math.5.5/")
    assert page.get_by_role("heading", level=1).inner_text() == "Десятичные дроби"


def test_notices_of_the_search(desktop, screenshots):
    page = desktop
    page.goto("/search/?q=lhj,b")
    assert "Показаны результаты по запросу «дроби»" in page.get_by_role("status").first.inner_text()
    page.goto("/search/?q=впр+математика+4+класс")
    assert "ВПР — сначала тесты и тренажёры" in page.get_by_role("status").first.inner_text()
    page.screenshot(path=screenshots / "search-exam.png", full_page=True)
    page.goto("/search/?q=дроби+квазары")
    assert "без слова «квазары»" in page.get_by_role("status").first.inner_text()


def test_keyboard_reaches_the_content_and_filters_wait_for_the_button(desktop):
    page = desktop
    page.goto("/search/?q=дроби")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Перейти к содержанию"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    checkbox = page.get_by_role("checkbox", name=re.compile("^5 класс"))
    checkbox.focus()
    page.keyboard.press("Space")  # from the keyboard a filter is applied with the button, not at once
    assert checkbox.is_checked() and "grade=" not in page.url
    page.get_by_role("button", name="Применить").click()
    page.wait_for_url(re.compile("grade=5"))


def test_curriculum_browser_and_collections(desktop, screenshots):
    page = desktop
    page.goto("/curriculum/")
    page.get_by_role("link", name="Математика").first.click()
    page.wait_for_url("**/curriculum/math/")
    page.get_by_role("link", name="5 класс").click()
    page.wait_for_url("**/curriculum/math/5/")
    page.screenshot(path=screenshots / "curriculum-grade.png", full_page=True)
    page.get_by_role("link", name="Обыкновенные дроби").click()
    page.wait_for_url("**/curriculum/topics/math.5.3/")
    assert page.get_by_role("link", name="Обыкновенные дроби").count() == 1  # the aligned resource
    page.goto("/collections/")
    page.get_by_role("link", name="Дроби, 5 класс").click()
    page.wait_for_url("**/collections/drobi-5/")
    items = page.locator("ol.hits h2").all_inner_texts()
    assert items == ["Обыкновенные дроби", "Десятичные дроби"]
    page.screenshot(path=screenshots / "collection.png", full_page=True)


PAGE_TYPES = {
    "home": "/",
    "search": "/search/?q=дроби&grade=5",
    "curriculum": "/curriculum/math/5/",
    "topic": "/curriculum/topics/math.5.3/",
    "collections": "/collections/",
    "collection": "/collections/drobi-5/",
}


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_every_control_has_a_name_and_the_phone_layout_fits(phone, screenshots, name):
    page = phone
    page.goto(PAGE_TYPES[name])
    snapshot = page.locator("body").aria_snapshot()
    assert not UNNAMED.findall(snapshot), snapshot
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshots / f"{name}-phone.png", full_page=True)


def test_resource_page_on_a_phone(phone, site, screenshots):
    page = phone
    page.goto("/search/?q=теорема+виета")
    page.get_by_role("link", name="Теорема Виета", exact=True).first.click()
    page.wait_for_url("**/resources/**")
    assert page.get_by_role("link", name=re.compile("^Открыть на сайте источника")).is_visible()
    assert not UNNAMED.findall(page.locator("body").aria_snapshot())
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshots / "resource-phone.png", full_page=True)
