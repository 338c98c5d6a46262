"""Errors raised by the importers: fetching (network, politeness rules), configuration and transforming payloads.

Every error carries the URL or record it is about, so a log line or a stored harvest error is
actionable on its own. Messages are in Russian: methodists read them in the admin.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "CrawlDelayTooLong",
    "DeadlineExceeded",
    "DisallowedByRobots",
    "FetchError",
    "HTTPStatusError",
    "HostNotAllowed",
    "InvalidURL",
    "ResponseTooLarge",
    "RobotsUnavailable",
    "TooManyRedirects",
    "TransformError",
    "TransportFailure",
]


class FetchError(Exception):
    """A URL could not be fetched. Subclasses say why."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{message} ({url})")
        self.url = url
        self.message = message


class DisallowedByRobots(FetchError):
    """The host's robots.txt disallows the URL for our User-Agent; it was not requested."""


class CrawlDelayTooLong(DisallowedByRobots):
    """robots.txt asks for a pause between requests longer than we are configured to keep; nothing is requested."""

    def __init__(self, url: str, delay: float, limit: float) -> None:
        super().__init__(
            url,
            f"robots.txt просит паузу {delay:g} с между запросами (Crawl-delay), "
            f"а допустимо не больше {limit:g} с (IMPORTERS['MAX_CRAWL_DELAY']); хост не обходится",
        )
        self.delay = delay
        self.limit = limit


class RobotsUnavailable(FetchError):
    """robots.txt could not be read (5xx, 429, network error, deadline): by RFC 9309 the site is off limits
    until the next attempt. ``reason`` says what went wrong with robots.txt."""

    def __init__(self, url: str, robots_url: str, reason: str, retry_in: float) -> None:
        super().__init__(
            url,
            f"robots.txt недоступен ({reason}); по RFC 9309 сайт закрыт для обхода, "
            f"повторная попытка прочитать {robots_url} через {retry_in:.0f} с",
        )
        self.robots_url = robots_url
        self.reason = reason


class HostNotAllowed(FetchError):
    """The host is not in the allow-list, or resolves to a private, loopback or link-local address."""


class InvalidURL(FetchError):
    """The URL cannot be requested at all: a malformed IPv6 address or port, another scheme, no host."""


class ResponseTooLarge(FetchError):
    """The response body passed the size cap; the download was aborted."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(url, f"ответ больше предела в {limit} байт, загрузка прервана")
        self.limit = limit


class TooManyRedirects(FetchError):
    """More redirect hops than allowed."""


class TransportFailure(FetchError):
    """Connection errors or timeouts persisted after every retry (or the response could not be decoded)."""


class DeadlineExceeded(TransportFailure):
    """The whole request (connection, redirects, retries, every read of the body) outlived its deadline."""

    def __init__(self, url: str, deadline: float) -> None:
        super().__init__(
            url,
            f"запрос не уложился в общий срок {deadline:g} с (соединение, перенаправления, повторы и чтение ответа)",
        )
        self.deadline = deadline


class HTTPStatusError(FetchError):
    """The final answer had an error status (4xx, or 5xx/429 after every retry)."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status


class ConfigurationError(ValueError):
    """A source's address or the harvest options cannot work: another scheme (``file://``), a malformed
    host or port, or a host in the internal network. Raised before any request is made."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{message}: {url!r}")
        self.url = url
        self.message = message


class TransformError(ValueError):
    """A raw payload cannot become a record: names the record and the offending field."""

    def __init__(self, source: str, record: str, field: str, reason: str) -> None:
        super().__init__(f"{source} record {record!r}: field {field!r}: {reason}")
        self.source = source
        self.record = record
        self.field = field
        self.reason = reason
