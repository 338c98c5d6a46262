"""The total deadline of a request, against real loopback servers that send one byte a second.

A per-read timeout never fires against such a server (every read gets its byte in time); only the
deadline over the whole request ends it. The deadlines here are short so the tests stay fast; the
per-read ``timeout`` is longer than the deadline, so what stops a request can only be the deadline.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from importers.conf import importer_settings
from importers.errors import DeadlineExceeded, HTTPStatusError, RobotsUnavailable, TransportFailure
from importers.http import ClientSettings, FetchStatus, PoliteClient
from importers.testing.scripted_site import Reply, ScriptedSite

DEADLINE = 1.5
# How late after the deadline a request may end: one socket operation's wake-up and the clean-up.
MARGIN = 0.5
ONE_BYTE_A_SECOND = Reply(body=b"x" * 100, headers={"Content-Type": "text/plain"}, dribble=1.0)

MakeClient = Callable[..., PoliteClient]


@pytest.fixture
def site() -> Iterator[ScriptedSite]:
    with ScriptedSite() as started:
        started.route("/robots.txt", Reply(404))
        started.route("/ok", Reply(body=b"fine", headers={"Content-Type": "text/plain"}))
        yield started


@pytest.fixture
def client() -> Iterator[MakeClient]:
    """A client with real sleeps and clock (the deadline is about real time) and a short deadline."""
    clients: list[PoliteClient] = []

    def make(**options: object) -> PoliteClient:
        values: dict[str, object] = {
            "allowed_hosts": frozenset({"127.0.0.1"}),
            "requests_per_second": 200.0,
            "allow_private": True,
            "deadline": DEADLINE,
            "timeout": 5.0,
        }
        values.update(options)
        made = PoliteClient(ClientSettings(**values))  # type: ignore[arg-type]
        clients.append(made)
        return made

    yield make
    for made in clients:
        made.close()


def _timed(call: Callable[[], object]) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(Exception) as raised:
        call()
    return raised.value, time.monotonic() - started


def test_a_body_sent_one_byte_a_second_ends_at_the_deadline(site: ScriptedSite, client: MakeClient) -> None:
    site.route("/slow", ONE_BYTE_A_SECOND)
    polite = client()

    error, elapsed = _timed(lambda: polite.get(site.url("/slow")))

    assert isinstance(error, DeadlineExceeded)
    assert error.url == site.url("/slow")
    assert error.message == (
        "запрос не уложился в общий срок 1.5 с (соединение, перенаправления, повторы и чтение ответа)"
    )
    assert DEADLINE <= elapsed < DEADLINE + MARGIN
    # Not retried: a retry could only start after the deadline.
    assert site.requested_paths() == ["/robots.txt", "/slow"]
    # The broken connection is not reused: the next request to the host works.
    assert polite.get(site.url("/ok")).content == b"fine"


def test_a_status_line_sent_one_byte_a_second_ends_at_the_deadline(site: ScriptedSite, client: MakeClient) -> None:
    site.route("/slow-head", Reply(body=b"x" * 10, dribble=1.0, dribble_head=True))

    error, elapsed = _timed(lambda: client().get(site.url("/slow-head")))

    assert isinstance(error, DeadlineExceeded)
    assert DEADLINE <= elapsed < DEADLINE + MARGIN
    assert site.requested_paths() == ["/robots.txt", "/slow-head"]


def test_a_slow_answer_within_the_deadline_is_accepted(site: ScriptedSite, client: MakeClient) -> None:
    site.route("/steady", Reply(body=b"abc", dribble=0.1))

    result = client().get(site.url("/steady"))

    assert (result.status, result.content) == (FetchStatus.OK, b"abc")


def test_redirect_hops_share_one_deadline(site: ScriptedSite, client: MakeClient) -> None:
    # Each hop takes about 1.2 s, well within the deadline alone; together they take 3.2 s.
    site.route("/hop-1", Reply(302, headers={"Location": "/hop-2"}, dribble=0.02, dribble_head=True))
    site.route("/hop-2", Reply(302, headers={"Location": "/hop-3"}, dribble=0.02, dribble_head=True))
    site.route("/hop-3", Reply(200, b"end", dribble=0.02, dribble_head=True))

    error, elapsed = _timed(lambda: client(deadline=2.5).get(site.url("/hop-1")))

    assert isinstance(error, DeadlineExceeded)
    # The deadline ran out on a later hop (the third, or the second on a loaded machine), not per hop.
    assert error.url in (site.url("/hop-3"), site.url("/hop-2"))
    assert site.requested_paths()[:3] == ["/robots.txt", "/hop-1", "/hop-2"]
    assert 2.5 <= elapsed < 2.5 + MARGIN


def test_a_robots_txt_sent_one_byte_a_second_closes_the_origin(site: ScriptedSite, client: MakeClient) -> None:
    site.route("/robots.txt", ONE_BYTE_A_SECOND)
    polite = client(robots_retry_seconds=60.0)

    error, elapsed = _timed(lambda: polite.get(site.url("/ok")))

    assert isinstance(error, RobotsUnavailable)
    assert error.url == site.url("/ok")
    assert error.reason == (
        "запрос не уложился в общий срок 1.5 с (соединение, перенаправления, повторы и чтение ответа)"
    )
    assert DEADLINE <= elapsed < DEADLINE + MARGIN
    # The next request fails at once from the remembered verdict; the page is never requested.
    again, second = _timed(lambda: polite.get(site.url("/ok")))
    assert isinstance(again, RobotsUnavailable)
    assert second < 0.2
    assert site.requested_paths() == ["/robots.txt"]


def test_the_page_deadline_starts_after_robots_txt(site: ScriptedSite, client: MakeClient) -> None:
    """robots.txt has a deadline of its own; its time is not taken from the page's."""
    site.route("/robots.txt", Reply(200, b"User-agent: *\nAllow: /\n", dribble=0.05))
    site.route("/page", Reply(200, b"p" * 12, dribble=0.1))

    result = client(deadline=2.0).get(site.url("/page"))

    assert result.content == b"p" * 12
    assert site.requested_paths() == ["/robots.txt", "/page"]


def test_retries_stop_when_the_deadline_leaves_no_time_for_them(site: ScriptedSite, client: MakeClient) -> None:
    site.route("/down", Reply(503, headers={"Retry-After": "1"}))

    error, elapsed = _timed(lambda: client().get(site.url("/down")))

    # 503 at 0 s, a 1 s pause, 503 at 1 s; a second pause would end past 1.5 s, so no third try.
    assert isinstance(error, HTTPStatusError)
    assert error.status == 503
    assert site.requested_paths().count("/down") == 2
    assert elapsed < DEADLINE


def test_connection_retries_stop_at_the_deadline(client: MakeClient) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    polite = client(deadline=1.0, backoff_base=0.4)

    error, elapsed = _timed(lambda: polite.get(f"http://127.0.0.1:{port}/page"))

    # Refused at once, a 0.4 s pause, refused again; the 0.8 s pause would pass the deadline.
    assert isinstance(error, RobotsUnavailable)
    assert error.reason == "ConnectError: [Errno 111] Connection refused; попыток: 2"
    assert elapsed < 1.0


def test_deadline_exceeded_is_a_transport_failure() -> None:
    """Code that handles transport failures (the engine's fetch stage) handles the deadline too."""
    assert issubclass(DeadlineExceeded, TransportFailure)


@override_settings(IMPORTERS={"REQUEST_DEADLINE": 1.5, "TIMEOUT": 5, "ROBOTS_MAX_BYTES": 2048})
def test_the_deadline_comes_from_the_importers_setting(site: ScriptedSite) -> None:
    site.route("/slow", ONE_BYTE_A_SECOND)
    options = importer_settings().client_options()
    settings = ClientSettings.for_hosts(["127.0.0.1"], allow_private=True, requests_per_second=200, **options)

    with PoliteClient(settings) as polite:
        error, elapsed = _timed(lambda: polite.get(site.url("/slow")))

    assert (settings.deadline, settings.timeout, settings.robots_max_bytes) == (1.5, 5.0, 2048)
    assert isinstance(error, DeadlineExceeded)
    assert elapsed < DEADLINE + MARGIN


def test_the_defaults_are_thirty_seconds_per_request_and_ten_per_read() -> None:
    with override_settings(IMPORTERS={}):
        options = importer_settings().client_options()

    assert (options["deadline"], options["timeout"]) == (30.0, 10.0)
    assert (ClientSettings.for_hosts([]).deadline, ClientSettings.for_hosts([]).timeout) == (30.0, 10.0)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("REQUEST_DEADLINE", 0, "IMPORTERS['REQUEST_DEADLINE'] must be greater than zero, got 0.0"),
        ("REQUEST_DEADLINE", "-5", "IMPORTERS['REQUEST_DEADLINE'] must be greater than zero, got -5.0"),
        ("REQUEST_DEADLINE", "soon", "IMPORTERS['REQUEST_DEADLINE'] must be float, got 'soon'"),
        ("ROBOTS_MAX_BYTES", 0, "IMPORTERS['ROBOTS_MAX_BYTES'] must be greater than zero, got 0"),
        ("MAX_CRAWL_DELAY", "nan", "IMPORTERS['MAX_CRAWL_DELAY'] must be greater than zero, got nan"),
    ],
)
def test_bad_network_settings_are_refused_early(key: str, value: object, message: str) -> None:
    with override_settings(IMPORTERS={key: value}), pytest.raises(ImproperlyConfigured) as raised:
        importer_settings()

    assert str(raised.value) == message
