"""robots.txt by RFC 9309 against a real loopback server: groups, wildcards, ``$``, longest match,
``Crawl-delay`` as the host's rate, and what an unreadable robots.txt means."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from importers.errors import CrawlDelayTooLong, DisallowedByRobots, RobotsUnavailable
from importers.http import ClientSettings, FetchStatus, PoliteClient
from importers.robots import parse_robots, product_token
from importers.testing.scripted_site import Reply, ScriptedSite

ROBOTS = b"""\
User-agent: *
Disallow: /

User-agent: educatalogbot
Disallow: /*.pdf$
Disallow: /private
Allow: /private/open
Disallow: /shop/cart
Allow: /shop
Allow: /tie
Disallow: /tie
Disallow: /search?*q=
Disallow: /*/print/
"""


class FakeTime:
    """A monotonic clock that only ``sleep`` moves: rate-limit pauses are asserted exactly, not spent."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


MakeClient = Callable[..., PoliteClient]


@pytest.fixture
def site() -> Iterator[ScriptedSite]:
    with ScriptedSite() as started:
        started.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
        for path in ("/page", "/private/open/1", "/shop/item", "/tie/1", "/doc.pdf", "/private/x", "/a/b"):
            started.route(path, Reply(200, b"ok"))
        yield started


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake_time: FakeTime) -> Iterator[MakeClient]:
    clients: list[PoliteClient] = []

    def make(**options: object) -> PoliteClient:
        values: dict[str, object] = {
            "allowed_hosts": frozenset({"127.0.0.1"}),
            "requests_per_second": 200.0,
            "allow_private": True,
        }
        values.update(options)
        made = PoliteClient(
            ClientSettings(**values),  # type: ignore[arg-type]
            sleep=fake_time.sleep,
            clock=fake_time.clock,
        )
        clients.append(made)
        return made

    yield make
    for made in clients:
        made.close()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/page", True),  # no rule of our group matches; the stricter * group is not ours
        ("/doc.pdf", False),  # "/*.pdf$"
        ("/files/2025/doc.pdf", False),  # "*" spans several segments
        ("/doc.pdf?download=1", True),  # "$" anchors the end: the query follows
        ("/doc.pdfx", True),
        ("/private", False),
        ("/private/x", False),
        ("/private/open", True),  # the longer Allow wins over "Disallow: /private"
        ("/private/open/1", True),
        ("/shop/item", True),
        ("/shop/cart/1", False),  # the longer Disallow wins over "Allow: /shop"
        ("/tie/1", True),  # Allow and Disallow of equal length: Allow wins (RFC 9309 §2.2.2)
        ("/search?lang=ru&q=дроби", False),  # "*" inside the query
        ("/search?lang=ru", True),
        ("/lesson/5/print/", False),
        ("/lesson/print", True),
    ],
)
def test_rules_of_our_group(site: ScriptedSite, client: MakeClient, path: str, allowed: bool) -> None:
    polite = client()

    if allowed:
        polite.check_robots(site.url(path))
    else:
        with pytest.raises(DisallowedByRobots) as raised:
            polite.check_robots(site.url(path))
        assert raised.value.message == "robots.txt запрещает этот адрес для EduCatalogBot"

    assert site.requested_paths() == ["/robots.txt"]


def test_a_disallowed_page_is_never_requested(site: ScriptedSite, client: MakeClient) -> None:
    polite = client()

    assert polite.get(site.url("/private/open/1")).status is FetchStatus.OK
    with pytest.raises(DisallowedByRobots):
        polite.get(site.url("/private/x"))

    assert site.requested_paths() == ["/robots.txt", "/private/open/1"]


def test_another_user_agent_gets_the_star_group(site: ScriptedSite, client: MakeClient) -> None:
    with pytest.raises(DisallowedByRobots) as raised:
        client(user_agent="OtherBot/2.0 (+https://other.example/)").get(site.url("/page"))

    assert raised.value.message == "robots.txt запрещает этот адрес для OtherBot"
    assert site.requested_paths() == ["/robots.txt"]


def test_groups_match_the_product_token_not_the_whole_user_agent() -> None:
    """A group for ``bot`` must not catch us through ``…/bot`` in our User-Agent's URL."""
    rules = parse_robots(b"User-agent: bot\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    token = product_token("EduCatalogBot/0.1 (+https://catalog.example/bot)")

    assert token == "EduCatalogBot"
    assert rules.can_fetch("https://resh.edu.ru/page", token) is True
    assert rules.can_fetch("https://resh.edu.ru/page", "bot") is False


def test_a_robots_txt_over_the_size_cap_is_read_up_to_the_cap(client: MakeClient) -> None:
    padding = b"# " + b"-" * 1200 + b"\n"
    body = b"User-agent: *\nDisallow: /secret\n" + padding + b"Disallow: /late\n"
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(200, body))
        polite = client(robots_max_bytes=1024)

        with pytest.raises(DisallowedByRobots):
            polite.check_robots(site.url("/secret"))
        polite.check_robots(site.url("/late"))  # past the cap: ignored, as RFC 9309 §2.5 allows

        assert site.requested_paths() == ["/robots.txt"]


def test_a_cut_line_at_the_cap_is_dropped() -> None:
    rules = parse_robots(b"User-agent: *\nDisallow: /a\nDisallow: /", truncated=True)

    assert rules.can_fetch("http://h/a", "x") is False
    assert rules.can_fetch("http://h/b", "x") is True  # "Disallow: /" was cut, not read as the whole site


def test_crawl_delay_slows_our_rate_for_the_host(client: MakeClient, fake_time: FakeTime) -> None:
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 2\n"))
        site.route("/page", Reply(200, b"ok"))
        polite = client(requests_per_second=10.0)

        for _ in range(3):
            polite.get(site.url("/page"))

        # robots.txt went out at our rate (0.1 s); every page then waited the 2 s the site asks for.
        assert fake_time.sleeps == [0.1, 2.0, 2.0]
        assert site.requested_paths() == ["/robots.txt", "/page", "/page", "/page"]


def test_request_rate_is_honoured_like_crawl_delay(client: MakeClient, fake_time: FakeTime) -> None:
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(200, b"User-agent: EduCatalogBot\nRequest-rate: 1/5s\n"))
        site.route("/page", Reply(200, b"ok"))
        polite = client(requests_per_second=10.0)

        polite.get(site.url("/page"))
        polite.get(site.url("/page"))

        assert fake_time.sleeps == [0.1, 5.0]


def test_a_crawl_delay_faster_than_our_rate_keeps_our_rate(client: MakeClient, fake_time: FakeTime) -> None:
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 0.1\n"))
        site.route("/page", Reply(200, b"ok"))
        polite = client(requests_per_second=2.0)

        polite.get(site.url("/page"))
        polite.get(site.url("/page"))

        assert fake_time.sleeps == [0.5, 0.5]


def test_a_crawl_delay_beyond_our_patience_closes_the_host(client: MakeClient) -> None:
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 3600\n"))
        site.route("/page", Reply(200, b"ok"))

        with pytest.raises(CrawlDelayTooLong) as raised:
            client(max_crawl_delay=60.0).get(site.url("/page"))

        assert raised.value.message == (
            "robots.txt просит паузу 3600 с между запросами (Crawl-delay), а допустимо не больше 60 с "
            "(IMPORTERS['MAX_CRAWL_DELAY']); хост не обходится"
        )
        assert site.requested_paths() == ["/robots.txt"]


@pytest.mark.parametrize("status", [503, 500, 429])
def test_an_unreachable_robots_txt_closes_the_site_for_a_while(
    client: MakeClient, fake_time: FakeTime, status: int
) -> None:
    with ScriptedSite() as site:
        # Four failures (one try and three retries), then robots.txt is back.
        site.route("/robots.txt", *[Reply(status)] * 4, Reply(200, b"User-agent: *\nDisallow: /closed\n"))
        site.route("/page", Reply(200, b"ok"))
        polite = client(robots_retry_seconds=600.0)

        with pytest.raises(RobotsUnavailable) as raised:
            polite.get(site.url("/page"))
        assert raised.value.reason == f"HTTP {status}"
        assert raised.value.message.startswith(f"robots.txt недоступен (HTTP {status}); по RFC 9309 сайт закрыт")
        fake_time.now += 599.0
        with pytest.raises(RobotsUnavailable):
            polite.get(site.url("/page"))
        assert site.requested_paths() == ["/robots.txt"] * 4

        fake_time.now += 1.0
        assert polite.get(site.url("/page")).content == b"ok"
        assert site.requested_paths() == ["/robots.txt"] * 5 + ["/page"]


@pytest.mark.parametrize("status", [404, 403, 401, 410])
def test_a_missing_robots_txt_allows_everything(client: MakeClient, status: int) -> None:
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(status))
        site.route("/page", Reply(200, b"ok"))

        assert client().get(site.url("/page")).content == b"ok"
        assert site.requested_paths() == ["/robots.txt", "/page"]


def test_a_robots_txt_redirect_loop_counts_as_missing(client: MakeClient) -> None:
    """RFC 9309 §2.3.1.2: past five redirects robots.txt may be taken as unavailable (4xx)."""
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(301, headers={"Location": "/robots-loop"}))
        site.route("/robots-loop", Reply(301, headers={"Location": "/robots.txt"}))
        site.route("/page", Reply(200, b"ok"))

        assert client().get(site.url("/page")).content == b"ok"
        assert site.requested_paths().count("/robots.txt") == 3
        assert site.requested_paths()[-1] == "/page"


def test_a_robots_txt_redirected_to_a_refused_host_closes_the_site(client: MakeClient) -> None:
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(302, headers={"Location": "http://robots.example/robots.txt"}))
        site.route("/page", Reply(200, b"ok"))

        with pytest.raises(RobotsUnavailable) as raised:
            client().get(site.url("/page"))

        assert raised.value.reason == "хост 'robots.example' не входит в список разрешённых хостов источника"
        assert "/page" not in site.requested_paths()


def test_robots_txt_is_read_again_after_a_day(client: MakeClient, fake_time: FakeTime) -> None:
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(200, b"User-agent: *\nAllow: /\n"), Reply(200, b"User-agent: *\nDisallow: /\n"))
        site.route("/page", Reply(200, b"ok"))
        polite = client()

        polite.get(site.url("/page"))
        fake_time.now += 24 * 3600
        with pytest.raises(DisallowedByRobots):
            polite.get(site.url("/page"))

        assert site.requested_paths() == ["/robots.txt", "/page", "/robots.txt"]


def test_a_utf8_robots_txt_with_a_byte_order_mark_and_cyrillic_paths(client: MakeClient) -> None:
    body = "\ufeffUser-agent: *\nDisallow: /уроки/черновики/\n".encode()
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(200, body))
        polite = client()

        with pytest.raises(DisallowedByRobots):
            polite.check_robots(site.url("/уроки/черновики/1"))
        with pytest.raises(DisallowedByRobots):
            polite.check_robots(
                site.url("/%D1%83%D1%80%D0%BE%D0%BA%D0%B8/%D1%87%D0%B5%D1%80%D0%BD%D0%BE%D0%B2%D0%B8%D0%BA%D0%B8/2")
            )
        polite.check_robots(site.url("/уроки/1"))
