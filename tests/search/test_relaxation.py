"""What the shown documents make of the query's words: not used, misspelt, or there in another form."""

from __future__ import annotations

from search.relaxation import explain, plan_query, query_words


def test_query_words_group_synonym_phrases_and_drop_stop_words():
    words = query_words("таблица умножения на 2")
    assert [word.text for word in words] == ["таблица умножения", "2"]
    assert ("умножен",) in words[0].alternatives


def test_words_no_document_has_are_reported_in_the_relaxed_pass_only():
    documents = [{"title": "Южные материки: тест"}, {"title": "Интерактивная таблица Менделеева"}]
    plan = plan_query("интерактивная карта материков")
    assert explain(plan.relax(), documents).unmatched == ("карта",)
    assert explain(plan, documents).unmatched == ()


def test_a_misspelt_word_is_corrected_with_its_typed_ending():
    documents = [{"title": "Свойство биссектрисы угла", "keywords": ["биссектриса угла"]}]
    assert explain(plan_query("биссиктриса"), documents).corrections == {"биссиктриса": "биссектриса"}
    parallelogram = [{"title": "Параллелограмм и его свойства"}]
    assert explain(plan_query("паралелограм"), parallelogram).corrections == {"паралелограм": "параллелограмм"}


def test_a_word_in_another_form_is_not_a_typo():
    documents = [{"title": "Интерактивная таблица Менделеева"}]
    assert explain(plan_query("менделеев"), documents).corrections == {}


def test_short_abbreviations_are_never_corrected():
    assert explain(plan_query("вмв"), [{"title": "Повторение: ВОВ"}]).corrections == {}
