"""The suggestion engine on records a test can reason about: subjects, grades, abstention, methodists' decisions."""

from __future__ import annotations

import pytest

from content_repo.alignment import (
    AlignmentType,
    ConfirmedHint,
    EngineSettings,
    HintKind,
    NodeKind,
    ResourceRecord,
    SuggestionEngine,
    load_curriculum_file,
)
from content_repo.alignment.scoring import ScoringSettings


def codes(suggestions):
    return [suggestion.code for suggestion in suggestions]


def test_a_plain_topic_gets_its_node_with_a_readable_explanation(engine):
    suggestions = engine.suggest(
        ResourceRecord(title="Урок 5. Имя прилагательное как часть речи", subject_name="Русский язык", grades=(5,))
    )
    top = suggestions[0]
    assert (top.code, top.kind, top.grade) == ("russian.5.7.3", NodeKind.TOPIC, 5)
    assert top.section_title == "Морфология. Культура речи. Орфография"
    assert "«прилагательное»" in top.explanation
    assert "Тема «Имя прилагательное» раздела «Морфология. Культура речи. Орфография» — Русский язык, 5 класс." in (
        top.reasons
    )
    assert "Класс совпадает: ресурс для 5 класса." in top.reasons
    assert not top.adjacent_grade and not top.inferred_subject and not top.hinted


def test_scores_are_in_range_ordered_and_limited(engine):
    suggestions = engine.suggest(ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,)))
    scores = [suggestion.score for suggestion in suggestions]
    assert len(suggestions) == engine.settings.limit == 3
    assert scores == sorted(scores, reverse=True)
    assert all(engine.settings.threshold <= score <= 1.0 for score in scores)
    assert len(engine.suggest(ResourceRecord(title="Квадратные уравнения", grades=(8,)), limit=1)) == 1


@pytest.mark.parametrize(
    ("title", "grade", "subject"),
    [
        ("Квадратные уравнения. Теорема Виета", 8, "algebra"),
        ("Признаки равенства треугольников", 7, "geometry"),
        ("Вероятность случайного события", 8, "probability_statistics"),
        ("Сложение и вычитание обыкновенных дробей", 5, "math"),
    ],
)
def test_mathematics_is_split_by_grade_and_content(engine, title, grade, subject):
    top = engine.suggest(ResourceRecord(title=title, subject_name="Математика", grades=(grade,)))[0]
    assert (top.subject, top.grade) == (subject, grade)
    split_said = any("«Математика» в этих классах делится" in reason for reason in top.reasons)
    assert split_said is (grade >= 7)


def test_a_mapped_code_outside_its_grades_is_split_too(engine):
    # A source that calls everything «Математика» sends ``math`` (grades 1–6) for an algebra lesson of grade 8.
    top = engine.suggest(
        ResourceRecord(title="Квадратные уравнения. Теорема Виета", subject_codes=("math",), grades=(8,))
    )[0]
    assert (top.code, top.subject) == ("algebra.8.5", "algebra")
    assert "«Математика» в этих классах делится на несколько предметов; по содержанию — Алгебра." in top.reasons


def test_algebra_of_grade_ten_is_algebra_and_analysis(engine):
    top = engine.suggest(ResourceRecord(title="Производная", subject_name="Алгебра", grades=(10,)))[0]
    assert top.subject == "algebra_analysis"


def test_subject_is_inferred_from_text_with_a_lower_score(engine):
    named = engine.suggest(ResourceRecord(title="Закон Ома для участка цепи", subject_name="Физика", grades=(8,)))
    inferred = engine.suggest(ResourceRecord(title="Закон Ома для участка цепи", grades=(8,)))
    assert named[0].code == inferred[0].code == "physics.8.2.2"
    assert inferred[0].inferred_subject and not named[0].inferred_subject
    assert inferred[0].score < named[0].score
    assert "Источник не указал предмет, предмет определён по тексту: Физика." in inferred[0].reasons


def test_unknown_subject_name_is_treated_as_no_subject(engine):
    top = engine.suggest(ResourceRecord(title="Закон Ома для участка цепи", subject_name="Электротехника", grades=(8,)))
    assert top[0].code == "physics.8.2.2"
    assert top[0].inferred_subject


def test_subject_named_in_the_title_is_used(engine):
    top = engine.suggest(ResourceRecord(title="Алгебра. Квадратные уравнения", grades=(8,)))[0]
    assert top.subject == "algebra"
    assert not top.inferred_subject


def test_adjacent_grade_topic_is_suggested_with_a_lower_score_and_said_so(engine):
    # Квадратные неравенства are in grade 9 of the programme; the source says grade 8.
    suggestions = engine.suggest(
        ResourceRecord(title="Квадратные неравенства. Метод интервалов", subject_name="Алгебра", grades=(8,))
    )
    top = suggestions[0]
    assert top.grade == 9 and top.adjacent_grade
    assert "Тема из соседнего класса: ресурс для 8 класса, тема — 9 класса" in top.explanation
    own_grade = engine.suggest(
        ResourceRecord(title="Квадратные неравенства. Метод интервалов", subject_name="Алгебра", grades=(9,))
    )[0]
    assert own_grade.code == top.code and own_grade.score > top.score


def test_the_record_grade_wins_over_an_adjacent_one_with_the_same_topic(engine):
    suggestions = engine.suggest(
        ResourceRecord(title="Имя прилагательное как часть речи", subject_name="Русский язык", grades=(6,)), limit=5
    )
    adjacent = {suggestion.code: suggestion for suggestion in suggestions}["russian.5.7.3"]
    assert codes(suggestions)[0] == "russian.6.7.3" and not suggestions[0].adjacent_grade
    assert adjacent.adjacent_grade and adjacent.score < suggestions[0].score


def test_grade_from_the_title_when_the_source_gives_none(engine):
    top = engine.suggest(ResourceRecord(title="Имя прилагательное. 6 класс", subject_name="Русский язык"))[0]
    assert top.code == "russian.6.7.3"


def test_grade_unknown_still_suggests_and_says_so(engine):
    top = engine.suggest(ResourceRecord(title="Закон Ома для участка цепи", subject_name="Физика"))[0]
    assert top.subject == "physics"
    assert "Класс ресурса не указан; тема подобрана по тексту." in top.reasons


def test_both_variants_are_offered_basic_first_unless_the_record_asks(engine):
    basic = engine.suggest(ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,)))
    assert codes(basic)[:3] == ["algebra.8.5", "algebra-adv.8.3", "algebra.8.content.3"]
    advanced = engine.suggest(
        ResourceRecord(
            title="Квадратные уравнения", subject_name="Алгебра", grades=(8,), description="Углублённый уровень."
        )
    )
    assert codes(advanced)[:2] == ["algebra-adv.8.3", "algebra.8.5"]


def test_exam_material_gets_codifier_elements_first(engine):
    suggestions = engine.suggest(
        ResourceRecord(
            title="Подготовка к ОГЭ: арифметическая и геометрическая прогрессии", subject_name="Математика", grades=(9,)
        )
    )
    top = suggestions[0]
    assert (top.code, top.kind) == ("OGE-math-current.kes.4.2", NodeKind.CODIFIER_ELEMENT)
    assert top.grade is None and top.is_codifier_element
    assert "Материал подготовки к ОГЭ." in top.reasons
    assert not any(code.startswith("EGE-math-legacy") for code in codes(suggestions))


def test_codifier_elements_only_for_exam_material(engine):
    suggestions = engine.suggest(
        ResourceRecord(title="Арифметическая и геометрическая прогрессии", subject_name="Алгебра", grades=(9,))
    )
    assert suggestions and not any(suggestion.is_codifier_element for suggestion in suggestions)


def test_english_titles_meet_russian_topics(engine):
    top = engine.suggest(ResourceRecord(title="My family and friends", subject_name="Английский язык", grades=(5,)))[0]
    assert top.code == "english.5.1"
    assert top.matched_words == ("friends", "family")


@pytest.mark.parametrize(
    "record",
    [
        ResourceRecord(title="Сценарий праздника «Масленица»", grades=(3,)),
        ResourceRecord(title="Классный час «Правила дорожного движения»", grades=(4,)),
        ResourceRecord(title="Олимпиадные задачи для 5–6 классов", subject_name="Математика", grades=(5, 6)),
        ResourceRecord(title="Итоговая контрольная работа за 6 класс", subject_name="Математика", grades=(6,)),
        ResourceRecord(title="Родительское собрание: итоги четверти", grades=(7,)),
        ResourceRecord(title="Видеоурок", subject_name="Математика", grades=(5,)),
        ResourceRecord(title="Тест. Вариант 2", grades=(7,)),
        ResourceRecord(title="", grades=(7,)),
    ],
    ids=["holiday", "class-hour", "olympiad", "whole-year", "parents", "only-form", "only-noise", "empty"],
)
def test_abstains_when_nothing_fits(engine, record):
    assert engine.suggest(record) == []


def test_abstention_is_the_threshold_not_a_missing_match(engine):
    record = ResourceRecord(title="Классный час «Правила дорожного движения»", grades=(4,))
    below = engine.suggest(record, threshold=0.0)
    assert below, "the engine sees weak matches…"
    assert all(suggestion.score < engine.settings.threshold for suggestion in below), "…and abstains on them"


def test_rejected_codes_are_never_suggested(engine):
    record = ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,))
    first = codes(engine.suggest(record))
    again = codes(engine.suggest(record, rejected=first[:1]))
    assert first[0] not in again
    assert again[:2] == first[1:3]
    everything = codes(engine.suggest(record, limit=40, threshold=0.0))
    assert engine.suggest(record, rejected=everything, threshold=0.0) == []


def test_a_rejected_node_stays_rejected_even_when_hinted(engine):
    record = ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,))
    hint = ConfirmedHint("algebra.8.5", HintKind.SAME_TITLE, "Квадратные уравнения")
    assert "algebra.8.5" not in codes(engine.suggest(record, confirmed_hints=[hint], rejected=["algebra.8.5"]))


def test_same_title_confirmation_raises_that_node_to_the_top(engine):
    record = ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,))
    assert codes(engine.suggest(record))[0] == "algebra.8.5"
    hint = ConfirmedHint("algebra-adv.8.3", HintKind.SAME_TITLE, "Квадратные уравнения. Видеоурок")
    top = engine.suggest(record, confirmed_hints=[hint])[0]
    assert (top.code, top.hinted) == ("algebra-adv.8.3", True)
    assert top.score >= engine.settings.same_title_hint_score
    assert top.reasons[0] == (
        "Методист подтвердил этот узел для ресурса с тем же названием «Квадратные уравнения. Видеоурок»."
    )


def test_series_neighbour_confirmation_raises_a_node_part_way(engine):
    record = ResourceRecord(title="Урок 15. Квадратные уравнения", subject_name="Алгебра", grades=(8,))
    plain = {s.code: s.score for s in engine.suggest(record, limit=40, threshold=0.0)}
    hint = ConfirmedHint("algebra.8.content.3", HintKind.SERIES_NEIGHBOUR, "Урок 14. Неполные квадратные уравнения")
    hinted = {s.code: s for s in engine.suggest(record, confirmed_hints=[hint], limit=40, threshold=0.0)}
    raised = hinted["algebra.8.content.3"]
    expected = plain["algebra.8.content.3"] + engine.settings.series_hint_share * (1 - plain["algebra.8.content.3"])
    assert raised.score == pytest.approx(expected, abs=0.001)
    assert raised.hinted and "соседнего урока той же серии" in raised.reasons[0]
    assert {code: s.score for code, s in hinted.items() if code != "algebra.8.content.3"} == {
        code: score for code, score in plain.items() if code != "algebra.8.content.3"
    }


def test_a_hint_can_bring_a_node_the_text_does_not_match(engine):
    record = ResourceRecord(title="Урок 16", subject_name="Алгебра", grades=(8,))
    hint = ConfirmedHint("algebra.8.5", HintKind.SAME_TITLE)
    top = engine.suggest(record, confirmed_hints=[hint])[0]
    assert (top.code, top.hinted, top.matched_words) == ("algebra.8.5", True, ())
    assert top.score == engine.settings.same_title_hint_score


def test_unknown_hint_codes_are_ignored(engine):
    record = ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,))
    hint = ConfirmedHint("no-such-node", HintKind.SAME_TITLE)
    assert engine.suggest(record, confirmed_hints=[hint]) == engine.suggest(record)


def test_tests_assess_and_lessons_teach(engine):
    test = engine.suggest(
        ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,), resource_type="test")
    )[0]
    lesson = engine.suggest(
        ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,), resource_type="lesson")
    )[0]
    assert (test.alignment_type, lesson.alignment_type) == (AlignmentType.ASSESSES, AlignmentType.TEACHES)


def test_whole_section_test_prefers_the_section(engine):
    record = ResourceRecord(
        title="Контрольная работа по разделу «Тепловые явления»", subject_name="Физика", grades=(8,)
    )
    top = engine.suggest(record)[0]
    assert (top.code, top.kind) == ("physics.8.1", NodeKind.SECTION)


def test_a_topic_takes_its_sections_score_when_it_comes_close(engine, curriculum):
    # The section «Взаимодействие тел» sums up its topics' terms and explains the title at least as well as its
    # topic of the same name; the judge takes the topic.
    record = ResourceRecord(title="Взаимодействие тел", subject_name="Физика", grades=(7,))
    suggestions = engine.suggest(record)
    assert codes(suggestions)[:2] == ["physics.7.3.2", "physics.7.3"]
    assert suggestions[0].score == suggestions[1].score
    assert (suggestions[0].kind, suggestions[1].kind) == (NodeKind.TOPIC, NodeKind.SECTION)
    undescended = SuggestionEngine.from_curriculum(curriculum, EngineSettings(descend_share=0.0))
    assert codes(undescended.suggest(record))[0] == "physics.7.3"


def test_a_whole_section_record_keeps_the_section_first(engine):
    record = ResourceRecord(
        title="Контрольная работа по разделу «Взаимодействие тел»", subject_name="Физика", grades=(7,)
    )
    assert codes(engine.suggest(record))[0] == "physics.7.3"


def test_a_word_of_a_node_term_counts_by_how_much_of_the_term_the_record_names(engine, curriculum):
    # «Системы уравнений» (algebra_analysis.11.6) is described by «системы показательных уравнений».
    whole_terms = SuggestionEngine.from_curriculum(curriculum, EngineSettings(scoring=ScoringSettings(term_floor=1.0)))

    def score(suggesting: SuggestionEngine, title: str) -> float:
        record = ResourceRecord(title=title, subject_name="Алгебра", grades=(11,))
        found = {s.code: s.score for s in suggesting.suggest(record, limit=40, threshold=0.0)}
        return found["algebra_analysis.11.6"]

    assert score(engine, "Решение показательных уравнений") < score(whole_terms, "Решение показательных уравнений")
    assert score(engine, "Системы показательных уравнений") == score(whole_terms, "Системы показательных уравнений")


def test_results_are_deterministic_across_calls_engines_and_batches(engine, curriculum):
    records = [
        ResourceRecord(title="Квадратные уравнения", subject_name="Математика", grades=(8,)),
        ResourceRecord(title="Фотосинтез", grades=(6,)),
        ResourceRecord(title="Разделительный мягкий знак", subject_name="Русский язык", grades=(2,)),
        ResourceRecord(title="Классный час", grades=(5,)),
    ]
    first = [engine.suggest(record) for record in records]
    assert [engine.suggest(record) for record in records] == first
    assert SuggestionEngine.from_curriculum(curriculum).suggest_many(records) == first
    assert engine.suggest_many(records, rejected=[["algebra.8.5"], [], [], []])[0] == engine.suggest(
        records[0], rejected=["algebra.8.5"]
    )


def test_curriculum_without_node_terms_still_works():
    engine = SuggestionEngine.from_curriculum(load_curriculum_file(terms_dir=None))
    assert (
        codes(engine.suggest(ResourceRecord(title="Квадратные уравнения", subject_name="Алгебра", grades=(8,))))[0]
        == "algebra.8.5"
    )


def test_a_subject_named_in_the_title_picks_the_part_of_a_split_subject(engine):
    # «Математика» in grade 8 is algebra, geometry or probability; «по геометрии» says which.
    suggestions = engine.suggest(ResourceRecord(title="Задачи по геометрии", subject_name="Математика", grades=(8,)))
    assert suggestions and {suggestion.subject for suggestion in suggestions} == {"geometry"}
    assert "«Математика» в этих классах делится на несколько предметов; по содержанию — Геометрия." in (
        suggestions[0].reasons
    )


def test_the_exam_is_a_cue_not_a_word_of_the_topic(engine):
    # Node terms of revision topics say «подготовка к ЕГЭ»; the record's «ЕГЭ» names the exam, not the topic.
    suggestions = engine.suggest(
        ResourceRecord(title="ЕГЭ. Сечения многогранников", subject_name="Геометрия", grades=(10,))
    )
    assert len(suggestions) == 3
    assert all(set(suggestion.matched_words) == {"сечения", "многогранников"} for suggestion in suggestions)
