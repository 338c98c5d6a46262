"""Every admin page a methodist (and a vendor) reaches from the menu, opened in Chromium, with the first object
of each list.

A page fails on: a 4xx/5xx answer, a button or link without an accessible name, raw Python values in its text
(``['math']``, ``{'a': 1}``, ``True``/``False``/``None``, ``<… object at 0x…>``) or JSON in its text fields,
and English words of the admin's interface from ``ENGLISH`` below (the browser asks for English). Each page's
screenshot is saved (``$ADMIN_SCREENSHOTS``).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from tests.harness.browser import (  # noqa: F401 - autouse fixtures of this module
    UNNAMED,
    close_connections_of_this_loop,
    sync_database_work_beside_playwright,
)

pytestmark = pytest.mark.django_db

RAW_VALUES = re.compile(
    r"\[\s*'[^']*'|\[\d+(?:, \d+)+\]|\{\s*'[^']*'\s*:"
    r"|\b(True|False|None)\b|<[\w.]+ object at 0x|\bcomplete\b|\bincomplete\b"
)
# Words of Wagtail's own interface that show it untranslated (whole words, case-sensitive).
ENGLISH = [
    "Search",
    "Filter",
    "Filters",
    "Add",
    "Edit",
    "Delete",
    "Cancel",
    "Save",
    "Password",
    "Moderators",
    "Editors",
    "Pages",
    "Documents",
    "Snippets",
    "Dashboard",
    "Title",
    "Status",
    "Choose",
    "Previous",
    "Next",
    "Select",
    "Sort",
    "Go back",
    "Yes",
    "No",
    "Live",
    "Draft",
    "Updated",
    "Actions",
    "More options",
]
ENGLISH_WORD = re.compile(r"\b(" + "|".join(re.escape(word) for word in ENGLISH) + r")\b")
# Object pages under a listing: the first of each list is opened too.
OBJECT_LINK = re.compile(r"/(edit|inspect)/[^/]+/$")


def menu_urls(page) -> list[str]:
    """The admin menu's links for this user, from the sidebar's data (groups unfolded)."""
    props = json.loads(page.locator("#wagtail-sidebar-props").inner_text())
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            url = node.get("url")
            if isinstance(url, str) and url.startswith("/admin/") and "logout" not in url:
                found.append(url)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(props)
    return list(dict.fromkeys(found))


def page_problems(page, response) -> list[str]:
    problems = []
    if response is None or response.status >= 400:
        problems.append(f"answered {response.status if response else 'nothing'}")
    snapshot = page.locator("body").aria_snapshot()
    unnamed = [line for line in snapshot.splitlines() if UNNAMED.match(line)]
    problems += [f"control without a name: {line.strip()}" for line in unnamed]
    fields = page.locator("main textarea, main input[type=text]").evaluate_all("els => els.map(el => el.value)")
    problems += [f"JSON in a field: {value[:60]!r}" for value in fields if value.strip()[:1] in ("[", "{")]
    text = page.locator("body").inner_text()
    problems += [
        f"raw value: {m.group(0)!r} in …{text[max(0, m.start() - 40) : m.end() + 40]!r}…"
        for m in RAW_VALUES.finditer(text)
    ]
    names = " | ".join(re.findall(r'"([^"]*)"', snapshot))  # accessible names: aria-labels, titles, alt texts
    problems += [
        f"English name: {m.group(0)!r} in …{names[max(0, m.start() - 40) : m.end() + 40]!r}…"
        for m in ENGLISH_WORD.finditer(names)
    ]
    problems += [
        f"English: {m.group(0)!r} in …{text[max(0, m.start() - 40) : m.end() + 40]!r}…"
        for m in ENGLISH_WORD.finditer(text)
    ]
    return problems


@pytest.mark.parametrize(("role", "least_pages"), [("methodist", 20), ("vendor", 3)])
def test_every_page_of_the_menu(request, admin_site, browser, screenshots, role, least_pages):
    # The site and the browser are asked for here, not only through the role's fixture, so that they are set up
    # before the test's transaction begins (the site is seeded by another process).
    page = request.getfixturevalue(role)
    urls = ["/admin/", *menu_urls(page)]
    assert "/admin/snippets/resources/resource/" in urls
    assert not [url for url in urls if "/admin/pages/" in url or "/admin/documents/" in url]
    visited: list[str] = []
    problems: dict[str, list[str]] = {}
    queue = list(urls)
    while queue:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.append(url)
        response = page.goto(url)
        found = page_problems(page, response)
        if found:
            problems[url] = found
        name = re.sub(r"[^a-z0-9]+", "-", urlsplit(url).path.lower()).strip("-") or "home"
        page.screenshot(path=screenshots / f"crawl-{role}-{name}.png", full_page=False)
        if url in urls:
            first = page.locator("main a[href]").evaluate_all("links => links.map(link => link.getAttribute('href'))")
            objects = [href for href in first if OBJECT_LINK.search(urlsplit(href).path)]
            if objects:
                queue.append(objects[0])
    assert len(visited) >= least_pages, visited
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
