"""HarvestedRecord serialisation and hashing; the subject map against the curriculum."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from importers.records import HarvestedRecord, PartKind, RecordPart
from importers.subjects import SUBJECT_MAP_PATH, SubjectMapper, map_subject
from tests.importers.harvesting import load_golden

# The project's own copy of the curriculum (content_repo/curriculum/data) is the source of codes.
CURRICULUM_PATH = Path(__file__).resolve().parents[2] / "content_repo" / "curriculum" / "data" / "curriculum.json"
CURRICULUM_CODES = {subject["code"] for subject in json.loads(CURRICULUM_PATH.read_text(encoding="utf-8"))["subjects"]}


def _record(**changes: object) -> HarvestedRecord:
    record = HarvestedRecord(
        source="resh",
        external_id="7316",
        url="https://resh.edu.ru/subject/lesson/7316/",
        title="Информация, ее свойства и классификация",
        resource_type="lesson",
        license="all-rights-reserved-free-view",
        access="free",
        provider="resh",
        grades=(7,),
        parts=(RecordPart(PartKind.START, "Начнём урок", "https://resh.edu.ru/subject/lesson/7316/start/"),),
        extra={"layout": "new"},
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def test_to_dict_is_json_and_round_trips() -> None:
    record = _record()

    data = json.loads(json.dumps(record.to_dict()))

    assert data["parts"] == [
        {"kind": "start", "title": "Начнём урок", "url": "https://resh.edu.ru/subject/lesson/7316/start/"}
    ]
    assert data["grades"] == [7]
    assert HarvestedRecord.from_dict(data) == record


def test_content_hash_is_stable_and_sensitive() -> None:
    assert _record().content_hash() == _record().content_hash()
    assert _record().content_hash() != _record(title="Другое").content_hash()
    assert len(_record().content_hash()) == 64


def test_grades_are_sorted_and_unique() -> None:
    assert _record(grades=(9, 8, 9)).grades == (8, 9)


def test_from_dict_rejects_unknown_fields() -> None:
    with pytest.raises(TypeError):
        HarvestedRecord.from_dict({**_record().to_dict(), "surprise": 1})


def test_subject_map_uses_curriculum_codes() -> None:
    table = json.loads(SUBJECT_MAP_PATH.read_text(encoding="utf-8"))

    codes = {code for source, names in table.items() if not source.startswith("_") for code in names.values()}

    assert codes <= CURRICULUM_CODES


@pytest.mark.parametrize("code", ["resh", "yaklass", "uchi", "mesh"])
def test_every_subject_in_the_recordings_is_mapped(code: str) -> None:
    mapper = SubjectMapper.from_file()

    for record in load_golden(f"{code}-snapshot-1"):
        assert mapper.map(code, record.subject_name) is not None, record.subject_name
    assert mapper.unmapped == {}


def test_map_subject_examples() -> None:
    assert map_subject("resh", "Математика") == "math"
    assert map_subject("yaklass", "русский  язык") == "russian"
    assert map_subject("mesh", "Обществознание") == "social_studies"


def test_unmapped_subject_is_none_and_recorded() -> None:
    mapper = SubjectMapper.from_file()

    assert mapper.map("resh", "Астрономия") is None
    assert mapper.map("resh", "Астрономия") is None
    assert mapper.map("nowhere", "Математика") is None
    assert mapper.unmapped == {("resh", "Астрономия"): 2, ("nowhere", "Математика"): 1}
