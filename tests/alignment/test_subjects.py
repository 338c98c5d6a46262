"""Subject names and codes → curriculum subjects, with the grade-dependent splits."""

from __future__ import annotations

import pytest

from content_repo.alignment.subjects import SubjectNames


@pytest.fixture(scope="module")
def names(curriculum):
    return SubjectNames.load(curriculum.subjects)


@pytest.mark.parametrize(
    ("name", "grades", "codes"),
    [
        ("Математика", [5], ("math",)),
        ("Математика", [8], ("algebra", "geometry", "probability_statistics")),
        ("Математика", [10], ("algebra_analysis", "geometry", "probability_statistics")),
        ("Алгебра", [7], ("algebra",)),
        ("Алгебра", [11], ("algebra_analysis",)),
        ("Иностранный (английский) язык", [5], ("english",)),
        ("ОБЖ", [8], ("obzr",)),
        ("Физкультура", [3], ("pe",)),
        ("ИЗО", [2], ("art",)),
        ("Всеобщая история", [6], ("history",)),
        ("Русский язык (ФГОС)", [5], ("russian",)),
        ("математика", [], ("math", "algebra", "geometry", "probability_statistics", "algebra_analysis")),
        ("Электротехника", [8], ()),
    ],
)
def test_lookup_by_name_and_grade(names, name, grades, codes):
    assert names.lookup(name, grades) == codes


def test_resolve_prefers_codes_and_splits_them_by_grade(names):
    kept = names.resolve(["algebra"], "Математика", [8])
    assert (kept.codes, kept.split) == (("algebra",), False)
    split = names.resolve(["math"], None, [8])
    assert (split.codes, split.split, split.named_by_source) == (
        ("algebra", "geometry", "probability_statistics"),
        True,
        "Математика",
    )
    mixed = names.resolve(["math"], None, [6, 7])
    assert mixed.codes == ("math", "algebra", "geometry", "probability_statistics")


def test_resolve_falls_back_to_the_name_and_knows_when_it_cannot(names):
    assert names.resolve([], "Математика", [8]).split is True
    unknown = names.resolve(["no_such_subject"], "Электротехника", [8])
    assert (unknown.codes, unknown.known) == ((), False)


@pytest.mark.parametrize(
    ("title", "rest", "codes", "phrase"),
    [
        ("Алгебра. Квадратные уравнения", "Квадратные уравнения", ("algebra",), "Алгебра"),
        ("ОГЭ по физике: законы Ньютона", "ОГЭ : законы Ньютона", ("physics",), "физике"),
        ("История Древнего мира", "История Древнего мира", (), ""),
        ("Право на образование", "Право на образование", (), ""),
    ],
)
def test_subject_named_in_a_title(names, title, rest, codes, phrase):
    assert names.strip_from_title(title, [8]) == (rest, codes, phrase)


def test_codifier_subjects_serve_the_split_subjects(names):
    assert names.codifier_subjects(["geometry"]) == ("geometry", "math")
    assert names.codifier_subjects(["physics"]) == ("physics",)
