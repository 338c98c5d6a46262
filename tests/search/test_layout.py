import pytest

from search.layout import convert_layout, fix_layout, to_cyrillic, to_latin


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("lhj,b", "дроби"),
        ("lhj,b 5 rkfcc", "дроби 5 класс"),
        ("ntjhtvf dbtnf", "теорема виета"),
        ("rktnrb", "клетки"),
        ("tu' gj heccrjve zpsre", "егэ по русскому языку"),
        ("Ctkmcrjt [jpzqcndj", "Сельское хозяйство"),
        ("ghbdtn", "привет"),
    ],
)
def test_russian_typed_on_the_latin_layout_is_fixed(typed, meant):
    assert fix_layout(typed) == meant


@pytest.mark.parametrize(
    "query",
    ["python", "scratch", "strength", "test", "html", "css", "Present Simple", "дроби", "x", "", "5 класс"],
)
def test_real_words_and_mixed_text_are_left_alone(query):
    assert fix_layout(query) is None


def test_english_typed_on_the_russian_layout_is_fixed():
    assert fix_layout("рщьу") == "home"


def test_punctuation_keys_map_both_ways():
    assert to_cyrillic(",.;'[]`") == "бюжэхъё"
    assert to_latin("бюжэхъё") == ",.;'[]`"


def test_a_lone_comma_stays_a_comma():
    assert fix_layout("lhj,b , rkfcc") == "дроби , класс"


def test_convert_layout_does_not_judge():
    assert convert_layout("tu'") == "егэ"
    assert fix_layout("tu'") is None
    assert convert_layout("дроби python") is None
