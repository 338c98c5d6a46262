import base64
import json

import pytest

from search.query import (
    FacetValue,
    InvalidQuery,
    SearchQuery,
    SearchResults,
    SortOrder,
    decode_cursor,
    encode_cursor,
)


def test_defaults_and_cleaning():
    query = SearchQuery("  дроби   5 класс ", filters={"grade": "5", "subject": ["math", "math"]}, sort="title")
    assert query.text == "дроби 5 класс"
    assert query.filters == {"grade": ("5",), "subject": ("math",)}
    assert query.sort is SortOrder.TITLE
    assert (query.page_size, query.cursor, query.facets, query.highlight) == (20, None, (), False)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"filters": {"colour": ["red"]}}, "colour"),
        ({"filters": {"grade": ["12"]}}, "grade"),
        ({"filters": {"subject": []}}, "subject"),
        ({"filters": {"subject": [""]}}, "subject"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"page_size": True}, "page_size"),
        ({"sort": "popular"}, "sort"),
        ({"facets": ("subject", "colour")}, "facets"),
        ({"text": "я" * 501}, "text"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_invalid_parameters_name_the_parameter(kwargs, param):
    with pytest.raises(InvalidQuery) as error:
        SearchQuery(**kwargs)
    assert error.value.param == param


def test_cursor_round_trip_keeps_sort_values_and_id():
    query = SearchQuery("дроби", sort=SortOrder.NEWEST)
    token = encode_cursor(query, [1727769600000, "resh-1007"])
    assert decode_cursor(token, query) == (1727769600000, "resh-1007")
    assert SearchQuery("дроби", sort=SortOrder.NEWEST, cursor=token).decoded_cursor() == (
        1727769600000,
        "resh-1007",
    )


def test_cursor_past_ten_thousand_results_is_still_a_keyset():
    query = SearchQuery("дроби")
    token = encode_cursor(query, [0.123456789012345, "doc-10001"])
    assert decode_cursor(token, query) == (0.123456789012345, "doc-10001")


def test_tampered_cursor_is_rejected():
    query = SearchQuery("дроби")
    token = encode_cursor(query, [12.5, "resh-1007"])
    body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["k"] = [12.5, "resh-9999"]
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    for bad in (f"{forged}.{signature}", body, token[:-2], f"{body}.!!!"):
        with pytest.raises(InvalidQuery) as error:
            SearchQuery("дроби", cursor=bad)
        assert error.value.param == "cursor"


def test_cursor_of_another_query_is_rejected():
    token = encode_cursor(SearchQuery("дроби"), [1.0, "a"])
    with pytest.raises(InvalidQuery, match="another query"):
        SearchQuery("клетки", cursor=token)
    with pytest.raises(InvalidQuery, match="another query"):
        SearchQuery("дроби", filters={"grade": ["5"]}, cursor=token)


def test_with_text_drops_the_cursor():
    query = SearchQuery("дроби", facets=("subject",), page_size=5)
    query = SearchQuery("дроби", facets=("subject",), page_size=5, cursor=encode_cursor(query, [1.0, "a"]))
    other = query.with_text("клетки")
    assert (other.text, other.cursor, other.facets, other.page_size) == ("клетки", None, ("subject",), 5)


def test_results_are_plain_frozen_records():
    results = SearchResults(1, (), {"subject": [FacetValue("math", "Математика", 1)]}, None, "дроби")
    assert (results.corrected_text, results.backend, results.fallback) == (None, "", False)
    with pytest.raises(AttributeError):
        results.total = 2  # type: ignore[misc]
