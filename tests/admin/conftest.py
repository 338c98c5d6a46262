"""The admin's browser tests: one `runserver` over a copy of the test database with the demo catalog and the
users of every role (:mod:`tests.admin.seeding`), shared by the modules of this folder; Chromium from
:mod:`tests.harness.browser`. Screenshots go to ``$ADMIN_SCREENSHOTS`` (default: a temporary folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.browser import browser, playwright_api, screenshot_folder, seeded_site  # noqa: F401

VIEWPORT = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def admin_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """`runserver` (DEBUG on, so it serves the static files) over a copy of the test database with the demo."""
    yield from seeded_site(django_db_blocker, tmp_path_factory.mktemp("admin-site"), "tests.admin.seeding")


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    return screenshot_folder("ADMIN_SCREENSHOTS", tmp_path_factory)


def log_in(browser_, site, username: str):
    """A page of a new browser context, logged in as ``username`` (password ``pass-<username>``).

    The browser asks for English: the admin must answer in Russian all the same."""
    context = browser_.new_context(base_url=site.url, locale="en-US", viewport=VIEWPORT)
    page = context.new_page()
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(f"pass-{username}")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/admin/")
    return page


@pytest.fixture
def methodist(admin_site, browser):  # noqa: F811 - the fixture imported above
    page = log_in(browser, admin_site, "methodist")
    yield page
    page.context.close()


@pytest.fixture
def vendor(admin_site, browser):  # noqa: F811 - the fixture imported above
    page = log_in(browser, admin_site, "vendor_a")
    yield page
    page.context.close()
