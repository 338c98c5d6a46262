"""The API documentation works offline (Swagger UI from the project's own static files) and /api/v1/ is an
index of the entry points."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_nothing_from_outside():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html[:500]
    assert [source for source in sources if re.match(r"^(https?:)?//", source)] == []
    assert "cdn." not in html
    scripts = [source for source in sources if source.endswith(".js")]
    assert any("swagger-ui-bundle" in script for script in scripts)
    for source in sources:  # every asset is one of the project's static files
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source


def test_the_api_root_is_an_index_of_entry_points():
    response = Client().get("/api/v1/")
    assert response.status_code == 200
    links = response.json()["links"]
    assert links["resources"]["href"] == "http://testserver/api/v1/resources/"
    assert links["oai_pmh"]["href"] == "http://testserver/oai/"
    assert links["dumps"]["href"] == "http://testserver/api/v1/dumps/"
    assert links["case"]["href"] == "http://testserver/api/v1/curriculum/case/{framework}/"
    for name, link in links.items():
        if "{" not in link["href"]:
            assert Client().get(link["href"].removeprefix("http://testserver")).status_code in (200, 401), name
    assert Client().get("/api/v1/?unknown=1").status_code == 400
