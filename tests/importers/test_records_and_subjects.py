"""HarvestedRecord serialisation and hashing; the subject map against the curriculum."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from content_repo.intake.records import HarvestedRecord, PartKind, RecordPart
from content_repo.intake.subjects import SUBJECT_NAMES_PATH, SubjectMapper
from tests.importers.harvesting import load_golden

# The project's own copy of the curriculum (content_repo/curriculum/data) is the source of codes.
CURRICULUM_PATH = Path(__file__).resolve().parents[2] / "content_repo" / "curriculum" / "data" / "curriculum.json"
CURRICULUM_SUBJECTS = [
    (subject["code"], subject["title"])
    for subject in json.loads(CURRICULUM_PATH.read_text(encoding="utf-8"))["subjects"]
]
CURRICULUM_CODES = {code for code, _title in CURRICULUM_SUBJECTS}


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


def test_subject_names_file_uses_curriculum_codes() -> None:
    table = json.loads(SUBJECT_NAMES_PATH.read_text(encoding="utf-8"))

    codes = set(table["common"].values()) | {code for names in table["sources"].values() for code in names.values()}

    assert codes <= CURRICULUM_CODES


@pytest.mark.parametrize("code", ["resh", "yaklass", "uchi", "mesh"])
def test_every_subject_in_the_recordings_is_mapped(code: str) -> None:
    mapper = SubjectMapper(CURRICULUM_SUBJECTS)

    for record in load_golden(f"{code}-snapshot-1"):
        assert mapper.map(record.subject_name, code) is not None, record.subject_name
    assert mapper.unmapped == {}


@pytest.mark.parametrize("source", ["resh", "yaklass", "uchi", "mesh", "vendor-a", "csv"])
@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Химия", "chemistry"),
        ("Алгебра", "algebra"),
        ("Геометрия", "geometry"),
        ("Музыка", "music"),
        ("Физическая культура", "pe"),
        ("Физкультура", "pe"),
        ("Изобразительное искусство", "art"),
        ("ИЗО", "art"),
        ("Труд (технология)", "technology"),
        ("Технология", "technology"),
        ("Иностранный (английский) язык", "english"),
        ("Английский язык", "english"),
        ("Основы безопасности и защиты Родины", "obzr"),
        ("ОБЖ", "obzr"),
        ("  русский  язык ", "russian"),
        ("Вероятность и статистика", "probability_statistics"),
        ("probability_statistics", "probability_statistics"),
    ],
)
def test_curriculum_titles_and_common_variants_map_for_every_source(source: str, name: str, code: str) -> None:
    assert SubjectMapper(CURRICULUM_SUBJECTS).map(name, source) == code


def test_unmapped_subject_is_none_and_counted() -> None:
    mapper = SubjectMapper(CURRICULUM_SUBJECTS)

    assert mapper.map("Астрономия", "resh") is None
    assert mapper.map("Астрономия", "mesh") is None
    assert mapper.map("Кружок робототехники") is None
    assert mapper.map("") is None
    assert mapper.unmapped == {"Астрономия": 2, "Кружок робототехники": 1}


def test_a_source_oddity_maps_only_for_that_source() -> None:
    names = {"common": {}, "sources": {"mesh": {"Матем.": "math"}}}
    mapper = SubjectMapper(CURRICULUM_SUBJECTS, names)

    assert mapper.map("матем.", "mesh") == "math"
    assert mapper.map("Матем.", "resh") is None
