"""Reading a record: lesson-title noise, grades, exam cues, synonyms, near-identity keys."""

from __future__ import annotations

import pytest

from content_repo.alignment import ResourceRecord, identity_keys
from content_repo.alignment.reading import clean_title, exam_in, grades_in, read_record


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Урок 14. Сложение дробей", "Сложение дробей"),
        ("Урок №3: Имя прилагательное", "Имя прилагательное"),
        ("Сценарий урока: Квадратные уравнения", "Квадратные уравнения"),
        ("Конспект урока. Строение клетки", "Строение клетки"),
        ("Тест. Сложение дробей с разными знаменателями. Вариант 2", "Сложение дробей с разными знаменателями"),
        ("Тест по теме «Десятичные дроби» (вариант 1)", "Десятичные дроби"),
        ("Видеоурок «Теорема Пифагора»", "Теорема Пифагора"),
        ("Видеоурок. Фотосинтез", "Фотосинтез"),
        ("Контрольная работа №3 по теме «Десятичные дроби»", "Десятичные дроби"),
        ('Презентация к уроку "Фотосинтез"', "Фотосинтез"),
        ("§ 12. Клетка — единица живого", "Клетка — единица живого"),
        ("1.2. Тема: Свойства степени", "Свойства степени"),
        ("Урок 5. Имя прилагательное (6 класс)", "Имя прилагательное"),
        ("Тренажёр: таблица умножения на 7", "таблица умножения на 7"),
        ("«Сказка о рыбаке и рыбке» А. С. Пушкина", "Сказка о рыбаке и рыбке А. С. Пушкина"),
        ("Ёжик в тумане", "Ежик в тумане"),
    ],
)
def test_clean_title_strips_lesson_noise(title, expected):
    assert clean_title(title).text == expected


def test_clean_title_keeps_the_lesson_number_and_grades():
    cleaned = clean_title("Урок 14. Квадратные уравнения. 8 класс")
    assert (cleaned.text, cleaned.lesson_number, cleaned.grades) == ("Квадратные уравнения", 14, (8,))


@pytest.mark.parametrize(
    ("text", "grades"),
    [
        ("Алгебра 8 класс", (8,)),
        ("для 7-го класса", (7,)),
        ("5-6 классы", (5, 6)),
        ("Математика, 10–11 кл.", (10, 11)),
        ("2024 класс", ()),
        ("12 класс", ()),
        ("Без класса", ()),
    ],
)
def test_grades_in_text(text, grades):
    assert grades_in(text) == grades


def test_exam_cues():
    assert exam_in(["Подготовка к ЕГЭ: производная"]) == "EGE"
    assert exam_in(["ОГЭ. Задание 6"]) == "OGE"
    assert exam_in(["ГИА по математике"]) == "OGE"
    assert exam_in(["Сложение дробей"]) is None


def test_exam_prep_use_without_exam_word_follows_grades():
    nine = read_record(ResourceRecord(title="Решение уравнений", grades=(9,), educational_use=("exam_prep",)))
    eleven = read_record(ResourceRecord(title="Решение уравнений", grades=(11,), educational_use=("exam_prep",)))
    assert (nine.exam, eleven.exam) == ("OGE", "EGE")


def test_record_grades_come_from_the_record_then_from_the_title():
    assert read_record(ResourceRecord(title="Дроби. 5 класс", grades=(6,))).grades == (6,)
    assert read_record(ResourceRecord(title="Дроби. 5 класс")).grades == (5,)


def test_form_words_and_generic_parts_do_not_count():
    read = read_record(
        ResourceRecord(
            title="Видеоурок. Тест. Фотосинтез",
            part_titles=("Начнём урок", "Основная часть", "Тренировочные задания"),
        )
    )
    assert [position.original for position in read.positions] == [("фотосинтез",)]


def test_abbreviations_are_read_as_their_phrases():
    read = read_record(ResourceRecord(title="НОД и НОК"))
    assert [position.alternatives for position in read.positions] == [
        (("нод",), ("наибольш", "общ", "делител")),
        (("нок",), ("наименьш", "общ", "кратн")),
    ]


def test_title_weighs_more_than_description():
    read = read_record(ResourceRecord(title="Фотосинтез", description="Фотосинтез и дыхание растений"))
    weights = {position.original: (position.weight, position.in_title) for position in read.positions}
    assert weights[("фотосинтез",)] == (1.0, True)
    assert weights[("дыхан",)] == (0.35, False)


def test_identity_keys_of_a_numbered_lesson():
    record = ResourceRecord(title="Урок 14. Сложение дробей", subject_codes=("math",), grades=(5,), source="resh")
    keys = identity_keys(record)
    assert (keys.title, keys.series, keys.lesson_number) == ("сложен дроб", "resh|math|5", 14)


def test_identity_keys_match_across_sources_and_noise():
    one = identity_keys(ResourceRecord(title="Урок 3. Сложение дробей", source="resh"))
    other = identity_keys(ResourceRecord(title="Видеоурок «Сложение дробей»", source="yaklass"))
    assert one.title == other.title == "сложен дроб"
    assert (other.series, other.lesson_number) == ("", None)
