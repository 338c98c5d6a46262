"""The engine index and query bodies, checked as structures (no node needed)."""

import pytest

from search.backends.engine import (
    FUZZY_BOOST,
    INDEX_ANALYZER,
    PLAIN_ANALYZER,
    SEARCH_ANALYZER,
    EngineQueryCompiler,
    index_body,
    suggest_body,
)
from search.query import SearchQuery, SortOrder, encode_cursor
from search.relaxation import GRADE_WEIGHT, SUBJECT_WEIGHT
from search.synonyms import synonym_rules
from search.text import stop_words

PUBLISHED = {"term": {"published": True}}


def body(*args, **kwargs):
    return EngineQueryCompiler(SearchQuery(*args, **kwargs)).body()


def test_index_settings_and_analysis():
    settings = index_body()["settings"]
    assert (settings["number_of_shards"], settings["number_of_replicas"]) == (1, 0)
    analysis = settings["analysis"]
    assert analysis["char_filter"]["ru_yo"] == {"type": "mapping", "mappings": ["ё => е", "Ё => Е"]}
    assert analysis["filter"]["ru_stop"] == {"type": "stop", "stopwords": sorted(stop_words())}
    assert analysis["filter"]["ru_stemmer"] == {"type": "stemmer", "language": "russian"}
    assert analysis["filter"]["ru_synonyms"] == {"type": "synonym_graph", "synonyms": list(synonym_rules())}
    assert analysis["filter"]["ru_edge"]["type"] == "edge_ngram"
    index_chain = ["lowercase", "ru_stop", "ru_stemmer", "en_stemmer"]
    assert analysis["analyzer"][INDEX_ANALYZER]["filter"] == index_chain
    assert analysis["analyzer"][SEARCH_ANALYZER]["filter"] == [*index_chain, "ru_synonyms"]


def test_mapping_field_types():
    properties = index_body()["mappings"]["properties"]
    assert properties["title"] == {
        "type": "text",
        "analyzer": INDEX_ANALYZER,
        "search_analyzer": SEARCH_ANALYZER,
    }
    for name in (
        "id",
        "subjects",
        "levels",
        "topics",
        "resource_type",
        "license",
        "access",
        "provider",
        "source",
    ):
        assert properties[name] == {"type": "keyword"}, name
    assert properties["grades"] == {"type": "integer"}
    assert properties["published"] == {"type": "boolean"}
    assert properties["published_at"] == {"type": "date"}
    assert properties["suggest"]["analyzer"] == "ru_suggest"


def test_plain_text_query():
    result = body("теорема виета")
    query = result["query"]["bool"]
    assert query["filter"] == [PUBLISHED]
    exact, phrase, fuzzy, fuzzy_as_typed = query["must"][0]["bool"]["should"]
    assert exact["multi_match"]["type"] == "cross_fields"
    assert "fuzziness" not in exact["multi_match"] and "analyzer" not in exact["multi_match"]
    assert exact["multi_match"]["fields"] == [
        "title^4",
        "keywords^2",
        "topic_titles^2",
        "description^1",
        "provider_name^1",
    ]
    assert phrase["multi_match"]["type"] == "phrase"
    assert fuzzy["multi_match"]["fuzziness"] == "AUTO:4,7"
    assert fuzzy["multi_match"]["analyzer"] == INDEX_ANALYZER
    assert fuzzy["multi_match"]["boost"] == FUZZY_BOOST
    # Every word is needed in the strict pass, typos too; the relaxed pass is a second query.
    assert fuzzy["multi_match"]["minimum_should_match"] == "100%"
    assert fuzzy_as_typed["multi_match"]["analyzer"] == PLAIN_ANALYZER
    assert result["sort"] == [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    assert (result["size"], result["track_total_hits"]) == (21, True)
    assert "post_filter" not in result and "aggs" not in result and "highlight" not in result
    assert "from" not in result and "search_after" not in result


def test_recognised_grade_and_subject_multiply_the_score():
    query = body("дроби 5 класс математика")["query"]["function_score"]
    assert (query["score_mode"], query["boost_mode"]) == ("multiply", "multiply")
    assert query["functions"] == [
        {"filter": {"terms": {"grades": [5]}}, "weight": GRADE_WEIGHT},
        {"filter": {"terms": {"subjects": ["math"]}}, "weight": SUBJECT_WEIGHT},
    ]
    assert query["query"]["bool"]["must"][0]["bool"]["should"][0]["multi_match"]["query"] == "дроби"


def test_query_of_only_a_grade_and_subject_needs_one_of_them():
    base = body("математика 5 класс")["query"]["function_score"]["query"]["bool"]
    assert base == {
        "should": [{"terms": {"grades": [5]}}, {"terms": {"subjects": ["math"]}}],
        "minimum_should_match": 1,
        "filter": [PUBLISHED],
    }


def test_empty_query_matches_all_published():
    assert body("")["query"] == {"bool": {"must": [{"match_all": {}}], "filter": [PUBLISHED]}}


def test_filters_go_to_post_filter_and_each_facet_ignores_its_own_filter():
    result = body("дроби", filters={"subject": ["math"], "grade": ["5", "6"]}, facets=("subject", "grade", "type"))
    subject, grade = {"terms": {"subjects": ["math"]}}, {"terms": {"grades": [5, 6]}}
    assert result["post_filter"] == {"bool": {"filter": [subject, grade]}}
    assert result["aggs"]["subject"]["filter"] == {"bool": {"filter": [grade]}}
    assert result["aggs"]["grade"]["filter"] == {"bool": {"filter": [subject]}}
    assert result["aggs"]["type"]["filter"] == {"bool": {"filter": [subject, grade]}}
    assert result["aggs"]["grade"]["aggs"]["values"] == {"terms": {"field": "grades", "size": 11}}
    assert result["aggs"]["type"]["aggs"]["values"] == {"terms": {"field": "resource_type", "size": 50}}
    assert result["query"]["bool"]["filter"] == [PUBLISHED]


def test_facet_without_any_filter_counts_everything_matched():
    assert body("дроби", facets=("license",))["aggs"]["license"]["filter"] == {"match_all": {}}


def test_highlight_escapes_html_and_marks():
    highlight = body("дроби", highlight=True)["highlight"]
    assert highlight["encoder"] == "html"
    assert (highlight["pre_tags"], highlight["post_tags"]) == (["<mark>"], ["</mark>"])
    assert set(highlight["fields"]) == {"title", "description"}


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        (SortOrder.NEWEST, {"published_at": {"order": "desc", "missing": "_last"}}),
        (SortOrder.TITLE, {"title_sort": {"order": "asc"}}),
    ],
)
def test_sorts_end_with_the_id(sort, first):
    assert body("дроби", sort=sort)["sort"] == [first, {"id": {"order": "asc"}}]


def test_cursor_becomes_search_after():
    query = SearchQuery("дроби", sort=SortOrder.NEWEST, page_size=10)
    cursor = encode_cursor(query, [1727769600000, "resh-1007"])
    result = body("дроби", sort=SortOrder.NEWEST, page_size=10, cursor=cursor)
    assert result["search_after"] == [1727769600000, "resh-1007"]
    assert "from" not in result


def test_layout_fixed_text_replaces_the_query_text():
    compiled = EngineQueryCompiler(SearchQuery("lhj,b"), "дроби").body()
    assert compiled["query"]["bool"]["must"][0]["bool"]["should"][0]["multi_match"]["query"] == "дроби"


def test_suggest_body():
    assert suggest_body("теорема ви", 5) == {
        "query": {
            "bool": {
                "must": [{"match": {"suggest": {"query": "теорема ви", "operator": "and"}}}],
                "filter": [PUBLISHED],
            }
        },
        "_source": ["title"],
        "size": 15,
    }


def test_exam_words_are_optional_and_boost_the_kind_and_grades():
    query = body("огэ химия")["query"]["function_score"]
    assert query["functions"] == [
        {"filter": {"terms": {"subjects": ["chemistry"]}}, "weight": SUBJECT_WEIGHT},
        {"filter": {"terms": {"resource_type": ["test", "trainer", "interactive_task", "worksheet"]}}, "weight": 1.5},
        {"filter": {"terms": {"grades": [9]}}, "weight": 1.5},
    ]
    base = query["query"]["bool"]
    assert base["minimum_should_match"] == 1
    subject, optional = base["should"]
    assert subject == {"terms": {"subjects": ["chemistry"]}}
    assert optional["multi_match"]["query"] == "огэ"
    assert (optional["multi_match"]["operator"], optional["multi_match"]["boost"]) == ("or", 0.1)


def test_relaxed_pass_counts_the_words_each_document_matches():
    from search.relaxation import COORDINATION, plan_query

    plan = plan_query("интерактивная карта материков").relax()
    query = EngineQueryCompiler(SearchQuery("интерактивная карта материков"), plan).body()["query"]["bool"]
    *words, ranking = query["must"][0]["bool"]["should"]
    assert [word["constant_score"]["boost"] for word in words] == [COORDINATION] * 3
    assert [word["constant_score"]["filter"]["multi_match"]["query"] for word in words] == [
        "интерактивная",
        "карта",
        "материков",
    ]
    assert ranking["multi_match"]["operator"] == "or"
