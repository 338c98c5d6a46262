import pytest

from search.understanding import ParsedQuery, parse_query


@pytest.mark.parametrize(
    "query",
    [
        "дроби 5 класс",
        "дроби 5 кл",
        "дроби 5кл.",
        "дроби для 5-го класса",
        "5-й класс дроби",
        "дроби в 5 классе",
        "пятый класс дроби",
        "для пятого класса дроби",
    ],
)
def test_grade_forms(query):
    assert parse_query(query) == ParsedQuery("дроби", grades=(5,))


@pytest.mark.parametrize(
    ("query", "grades"),
    [
        ("сочинение 10-11 класс", (10, 11)),
        ("сочинение 5–7 классы", (5, 6, 7)),
        ("сочинение 5, 7 класс", (5, 7)),
    ],
)
def test_grade_ranges_and_lists(query, grades):
    assert parse_query(query) == ParsedQuery("сочинение", grades=grades)


def test_numbers_that_are_not_grades_stay_in_the_text():
    assert parse_query("задачи на 15 кл") == ParsedQuery("задачи на 15 кл")
    assert parse_query("таблица умножения на 2") == ParsedQuery("таблица умножения на 2")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ЕГЭ по русскому языку", ParsedQuery("", subjects=("russian",), exam="EGE", optional="ЕГЭ")),
        ("ЕГЭ по русскому", ParsedQuery("", subjects=("russian",), exam="EGE", optional="ЕГЭ")),
        ("ИКТ 9 класс", ParsedQuery("", grades=(9,), subjects=("informatics",))),
        ("математика 5 класс", ParsedQuery("", grades=(5,), subjects=("math",))),
        ("алгебра 10 класс", ParsedQuery("", grades=(10,), subjects=("algebra_analysis",))),
        ("алгебра", ParsedQuery("", subjects=("algebra", "algebra_analysis"))),
        ("окружайка животные", ParsedQuery("животные", subjects=("world_around",))),
        ("основы безопасности и защиты родины 8 класс", ParsedQuery("", grades=(8,), subjects=("obzr",))),
        (
            "теорема пифагора 8 класс геометрия",
            ParsedQuery("теорема пифагора", grades=(8,), subjects=("geometry",)),
        ),
        (
            "ВПР по английскому языку 7 класс",
            ParsedQuery("", grades=(7,), subjects=("english",), exam="VPR", optional="ВПР"),
        ),
        ("физра", ParsedQuery("", subjects=("pe",))),
    ],
)
def test_subjects_and_exams(query, expected):
    assert parse_query(query) == expected


def test_an_adjective_alone_is_not_a_subject():
    assert parse_query("русские народные сказки") == ParsedQuery("русские народные сказки")


def test_plain_text_is_untouched():
    parsed = parse_query("теорема виета")
    assert parsed == ParsedQuery("теорема виета")
    assert not parsed.is_empty
    assert parse_query("").is_empty


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("контрольная работа 7 класс", ParsedQuery("", grades=(7,), optional="контрольная работа", assessment=True)),
        ("present simple тест", ParsedQuery("present simple", optional="тест", assessment=True)),
        (
            "подготовка к егэ по информатике",
            ParsedQuery("", subjects=("informatics",), exam="EGE", optional="подготовка к егэ"),
        ),
        ("гиа физика", ParsedQuery("", subjects=("physics",), exam="OGE", optional="гиа")),
        ("впр", ParsedQuery("", exam="VPR", optional="впр")),
    ],
)
def test_exam_and_assessment_words_are_intent_not_required_text(query, expected):
    assert parse_query(query) == expected


def test_intent_kinds_and_exam_grades():
    vpr = parse_query("впр математика")
    assert (vpr.intent.code, vpr.intent.types, vpr.intent_grades) == (
        "VPR",
        ("test", "trainer", "interactive_task", "worksheet"),
        (4, 5, 6, 7, 8),
    )
    # A grade named in the query wins over the exam's grades; a test asks for a kind, not for grades.
    assert parse_query("огэ 8 класс").intent_grades == ()
    assert parse_query("огэ").intent_grades == (9,)
    test = parse_query("тест")
    assert (test.intent.code, test.intent.types, test.intent_grades) == ("assessment", ("test",), ())
    assert parse_query("дроби").intent is None


@pytest.mark.parametrize("text", ["днк", "кпд", "нод и нок", "вмв", "егэ", "ссср"])
def test_school_abbreviations_are_known_terms(text):
    from search.understanding import names_known_terms

    assert names_known_terms(text)


def test_ordinary_and_wrong_layout_text_is_not_known_terms():
    from search.understanding import names_known_terms

    assert not names_known_terms("lhj,b")
    assert not names_known_terms("дроби 5 класс")
    assert not names_known_terms("")
