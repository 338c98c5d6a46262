"""The polite client against a real local server: robots, retries, charsets, caps, redirects, SSRF."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from importers.errors import (
    DisallowedByRobots,
    HostNotAllowed,
    HTTPStatusError,
    ResponseTooLarge,
    RobotsUnavailable,
    TooManyRedirects,
)
from importers.http import DEFAULT_USER_AGENT, ClientSettings, FetchStatus, PoliteClient, Validators
from importers.politeness import RateLimiter, parse_retry_after
from importers.testing.recorded_site import RecordedSite
from tests.importers.conftest import SleepRecorder

MakeClient = Callable[..., PoliteClient]


@pytest.fixture
def edge(serve_site: Callable[[str, int], RecordedSite]) -> RecordedSite:
    return serve_site("edge", 1)


def test_robots_txt_is_fetched_first_and_sent_with_our_user_agent(edge: RecordedSite, make_client: MakeClient) -> None:
    make_client().get(edge.url("/ok"))

    assert [(entry.method, entry.path) for entry in edge.requests] == [("GET", "/robots.txt"), ("GET", "/ok")]
    assert {entry.headers["user-agent"] for entry in edge.requests} == {DEFAULT_USER_AGENT}


def test_robots_txt_is_read_once_per_origin(edge: RecordedSite, make_client: MakeClient) -> None:
    client = make_client()
    client.get(edge.url("/ok"))
    client.get(edge.url("/ok"))

    assert edge.requested_paths().count("/robots.txt") == 1


def test_disallowed_path_is_never_requested(edge: RecordedSite, make_client: MakeClient) -> None:
    with pytest.raises(DisallowedByRobots) as raised:
        make_client().get(edge.url("/private/secret"))

    assert raised.value.url == edge.url("/private/secret")
    assert edge.requested_paths() == ["/robots.txt"]


def test_the_star_group_applies_to_another_user_agent(edge: RecordedSite, make_client: MakeClient) -> None:
    with pytest.raises(DisallowedByRobots):
        make_client(user_agent="OtherBot/1.0").get(edge.url("/ok"))

    assert edge.requested_paths() == ["/robots.txt"]


def test_redirect_into_a_disallowed_path_is_not_followed(edge: RecordedSite, make_client: MakeClient) -> None:
    with pytest.raises(DisallowedByRobots):
        make_client().get(edge.url("/redirect/private"))

    assert "/private/secret" not in edge.requested_paths()


def test_503_and_429_are_retried_honouring_retry_after(
    edge: RecordedSite, make_client: MakeClient, sleeps: SleepRecorder
) -> None:
    result = make_client().get(edge.url("/flaky"))

    assert result.status is FetchStatus.OK
    assert [entry.status for entry in edge.requests if entry.path == "/flaky"] == [503, 429, 503, 200]
    # Retry-After: 2 seconds, then a date in the past (no wait), then absent (the 1 s default).
    assert [wait for wait in sleeps.calls if wait >= 0.5 or wait == 0.0] == [2.0, 0.0, 1.0]


def test_a_status_that_never_recovers_is_raised_after_three_retries(
    edge: RecordedSite, make_client: MakeClient
) -> None:
    with pytest.raises(HTTPStatusError) as raised:
        make_client().get(edge.url("/down"))

    assert raised.value.status == 503
    assert edge.requested_paths().count("/down") == 4


def test_retry_wait_is_capped(edge: RecordedSite, make_client: MakeClient, sleeps: SleepRecorder) -> None:
    make_client(max_retry_wait=0.5).get(edge.url("/flaky"))

    assert max(sleeps.calls) == 0.5


def test_404_is_an_http_status_error_and_not_retried(edge: RecordedSite, make_client: MakeClient) -> None:
    with pytest.raises(HTTPStatusError) as raised:
        make_client().get(edge.url("/gone"))

    assert raised.value.status == 404
    assert edge.requested_paths().count("/gone") == 1


def test_connection_errors_are_retried_then_reported(make_client: MakeClient, sleeps: SleepRecorder) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = make_client()

    with pytest.raises(RobotsUnavailable) as raised:
        client.get(f"http://127.0.0.1:{port}/robots-is-unreachable")

    # robots.txt comes first and is unreachable: one try and three retries with exponential back-off,
    # then the origin is closed (RFC 9309: a network error means complete disallow).
    assert raised.value.url == f"http://127.0.0.1:{port}/robots-is-unreachable"
    assert raised.value.robots_url == f"http://127.0.0.1:{port}/robots.txt"
    assert raised.value.reason == "ConnectError: [Errno 111] Connection refused; попыток: 4"
    assert [wait for wait in sleeps.calls if wait >= 0.5] == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("path", ["/cp1251-header", "/cp1251-meta"])
def test_windows_1251_pages_decode(edge: RecordedSite, make_client: MakeClient, path: str) -> None:
    result = make_client().get(edge.url(path))

    assert "<h1>Приём: ёжик в тумане</h1>" in result.text


def test_undeclared_windows_1251_is_detected(edge: RecordedSite, make_client: MakeClient) -> None:
    result = make_client().get(edge.url("/cp1251-bare"))

    assert "Российская электронная школа: уроки по всем предметам" in result.text


def test_response_size_cap_aborts_the_download(edge: RecordedSite, make_client: MakeClient) -> None:
    with pytest.raises(ResponseTooLarge) as raised:
        make_client(max_bytes=1000).get(edge.url("/big"))

    assert raised.value.limit == 1000
    assert str(raised.value) == f"ответ больше предела в 1000 байт, загрузка прервана ({edge.url('/big')})"


def test_private_address_is_refused_unless_allowed(edge: RecordedSite, make_client: MakeClient) -> None:
    with pytest.raises(HostNotAllowed) as raised:
        make_client(allow_private=False).get(edge.url("/ok"))

    assert raised.value.message == (
        "хост '127.0.0.1' указывает на внутренний адрес 127.0.0.1 (private, loopback или link-local): "
        "обход внутренней сети запрещён"
    )
    assert edge.requests == []


def test_host_outside_the_allow_list_is_refused(edge: RecordedSite, make_client: MakeClient) -> None:
    port = edge.base_url.rsplit(":", 1)[1]

    with pytest.raises(HostNotAllowed):
        make_client().get(f"http://localhost:{port}/ok")

    assert edge.requests == []


def test_redirects_are_followed_and_final_url_reported(edge: RecordedSite, make_client: MakeClient) -> None:
    result = make_client().get(edge.url("/redirect/1"))

    assert result.final_url == edge.url("/ok")
    assert result.url == edge.url("/redirect/1")
    assert edge.requested_paths() == ["/robots.txt", "/redirect/1", "/redirect/2", "/ok"]


def test_redirect_outside_the_allowed_hosts_is_refused(edge: RecordedSite, make_client: MakeClient) -> None:
    with pytest.raises(HostNotAllowed) as raised:
        make_client().get(edge.url("/redirect/out"))

    assert raised.value.url == "http://evil.example/steal"


def test_more_than_five_redirects_is_an_error(edge: RecordedSite, make_client: MakeClient) -> None:
    with pytest.raises(TooManyRedirects):
        make_client().get(edge.url("/hop/1"))

    assert edge.requested_paths().count("/hop/6") == 1
    assert "/hop/7" not in edge.requested_paths()


def test_five_redirects_are_allowed(edge: RecordedSite, make_client: MakeClient) -> None:
    result = make_client().get(edge.url("/hop/3"))

    assert result.final_url == edge.url("/hop/8")


def test_conditional_get_with_etag_returns_not_modified(edge: RecordedSite, make_client: MakeClient) -> None:
    client = make_client()
    first = client.get(edge.url("/ok"))

    second = client.get(edge.url("/ok"), validators=first.validators)

    assert first.status is FetchStatus.OK
    assert second.status is FetchStatus.NOT_MODIFIED
    assert second.not_modified
    assert second.content == b""
    assert second.etag == 'W/"ok-1"'
    last = edge.requests[-1]
    assert last.headers["if-none-match"] == 'W/"ok-1"'
    assert last.headers["if-modified-since"] == "Mon, 18 Aug 2025 07:40:12 GMT"
    assert last.status == 304


def test_conditional_get_with_last_modified_only(edge: RecordedSite, make_client: MakeClient) -> None:
    result = make_client().get(edge.url("/ok"), validators=Validators(last_modified="Mon, 18 Aug 2025 07:40:12 GMT"))

    assert result.status is FetchStatus.NOT_MODIFIED


def test_stale_validators_give_the_full_page(edge: RecordedSite, make_client: MakeClient) -> None:
    result = make_client().get(edge.url("/ok"), validators=Validators(etag='"old"'))

    assert result.status is FetchStatus.OK
    assert result.etag == 'W/"ok-1"'
    assert result.last_modified == "Mon, 18 Aug 2025 07:40:12 GMT"


def test_post_form_sends_the_form_and_headers(edge: RecordedSite, make_client: MakeClient) -> None:
    result = make_client().post_form(
        edge.url("/form?page=1"), {"page": "1"}, headers={"X-Requested-With": "XMLHttpRequest"}
    )

    assert result.status is FetchStatus.OK
    assert "lesson-block" in result.text
    last = edge.requests[-1]
    assert (last.method, last.query, last.headers["x-requested-with"]) == (
        "POST",
        {"page": ["1"]},
        "XMLHttpRequest",
    )
    assert last.headers["content-type"] == "application/x-www-form-urlencoded"


def test_rate_limiter_spaces_requests_per_host() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)

    limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=sleep)

    assert [limiter.wait("a"), limiter.wait("a"), limiter.wait("b"), limiter.wait("a")] == [
        0.0,
        0.5,
        0.0,
        1.0,
    ]
    assert waits == [0.5, 1.0]


def test_rate_limit_is_applied_to_real_requests(edge: RecordedSite) -> None:
    settings = ClientSettings.for_hosts(["127.0.0.1"], requests_per_second=20.0, allow_private=True)
    started = time.monotonic()
    with PoliteClient(settings) as client:
        for _ in range(3):
            client.get(edge.url("/ok"))

    # robots.txt and three pages: three intervals of 1/20 s at least.
    assert time.monotonic() - started >= 0.15
    assert len(edge.requests) == 4


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), (None, None)],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds
