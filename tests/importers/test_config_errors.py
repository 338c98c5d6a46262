"""Malformed and refused URLs: a clear error naming the URL — for an item, an ``InvalidURL`` (a ``FetchError``);
for a source's address, a ``ConfigurationError`` and a non-zero exit of ``manage.py harvest`` — never a traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.management import CommandError, call_command

from importers.errors import ConfigurationError, FetchError, InvalidURL
from importers.http import PoliteClient, check_base_url
from importers.models import HarvestJob
from importers.testing.scripted_site import Reply, ScriptedSite
from importers.urls import is_loopback_host, join_url, looks_like_url, parse_http_url

MakeClient = Callable[..., PoliteClient]

MALFORMED = [
    ("http://[::1", "адрес не разбирается: неверный адрес IPv6 (Invalid IPv6 URL)"),
    (
        "http://[zzz]/",
        "адрес не разбирается: неверный адрес IPv6 ('zzz' does not appear to be an IPv4 or IPv6 address)",
    ),
    ("http://resh.edu.ru:99999/", "адрес не разбирается: неверный порт (Port out of range 0-65535)"),
    (
        "http://resh.edu.ru:8o/",
        "адрес не разбирается: неверный порт (Port could not be cast to integer value as '8o')",
    ),
    ("http://resh.edu.ru:0/", "порт 0 недопустим"),
    ("file:///etc/passwd", "схема 'file' не поддерживается: собираются только адреса http:// и https://"),
    ("gopher://resh.edu.ru/", "схема 'gopher' не поддерживается: собираются только адреса http:// и https://"),
    ("javascript:alert(1)", "схема 'javascript' не поддерживается: собираются только адреса http:// и https://"),
    ("/subject/lesson/1/", "адрес без схемы не поддерживается: собираются только адреса http:// и https://"),
    ("http:///lesson", "в адресе нет имени хоста"),
    ("http://res h.edu.ru/", "недопустимые символы в имени хоста 'res h.edu.ru'"),
    ("", "пустой адрес"),
]


@pytest.fixture
def site() -> Iterator[ScriptedSite]:
    with ScriptedSite() as started:
        started.route("/robots.txt", Reply(404))
        yield started


@pytest.mark.parametrize(("url", "message"), MALFORMED)
def test_a_malformed_url_is_an_invalid_url_error(url: str, message: str) -> None:
    with pytest.raises(InvalidURL) as raised:
        parse_http_url(url)

    assert (raised.value.url, raised.value.message) == (url, message)
    assert isinstance(raised.value, FetchError)


def test_a_well_formed_url_is_parsed() -> None:
    assert parse_http_url("HTTPS://Resh.Edu.RU./lesson?x=1").netloc == "resh.edu.ru"
    ipv6 = parse_http_url("http://[::1]:8001/robots.txt")
    assert (ipv6.host, ipv6.port, ipv6.netloc, ipv6.origin) == ("::1", 8001, "[::1]:8001", "http://[::1]:8001")
    assert parse_http_url("https://пример.рф/уроки").host == "пример.рф"


@pytest.mark.parametrize(
    "url",
    ["http://[::1", "http://[zzz]/", "http://127.0.0.1:99999/lesson", "file:///etc/passwd", "javascript:alert(1)"],
)
def test_a_malformed_url_from_a_page_is_an_error_for_that_item(
    site: ScriptedSite, make_client: MakeClient, url: str
) -> None:
    client = make_client()

    with pytest.raises(InvalidURL) as raised:
        client.get(url)

    assert raised.value.url == url
    assert site.requested_paths() == []


@pytest.mark.parametrize("location", ["http://[::1", "http://127.0.0.1:99999/next", "//[zzz]/x", "file:///etc/passwd"])
def test_a_malformed_redirect_is_an_error_for_that_item(
    site: ScriptedSite, make_client: MakeClient, location: str
) -> None:
    site.route("/moved", Reply(302, headers={"Location": location}))

    with pytest.raises(InvalidURL):
        make_client().get(site.url("/moved"))

    assert site.requested_paths() == ["/robots.txt", "/moved"]


def test_join_url_turns_a_malformed_link_into_invalid_url() -> None:
    assert join_url("https://resh.edu.ru/subject/1/", "../lesson/2/") == "https://resh.edu.ru/subject/lesson/2/"
    with pytest.raises(InvalidURL) as raised:
        join_url("https://resh.edu.ru/subject/1/", " http://[::1/lesson ")

    assert raised.value.message == "ссылка не разбирается: неверный адрес IPv6 (Invalid IPv6 URL)"


def test_urls_and_paths_are_told_apart() -> None:
    assert [looks_like_url(value) for value in ("file:///x", "http://h/", "HTTPS://h", "feed.jsonl", "/tmp/f")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert [is_loopback_host(host) for host in ("localhost", "127.0.0.2", "::1", "[::1]", "10.0.0.1")] == [
        True,
        True,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(("url", "message"), MALFORMED[:4] + MALFORMED[5:6])
def test_check_base_url_refuses_an_unusable_address(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        check_base_url(url, allow_private=True)

    assert str(raised.value) == f"адрес источника не подходит для сбора: {message}: {url!r}"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8001/", "127.0.0.1"),
        ("http://[::1]/", "::1"),
        ("http://10.20.30.40/", "10.20.30.40"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:192.168.1.1]/", "::ffff:192.168.1.1"),
    ],
)
def test_check_base_url_refuses_the_internal_network(url: str, address: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        check_base_url(url)

    assert raised.value.message.startswith(f"сбор отклонён: хост {parse_http_url(url).host!r} указывает на ")
    assert f"внутренний адрес {address} (private, loopback или link-local)" in raised.value.message
    assert check_base_url(url, allow_private=True).url == url


def test_check_base_url_refuses_a_name_that_resolves_to_loopback() -> None:
    with pytest.raises(ConfigurationError) as raised:
        check_base_url("http://localhost:8000/")

    assert "127.0.0.1" in raised.value.message


def test_check_base_url_accepts_a_public_address() -> None:
    assert check_base_url("https://93.184.216.34/catalog/").host == "93.184.216.34"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        (
            "file:///etc/passwd",
            "--base-url: адрес источника не подходит для сбора: схема 'file' не поддерживается: "
            "собираются только адреса http:// и https://: 'file:///etc/passwd'",
        ),
        (
            "http://[::1",
            "--base-url: адрес источника не подходит для сбора: адрес не разбирается: неверный адрес IPv6 "
            "(Invalid IPv6 URL): 'http://[::1'",
        ),
        (
            "http://[zzz]/",
            "--base-url: адрес источника не подходит для сбора: адрес не разбирается: неверный адрес IPv6 "
            "('zzz' does not appear to be an IPv4 or IPv6 address): 'http://[zzz]/'",
        ),
        (
            "https://resh.edu.ru:99999/",
            "--base-url: адрес источника не подходит для сбора: адрес не разбирается: неверный порт "
            "(Port out of range 0-65535): 'https://resh.edu.ru:99999/'",
        ),
        (
            "/nonexistent/feed.jsonl",
            "--base-url: ожидается адрес http(s):// или путь к файлу фида, файла нет: '/nonexistent/feed.jsonl'",
        ),
    ],
)
def test_harvest_command_refuses_an_unusable_base_url(base_url: str, message: str) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("harvest", "uchi", "--base-url", base_url, "--no-progress")

    assert str(raised.value) == message
    assert not HarvestJob.objects.exists()
