"""Pages of the teachers' site over the demo catalog, through the Django test client."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from .seeding import DECIMALS, FRACTIONS, MULTIPLICATION, VIETA

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """What the tests read from a page: headings, links, form fields and their labels, scripts, notices."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.inputs: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self.labelled_inputs = 0
        self.assets: list[str] = []
        self.ld_json: list[str] = []
        self.lang = ""
        self._stack: list[str] = []
        self._text: list[str] = []
        self._href = ""
        self._in_label = 0
        self._in_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = attributes.get("lang", "")
        if tag in {"h1", "h2", "h3"} or tag == "a":
            self._stack.append(tag)
            self._text = []
            self._href = attributes.get("href", "")
        if tag == "label":
            self._in_label += 1
            if "for" in attributes:
                self.label_for.add(attributes["for"])
        if tag in {"input", "select"} and attributes.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attributes)
            self.labelled_inputs += bool(self._in_label)
        if tag == "script":
            if attributes.get("type") == "application/ld+json":
                self._in_ld = True
            elif "src" in attributes:
                self.assets.append(attributes["src"])
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.assets.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label -= 1
        if tag == "script":
            self._in_ld = False
        if self._stack and tag == self._stack[-1]:
            self._stack.pop()
            text = " ".join("".join(self._text).split())
            if tag == "a":
                self.links.append((text, self._href))
            else:
                self.headings.append((tag, text))

    def handle_data(self, data):
        if self._in_ld:
            self.ld_json.append(data)
        self._text.append(data)

    def link(self, text: str) -> str:
        """Where the links with this text lead (they must all lead to one place)."""
        [href] = {href for label, href in self.links if label == text}
        return href

    def h1(self) -> str:
        [heading] = [text for tag, text in self.headings if tag == "h1"]
        return heading


def page(client, url: str, status: int = 200) -> tuple[Page, str]:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    assert not response.cookies, url  # no personal data, no cookies
    html = response.content.decode()
    return Page(html), html


def test_home_has_the_search_box_subjects_by_level_and_recent_collections(client, demo):
    home, html = page(client, "/")
    assert home.h1() == "Найдите урок, тест или тренажёр по программе"
    assert [text for tag, text in home.headings if tag == "h3"][:3] == [
        "Начальная школа, 1–4 классы",
        "Основная школа, 5–9 классы",
        "Старшая школа, 10–11 классы",
    ]
    assert f"{demo.published} ресурс" in html
    assert home.link("Математика").startswith("/curriculum/math/")
    assert home.link("Дроби, 5 класс") == "/collections/drobi-5/"
    assert "Черновик подборки" not in html
    assert '<form class="searchbox" action="/search/" method="get" role="search">' in html


def test_search_results_with_counts_highlight_and_links(client, demo):
    results, html = page(client, "/search/?q=дроби+5+класс")
    assert "Найдено 3 ресурса" in html
    assert results.link("Обыкновенные дроби") == f"/resources/{demo.ids[FRACTIONS]}/"
    assert "<mark>дроби</mark>" in html
    assert "Учли в запросе: 5 класс. Подходящие ресурсы — выше." in html


def test_facets_are_multi_select_and_live_in_the_url(client, demo):
    one, html = page(client, "/search/?q=дроби&grade=5")
    both, _ = page(client, "/search/?q=дроби&grade=5&grade=6")
    assert "Найдено 2 ресурса" in html
    assert '<input type="checkbox" name="grade" value="5" checked> 5 класс <span class="count">2</span>' in html
    # The grade facet still offers 6th grade (multi-select: it is counted without the grade filter).
    assert '<input type="checkbox" name="grade" value="6"> 6 класс <span class="count">1</span>' in html
    remove = one.link("Класс: 5 класс × — убрать")
    assert parse_qs(urlsplit(remove).query) == {"q": ["дроби"]}
    assert re.search(r"Найдено 3 ресурса", client.get("/search/?q=дроби&grade=5&grade=6").content.decode())
    assert ("Класс: 6 класс × — убрать", "?q=%D0%B4%D1%80%D0%BE%D0%B1%D0%B8&grade=5") in both.links


def test_layout_typo_and_words_not_used_are_told(client, demo):
    _, layout = page(client, "/search/?q=lhj,b")
    assert "Показаны результаты по запросу «<strong>дроби</strong>» (набрано: «lhj,b»)." in layout
    _, typo = page(client, "/search/?q=тиорема+виета")
    assert "Показаны результаты по запросу «<strong>теорема виета</strong>»" in typo
    _, relaxed = page(client, "/search/?q=дроби+квазары")
    assert "Показаны результаты по части слов — без слова «квазары»." in relaxed
    assert "Найдено 3 ресурса" in relaxed


def test_an_exam_query_never_dead_ends(client, demo):
    results, html = page(client, "/search/?q=впр+математика+4+класс")
    assert "Ничего не найдено" not in html
    assert "ВПР — сначала тесты и тренажёры" in html
    only_grade = results.link("Только 4 класс")
    assert parse_qs(urlsplit(only_grade).query)["grade"] == ["4"]


def test_everyday_topic_name_finds_the_programme_topic(client, demo):
    results, _ = page(client, "/search/?q=таблица+умножения")
    assert results.link("Умножение и деление") == f"/resources/{demo.ids[MULTIPLICATION]}/"


def test_nothing_found_offers_ways_out(client, demo):
    results, html = page(client, "/search/?q=квазары&type=test")
    assert "Ничего не найдено" in html
    assert "Ничего не нашлось по запросу «квазары»." in html
    # The ticked filter keeps its label though nothing is counted for it.
    assert '<input type="checkbox" name="type" value="test" checked> Тест <span class="count">0</span>' in html
    assert parse_qs(urlsplit(results.link("Искать без фильтров")).query) == {"q": ["квазары"]}
    assert results.link("Открыть программу по предметам") == "/curriculum/"


def test_sorting_and_paging_by_cursor(client, demo):
    first, html = page(client, "/search/?subject=informatics&sort=title")
    assert "Найдено 61 ресурс" in html
    second_url = first.link("Следующая страница →")
    assert parse_qs(urlsplit(second_url).query)["p"] == ["2"]
    second, second_html = page(client, "/search/" + second_url)
    assert "страница 2" in second_html
    titles = [text for text, href in first.links if href.startswith("/resources/")]
    later = [text for text, href in second.links if href.startswith("/resources/")]
    assert len(titles) == len(later) == 20
    assert sorted(titles + later, key=str.lower) == titles + later
    assert second.link("← К первой странице") == "?subject=informatics&sort=title"


def test_a_parameter_the_api_refuses_is_dropped_and_said(client, demo):
    _, html = page(client, "/search/?q=дроби&grade=99")
    assert "Параметр «grade» не подошёл и не учтён" in html
    assert "Найдено 3 ресурса" in html


def test_resource_page(client, demo):
    resource, html = page(client, f"/resources/{demo.ids[FRACTIONS]}/")
    assert resource.h1() == "Обыкновенные дроби"
    assert resource.link("Математика") == "/curriculum/math/"
    assert resource.link("Обыкновенные дроби") == "/curriculum/topics/math.5.3/"
    assert ">Обыкновенные дроби</a>, 5 класс</li>" in html  # topics of the same name in two grades stay apart
    assert resource.link("Открыть на сайте источника (откроется в новой вкладке)") == (
        "https://resh.edu.ru/subject/lesson/7733/"
    )
    assert "<dt>Класс</dt><dd>5 класс</dd>" in html
    assert "<dt>Доступ</dt><dd>Бесплатно, без регистрации</dd>" in html
    assert "Можно смотреть и показывать на уроке с сайта источника; копировать и изменять нельзя." in html
    assert [text for tag, text in resource.headings if tag == "h2"][:3] == ["Кратко", "Темы программы", "Части урока"]
    assert "Основная часть" in html
    [document] = [json.loads(text) for text in resource.ld_json]
    assert (document["@type"], document["name"]) == ("LearningResource", "Обыкновенные дроби")
    assert document["educationalAlignment"][-1]["targetUrl"].endswith("/api/v1/curriculum/topics/math.5.3")
    # The topic has no other resource: resources of the same subject and grade are offered instead.
    assert "Ещё по этой теме" not in html
    assert resource.link("Десятичные дроби") == f"/resources/{demo.ids[DECIMALS]}/"


def test_related_resources_of_the_same_subject_and_grade(client, demo):
    resource, html = page(client, f"/resources/{demo.ids[MULTIPLICATION]}/")
    related = [text for text, href in resource.links if href.startswith("/resources/")]
    assert "Похожие ресурсы" in html
    assert related and "Умножение и деление" not in related


def test_unpublished_resources_are_nowhere(client, demo):
    _, html = page(client, f"/resources/{demo.draft_id}/", status=404)
    assert "Такого ресурса в каталоге нет" in html
    search, _ = page(client, "/search/?q=черновик+квазарах")
    assert not [href for _, href in search.links if demo.draft_id in href]
    collection, collection_html = page(client, "/collections/drobi-5/")
    assert "Черновик урока" not in collection_html
    page(client, f"/collections/{demo.hidden_collection_slug}/", status=404)


def test_curriculum_browser_from_subject_to_a_topic_and_back(client, demo):
    index, _ = page(client, "/curriculum/")
    subject, _ = page(client, index.link("Математика"))
    assert subject.h1() == "Математика"
    grade, grade_html = page(client, subject.link("5 класс"))
    assert grade.h1() == "Математика, 5 класс"
    section_url = grade.link("Обыкновенные дроби")
    assert 'Обыкновенные дроби</a> <span class="count">· 1 ресурс</span>' in grade_html
    topic, topic_html = page(client, section_url)
    assert topic.h1() == "Обыкновенные дроби"
    assert topic.link("Обыкновенные дроби") == f"/resources/{demo.ids[FRACTIONS]}/"
    assert "Ресурсы по разделу: 1" in topic_html
    assert topic.link("5 класс") == "/curriculum/math/5/"


def test_a_topic_without_resources_offers_similar_ones(client, demo):
    topic, html = page(client, "/curriculum/topics/math.5.2/")
    assert "Ресурсов, привязанных к разделу, пока нет" in html
    assert "Похожие по названию раздела ресурсы предмета «Математика» для 5 класса" in html
    assert any(href.startswith("/resources/") for _, href in topic.links)


def test_collections_and_their_pages(client, demo):
    index, html = page(client, "/collections/")
    assert index.link("Дроби, 5 класс") == "/collections/drobi-5/"
    assert "Черновик подборки" not in html
    collection, html = page(client, "/collections/drobi-5/")
    items = [text for text, href in collection.links if href.startswith("/resources/")]
    assert items == ["Обыкновенные дроби", "Десятичные дроби"]
    assert "Начать с этого урока" in html
    assert collection.link("Десятичные дроби") == f"/resources/{demo.ids[DECIMALS]}/"


def test_sitemap_and_robots(client, demo):
    sitemap = client.get("/sitemap.xml").content.decode()
    locations = re.findall(r"<loc>(.*?)</loc>", sitemap)
    resources = [url for url in locations if "/resources/" in url]
    assert len(resources) == demo.published
    assert f"http://testserver/resources/{demo.ids[VIETA]}/" in resources
    assert f"http://testserver/resources/{demo.draft_id}/" not in locations
    assert "http://testserver/collections/drobi-5/" in locations
    assert "http://testserver/collections/chernovik/" not in locations
    assert "http://testserver/curriculum/math/5/" in locations
    robots = client.get("/robots.txt")
    assert robots["Content-Type"] == "text/plain; charset=utf-8"
    assert robots.content.decode().splitlines()[-1] == "Sitemap: http://testserver/sitemap.xml"


PAGES = [
    "/",
    "/search/?q=дроби",
    "/search/?q=квазары",
    "/curriculum/",
    "/curriculum/math/",
    "/curriculum/math/5/",
    "/curriculum/topics/math.5.3/",
    "/collections/",
    "/collections/drobi-5/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_accessible_in_structure_and_self_contained(client, demo, url):
    parsed, html = page(client, url)
    assert parsed.lang == "ru"
    assert len([tag for tag, _ in parsed.headings if tag == "h1"]) == 1
    # Every visible field has a label: wrapped in one or named by its id.
    unlabelled = [field for field in parsed.inputs if field.get("id") not in parsed.label_for]
    assert len(unlabelled) == parsed.labelled_inputs, unlabelled
    assert all(text for text, _ in parsed.links), "a link without text"
    assert parsed.assets and all(asset.startswith("/static/") for asset in parsed.assets)
    assert "Перейти к содержанию" in html


def test_resource_page_is_accessible_and_self_contained(client, demo):
    parsed, _ = page(client, f"/resources/{demo.ids[VIETA]}/")
    assert len([tag for tag, _ in parsed.headings if tag == "h1"]) == 1
    assert all(asset.startswith("/static/") for asset in parsed.assets)


def test_search_page_weight_is_within_budget(client, demo):
    size = len(client.get("/search/?q=урок").content)
    assert size < 100_000, size


def test_suggestions_for_the_search_box(client, demo):
    response = client.get("/suggest/", {"q": "теорема ви"})
    assert response.json() == {"suggestions": ["Теорема Виета"]}
    assert client.get("/suggest/", {"q": " "}).json() == {"suggestions": []}


def test_the_admin_and_the_api_stay_where_they_were(client, demo):
    assert client.get("/admin/").status_code == 302
    api = client.get("/api/v1/search/", {"q": "дроби", "grade": "5"})
    assert (api.status_code, api.json()["count"]) == (200, 2)
    assert client.get("/api/v1/collections/drobi-5").json()["title"] == "Дроби, 5 класс"
