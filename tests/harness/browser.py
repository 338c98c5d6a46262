"""A real browser for tests: Debian's Chromium (``/usr/bin/chromium``) driven by Playwright's sync API.

Playwright's own browser download is not used. Without Playwright or Chromium the tests are skipped, and with
``CI=true`` they fail. Import the fixtures into a test module or conftest (the portal's and the admin's browser
tests share them):

- ``browser`` — one Chromium per module (``playwright_api`` starts Playwright);
- two autouse helpers a module must import too: ``sync_database_work_beside_playwright`` (Playwright keeps an
  event loop in the test thread, and Django then refuses database work there) and
  ``close_connections_of_this_loop`` (connections opened beside that loop are closed after each test, or
  PostgreSQL refuses to drop the test database);
- ``UNNAMED`` finds controls without an accessible name in Playwright's ARIA snapshot.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A control without an accessible name in Playwright's ARIA snapshot: `- link` with no quoted name.
UNNAMED = re.compile(r"^\s*- (link|button|checkbox|radio|combobox|textbox|searchbox|slider)\s*(:|\[|$)", re.M)


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run: {reason}")
    pytest.skip(f"{reason} (set CI=true to make this a failure)")


@pytest.fixture(scope="module", autouse=True)
def sync_database_work_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread, and Django then refuses database work here
    (each test's savepoint). No Django code runs in that loop, so the check is lifted for this module."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def close_connections_of_this_loop():
    """Connections opened while Playwright's loop runs are kept apart by Django; close them after each test, or
    PostgreSQL refuses to drop the test database at the end ("being accessed by other users")."""
    yield
    from django.db import connections

    connections.close_all()


@pytest.fixture(scope="module")
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed")
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (Debian package chromium)")
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="module")
def browser(playwright_api):
    browser = playwright_api.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def seeded_site(blocker, workdir: Path, seed_module: str):
    """`runserver` (DEBUG on, so it serves the static files) over a copy of the test database, seeded by
    ``seed_module.seed()``; a fixture yields from it (``blocker`` is pytest-django's ``django_db_blocker``)."""
    from tests.harness.live_server import LiveServer, clone_test_database, drop_database, run_django

    with blocker.unblock():
        url = clone_test_database(workdir)
    try:
        run_django(url, f"from {seed_module} import seed\nseed()\n")
        with LiveServer.start_new(url, workdir, {"DEBUG": "true"}) as server:
            yield server
    finally:
        with blocker.unblock():
            drop_database(url)


def screenshot_folder(variable: str, tmp_path_factory) -> Path:
    """Where a browser suite saves its screenshots: ``$variable`` if set (kept as artifacts), else a temporary one."""
    folder = Path(os.environ.get(variable) or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
