"""The curriculum as IMS CASE 1.1: packages valid against the CASE JSON schema, stable identifiers, the
import of a CFPackage (a regional programme; our own package back without a change), all or nothing."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from content_repo.curriculum.models import Framework, Topic
from content_repo.exchange.case.identity import CASE_NAMESPACE
from content_repo.exchange.case.importing import CaseImportError, load_case_package
from tests.exchange.conftest import FIXTURES

pytestmark = pytest.mark.django_db

CASE = FIXTURES / "case"
REGIONAL = CASE / "regional-programme.json"
REGIONAL_ID = "5b1f9c2a-3d4e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.fixture(scope="module")
def case_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((CASE / "cfpackage-1.1.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def package(code: str) -> dict:
    response = Client().get(f"/api/v1/curriculum/case/{code}/")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def assert_valid(validator, document: dict) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:10]]


def test_frp_package_is_valid_case_with_stable_identifiers(case_validator):
    document = package("FRP-2025")
    assert_valid(case_validator, document)
    items = {item["humanCodingScheme"]: item for item in document["CFItems"]}
    topics = Topic.objects.filter(framework__code="FRP-2025").count()
    subjects = Topic.objects.filter(framework__code="FRP-2025").values("subject").distinct().count()
    assert len(document["CFItems"]) == topics + subjects
    assert len({item["identifier"] for item in document["CFItems"]}) == topics + subjects
    node = items["math.5.3"]
    assert node["identifier"] == str(uuid.uuid5(CASE_NAMESPACE, "topic:math.5.3"))
    assert node["uri"] == "http://127.0.0.1:8000/api/v1/curriculum/topics/math.5.3"
    assert (node["fullStatement"], node["educationLevel"], node["CFItemType"]) == (
        "Обыкновенные дроби",
        ["05"],
        "раздел",
    )
    kinds = Counter(a["associationType"] for a in document["CFAssociations"])
    assert kinds["isChildOf"] == topics + subjects  # every item has exactly one parent
    parents = {a["originNodeURI"]["identifier"]: a["destinationNodeURI"] for a in document["CFAssociations"]}
    assert parents[node["identifier"]]["identifier"] == items["math"]["identifier"]
    assert parents[items["math"]["identifier"]]["uri"] == "http://127.0.0.1:8000/api/v1/curriculum/case/FRP-2025/"
    matches = {
        (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
        for a in document["CFAssociations"]
        if a["associationType"] == "exactMatchOf"
    }
    basic, advanced = items["algebra_analysis.10.5"], items["algebra_analysis-adv.10.7"]
    assert (basic["identifier"], advanced["identifier"]) in matches
    assert basic["fullStatement"] == advanced["fullStatement"]
    assert kinds["exactMatchOf"] == len(matches) >= 200


def test_identifiers_do_not_depend_on_the_instance(settings):
    here = {item["identifier"] for item in package("FRP-2025")["CFItems"]}
    settings.CATALOG_BASE_URL = "https://another-instance.example"
    there = package("FRP-2025")
    assert {item["identifier"] for item in there["CFItems"]} == here
    assert there["CFDocument"]["uri"] == "https://another-instance.example/api/v1/curriculum/frameworks/FRP-2025"


def test_codifiers_and_documents_without_items_are_valid(case_validator):
    codifiers = package("FIPI-KES")
    assert_valid(case_validator, codifiers)
    types = Counter(item["CFItemType"] for item in codifiers["CFItems"])
    assert sum(count for kind, count in types.items() if kind != "Кодификатор") == 336
    fgos = package("FGOS-NOO-2021")
    assert_valid(case_validator, fgos)
    assert (fgos["CFItems"], fgos["CFDocument"]["title"]) == ([], "ФГОС начального общего образования")


def test_an_unknown_framework_is_a_problem_404():
    response = Client().get("/api/v1/curriculum/case/NO-SUCH/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def load(path) -> str:
    out = StringIO()
    call_command("load_curriculum", case=str(path), stdout=out)
    return out.getvalue()


def test_our_own_package_loads_back_without_a_change(tmp_path):
    exported = tmp_path / "frp.json"
    exported.write_text(json.dumps(package("FRP-2025"), ensure_ascii=False), encoding="utf-8")
    before = (Topic.objects.count(), Framework.objects.count())
    assert "изменений нет" in load(exported)
    assert (Topic.objects.count(), Framework.objects.count()) == before


def test_a_regional_programme_is_loaded_with_provenance_once():
    assert "изменено записей: 4" in load(REGIONAL)
    framework = Framework.objects.get(code=f"case-{REGIONAL_ID}")
    assert framework.title == "Региональный компонент: география Приморья, 8 класс"
    section = Topic.objects.get(code="case-0a7e1c3b-1111-4a2b-9c3d-000000000001")
    children = list(section.children.order_by("order"))
    assert [(t.title, t.kind, t.order) for t in children] == [
        ("Рельеф и полезные ископаемые Приморья", "topic", 1),
        ("Климат и внутренние воды Приморья", "topic", 2),
    ]
    for topic in (section, *children):
        assert (topic.subject.code, topic.grade_id, topic.level.code, topic.framework_id) == (
            "geography",
            8,
            "OOO",
            framework.pk,
        )
    assert (section.kind, section.number) == ("section", "1")
    assert section.source.startswith(
        "CASE 1.1: https://standards.region.example/ims/case/v1p1/CFPackages/5b1f9c2a-3d4e-4f60-8a7b-9c0d1e2f3a4b"
    )
    assert "CFItem 0a7e1c3b-1111-4a2b-9c3d-000000000001 (ГП.8.1), изменён 2026-08-20T09:00:00+00:00" in section.source
    assert "изменений нет" in load(REGIONAL)
    assert Topic.objects.filter(framework=framework).count() == 3


def test_a_changed_title_updates_the_node_in_place(tmp_path):
    load(REGIONAL)
    before = Topic.objects.get(code="case-0a7e1c3b-1111-4a2b-9c3d-000000000002")
    data = json.loads(REGIONAL.read_text(encoding="utf-8"))
    data["CFItems"][1]["fullStatement"] = "Рельеф Приморья"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert "изменено записей: 1" in load(changed)
    after = Topic.objects.get(code=before.code)
    assert (after.pk, after.title) == (before.pk, "Рельеф Приморья")


def test_a_package_with_a_problem_loads_nothing_and_names_it():
    data = json.loads(REGIONAL.read_text(encoding="utf-8"))
    del data["CFItems"][0]["educationLevel"]  # the section and, through it, its topics have no grade
    data["CFItems"][2]["identifier"] = "not-a-uuid"
    before = (Topic.objects.count(), Framework.objects.count())
    with pytest.raises(CaseImportError) as error:
        load_case_package(data, "test")
    assert error.value.problems == ["CFItems[2].identifier: 'not-a-uuid' — не UUID"]
    data["CFItems"][2]["identifier"] = "0a7e1c3b-1111-4a2b-9c3d-000000000003"
    with pytest.raises(CaseImportError) as error:
        load_case_package(data, "test")
    assert error.value.problems == [
        f"CFItems[{i}] (ГП.8.1{suffix}).educationLevel: нужен класс «01»–«11» (у элемента или его родителя)"
        for i, suffix in ((0, ""), (1, ".1"), (2, ".2"))
    ]
    assert (Topic.objects.count(), Framework.objects.count()) == before


def test_the_command_reports_a_bad_file_without_a_traceback(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="не JSON"):
        load(broken)
    with pytest.raises(CommandError, match="файла нет"):
        load(tmp_path / "missing.json")


def test_a_package_is_loaded_from_a_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(CASE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        output = load(f"http://127.0.0.1:{server.server_address[1]}/regional-programme.json")
    finally:
        server.shutdown()
        server.server_close()
    assert "изменено записей: 4" in output
    assert Topic.objects.filter(framework__code=f"case-{REGIONAL_ID}").count() == 3


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass
