"""The recorded-site server follows the server semantics of tests/fixtures/sources/README.md."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from importers.testing.recorded_site import RecordedSite
from tests.importers.conftest import snapshot_dir

ServeSite = Callable[[str, int], RecordedSite]


@pytest.fixture
def resh(serve_site: ServeSite) -> RecordedSite:
    return serve_site("resh", 1)


@pytest.fixture
def edge(serve_site: ServeSite) -> RecordedSite:
    return serve_site("edge", 1)


def test_path_must_match_exactly_and_trailing_slash_counts(resh: RecordedSite) -> None:
    assert httpx.get(resh.url("/subject/19/")).status_code == 200
    assert httpx.get(resh.url("/subject/19")).status_code == 200
    assert httpx.get(resh.url("/subject/19//")).status_code == 404
    assert httpx.get(resh.url("/subject/lesson/7316")).status_code == 404


def test_path_is_percent_decoded_before_matching(edge: RecordedSite) -> None:
    assert httpx.get(edge.url("/%6Fk")).status_code == 200


def test_unknown_path_is_a_plain_text_404(resh: RecordedSite) -> None:
    response = httpx.get(resh.url("/about/"))

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "Not Found\n"


def test_query_subset_match_prefers_the_route_with_most_parameters(edge: RecordedSite) -> None:
    plain = httpx.get(edge.url("/q")).content
    one = httpx.get(edge.url("/q?a=1&extra=x")).content
    two = httpx.get(edge.url("/q?b=2&a=1")).content
    repeated = httpx.get(edge.url("/q?a=0&a=1")).content

    assert (snapshot_dir("edge") / "pages/ok.html").read_bytes() == plain
    assert (snapshot_dir("edge") / "pages/big.html").read_bytes() == one == repeated
    assert (snapshot_dir("edge") / "pages/cp1251-meta.html").read_bytes() == two
    assert httpx.get(edge.url("/q?a=2")).content == plain


def test_yaklass_grade_page_without_show_all_is_the_collapsed_one(serve_site: ServeSite) -> None:
    site = serve_site("yaklass", 1)
    pages = snapshot_dir("yaklass") / "pages"

    collapsed = httpx.get(site.url("/p/algebra/7-klass")).content
    expanded = httpx.get(site.url("/p/algebra/7-klass?YklShowAll=1")).content

    assert collapsed == (pages / "grade-algebra-7-klass.html").read_bytes()
    assert expanded == (pages / "grade-algebra-7-klass.all.html").read_bytes()


def test_head_answers_get_routes_with_headers_and_no_body(resh: RecordedSite) -> None:
    get = httpx.get(resh.url("/subject/19/"))
    head = httpx.head(resh.url("/subject/19/"))

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


def test_known_path_with_another_method_gets_405_with_allow(resh: RecordedSite) -> None:
    post_to_get_route = httpx.post(resh.url("/robots.txt"))
    get_to_post_route = httpx.get(resh.url("/subject/19/7/ajax?page=1"))

    assert post_to_get_route.status_code == 405
    assert post_to_get_route.headers["allow"] == "GET, HEAD"
    assert get_to_post_route.status_code == 405
    assert get_to_post_route.headers["allow"] == "POST"


def test_known_path_and_method_without_matching_query_is_404(resh: RecordedSite) -> None:
    assert httpx.post(resh.url("/subject/19/7/ajax?page=99")).status_code == 404
    assert httpx.post(resh.url("/subject/19/7/ajax")).status_code == 404
    assert httpx.post(resh.url("/subject/19/7/ajax?page=1"), data={"x": "1"}).status_code == 200


def test_sequence_advances_per_call_then_stays_on_the_last_entry(edge: RecordedSite) -> None:
    statuses = [httpx.get(edge.url("/flaky")).status_code for _ in range(5)]

    assert statuses == [503, 429, 503, 200, 200]


def test_head_counts_as_a_call_of_a_sequence(edge: RecordedSite) -> None:
    assert httpx.head(edge.url("/flaky")).status_code == 503
    assert httpx.get(edge.url("/flaky")).status_code == 429


@pytest.mark.parametrize(
    "if_none_match",
    ['"68a2d8dc-a1"', 'W/"68a2d8dc-a1"', '"other", "68a2d8dc-a1"', "*"],
)
def test_if_none_match_uses_weak_comparison(resh: RecordedSite, if_none_match: str) -> None:
    response = httpx.get(resh.url("/robots.txt"), headers={"If-None-Match": if_none_match})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == '"68a2d8dc-a1"'
    assert response.headers["last-modified"] == "Mon, 18 Aug 2025 07:40:12 GMT"


def test_if_none_match_takes_precedence_over_if_modified_since(resh: RecordedSite) -> None:
    headers = {"If-None-Match": '"stale"', "If-Modified-Since": "Mon, 18 Aug 2025 07:40:12 GMT"}

    assert httpx.get(resh.url("/robots.txt"), headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("since", "status"),
    [
        ("Mon, 18 Aug 2025 07:40:12 GMT", 304),
        ("Tue, 19 Aug 2025 00:00:00 GMT", 304),
        ("Mon, 18 Aug 2025 07:40:11 GMT", 200),
        ("not a date", 200),
    ],
)
def test_if_modified_since(resh: RecordedSite, since: str, status: int) -> None:
    assert httpx.get(resh.url("/robots.txt"), headers={"If-Modified-Since": since}).status_code == status


def test_post_ignores_conditional_headers(resh: RecordedSite) -> None:
    response = httpx.post(resh.url("/subject/19/7/ajax?page=1"), headers={"If-None-Match": "*"})

    assert response.status_code == 200


def test_redirects_are_sent_as_recorded(edge: RecordedSite) -> None:
    response = httpx.get(edge.url("/redirect/1"))

    assert response.status_code == 301
    assert response.headers["location"] == "/redirect/2"


def test_load_snapshot_switches_recording_and_restarts_counters(serve_site: ServeSite) -> None:
    site = serve_site("resh", 1)
    assert httpx.get(site.url("/subject/lesson/2623/")).status_code == 200

    site.load_snapshot(snapshot_dir("resh", 2))

    assert httpx.get(site.url("/subject/lesson/2623/")).status_code == 404
    assert httpx.get(site.url("/subject/lesson/7738/")).status_code == 200


def test_request_log_records_method_path_query_headers_and_status(resh: RecordedSite) -> None:
    httpx.post(resh.url("/subject/19/7/ajax?page=2"), headers={"X-Requested-With": "XMLHttpRequest"})

    (logged,) = resh.requests
    assert logged.method == "POST"
    assert logged.path == "/subject/19/7/ajax"
    assert logged.query == {"page": ["2"]}
    assert logged.headers["x-requested-with"] == "XMLHttpRequest"
    assert logged.status == 200


def test_clear_log_empties_the_request_log(resh: RecordedSite) -> None:
    httpx.get(resh.url("/"))

    resh.clear_log()

    assert resh.requests == []
