import json

import pytest
from django.core.management import call_command

from content_repo.curriculum.models import CodifierElement, Framework, Subject, Topic
from content_repo.curriculum.services import DEFAULT_DATASET, load_curriculum

pytestmark = pytest.mark.django_db


def test_dataset_is_loaded_whole():
    data = json.loads(DEFAULT_DATASET.read_text(encoding="utf-8"))
    assert Subject.objects.count() == len(data["subjects"]) == 35
    assert Topic.objects.count() == len(data["topics"]) == 3528
    assert CodifierElement.objects.count() == len(data["codifiers"]) == 336
    assert Framework.objects.count() == 6
    section = Topic.objects.get(code="biology.8.3")
    assert section.kind == Topic.Kind.SECTION
    assert list(section.children.order_by("order").values_list("code", flat=True))[:2] == [
        "biology.8.3.1",
        "biology.8.3.2",
    ]
    assert Topic.objects.get(code="biology.8.3.1").source.startswith("CONFIRMED")


def test_second_load_changes_nothing(capsys):
    report = load_curriculum()
    assert report.changed == 0
    assert report.counts["topics"] == {"created": 0, "updated": 0, "unchanged": 3528}
    call_command("load_curriculum")
    assert "изменений нет" in capsys.readouterr().out


def test_changed_title_updates_the_node_in_place(tmp_path):
    data = json.loads(DEFAULT_DATASET.read_text(encoding="utf-8"))
    before = Topic.objects.get(code="biology.8.3.1")
    for topic in data["topics"]:
        if topic["code"] == "biology.8.3.1":
            topic["title"] = "Основные категории систематики (новая редакция)"
    path = tmp_path / "curriculum.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    report = load_curriculum(path)

    after = Topic.objects.get(code="biology.8.3.1")
    assert report.changed == 1
    assert report.counts["topics"]["updated"] == 1
    assert after.pk == before.pk
    assert after.title == "Основные категории систематики (новая редакция)"
    assert after.uri.endswith("/api/v1/curriculum/topics/biology.8.3.1")


def test_codifier_elements_keep_their_hierarchy():
    element = CodifierElement.objects.get(code="EGE-informatics-2025.meta.1.1.1")
    assert element.parent.code == "EGE-informatics-2025.meta.1.1"
    assert element.parent.parent.element_code == "1"
    assert element.exam == "EGE"
