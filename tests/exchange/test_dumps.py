"""Bulk dumps: the published catalog as gzip JSON Lines and JSON-LD with a manifest, stored in the file storage,
listed and served under /api/v1/dumps/, the newest DUMPS_KEEP kept."""

from __future__ import annotations

import gzip
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from content_repo.api.models import Change
from content_repo.exchange.dumps import export_catalog
from content_repo.resources.models import Resource
from content_repo.resources.services import withdraw
from tests.exchange.catalog import publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def download(url: str) -> bytes:
    path = url.removeprefix("http://127.0.0.1:8000")
    response = Client().get(path)
    assert response.status_code == 200, path
    return b"".join(response.streaming_content)


def test_a_dump_holds_every_published_resource_in_both_formats():
    ids = publish(range(4))
    withdraw(Resource.objects.get(pk=ids[3]), reason="устарел")
    manifest = export_catalog()
    assert manifest["resources"] == 3
    assert manifest["change_feed_cursor"] == Change.objects.order_by("-seq").first().seq
    files = {f["format"]: f for f in manifest["files"]}
    assert set(files) == {"jsonl", "jsonld"}
    lines = gzip.decompress(download(files["jsonl"]["url"])).decode("utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(str(i) for i in ids[:3])
    graph = json.loads(gzip.decompress(download(files["jsonld"]["url"])))
    assert graph["@context"]["@vocab"] == "https://schema.org/"
    assert [node["@type"] for node in graph["@graph"]] == ["LearningResource"] * 3
    for description in files.values():
        body = download(description["url"])
        assert (len(body), hashlib.sha256(body).hexdigest()) == (description["size"], description["sha256"])


def test_dumps_are_listed_newest_first_and_only_the_newest_are_kept(settings):
    settings.EXCHANGE = {"DUMPS_KEEP": 2}
    publish(range(2))
    stamps = [export_catalog()["stamp"] for _ in range(3)]
    assert len(set(stamps)) == 3
    listed = Client().get("/api/v1/dumps/").json()["dumps"]
    assert [m["stamp"] for m in listed] == sorted(stamps, reverse=True)[:2]
    assert Client().get(f"/api/v1/dumps/{min(stamps)}/catalog.jsonl.gz").status_code == 404


def test_a_file_is_served_as_gzip_and_nothing_else_is():
    publish(range(1))
    stamp = export_catalog()["stamp"]
    response = Client().get(f"/api/v1/dumps/{stamp}/catalog.jsonl.gz")
    assert (response.status_code, response["Content-Type"]) == (200, "application/gzip")
    assert "attachment" in response["Content-Disposition"]
    manifest = Client().get(f"/api/v1/dumps/{stamp}/manifest.json")
    assert json.loads(b"".join(manifest.streaming_content))["stamp"] == stamp
    for path in (
        f"/api/v1/dumps/{stamp}/catalog.csv",
        "/api/v1/dumps/20000101T000000Z/catalog.jsonl.gz",
        f"/api/v1/dumps/{stamp}/..%2Fmanifest.json",
        "/api/v1/dumps/../../settings.py",
    ):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json", path


def test_an_empty_catalog_gives_an_empty_dump_and_the_command_reports_it():
    out = StringIO()
    call_command("export_catalog", stdout=out)
    assert "ресурсов 0" in out.getvalue()
    [manifest] = Client().get("/api/v1/dumps/").json()["dumps"]
    jsonld = next(f for f in manifest["files"] if f["format"] == "jsonld")
    assert json.loads(gzip.decompress(download(jsonld["url"])))["@graph"] == []
