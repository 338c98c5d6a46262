"""A polite HTTP client for harvesting: the only way importers talk to the network.

Rules it enforces on every request (see docs/importers.md, «Вежливость»):

* only hosts from the allow-list, and only public addresses unless ``allow_private`` is set;
* ``/robots.txt`` of each origin is read first and obeyed for our User-Agent (or ``*``);
* at most ``requests_per_second`` to each host;
* retries with back-off on connection errors and timeouts, and on 429/5xx honouring ``Retry-After``;
* a timeout per request and a cap on the body size (the download is aborted past it);
* redirects are followed by hand, at most ``max_redirects`` hops, each hop checked like a new request;
* conditional GET: previous validators go out as ``If-None-Match`` / ``If-Modified-Since``, and a
  304 comes back as :attr:`FetchStatus.NOT_MODIFIED`.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from importers.encoding import decode_body
from importers.errors import (
    DisallowedByRobots,
    FetchError,
    HostNotAllowed,
    HTTPStatusError,
    ResponseTooLarge,
    TooManyRedirects,
    TransportFailure,
)
from importers.politeness import HostGuard, RateLimiter, parse_retry_after

__all__ = [
    "DEFAULT_USER_AGENT",
    "ClientSettings",
    "DisallowedByRobots",
    "FetchError",
    "FetchResult",
    "FetchStatus",
    "HTTPStatusError",
    "HostNotAllowed",
    "PoliteClient",
    "ResponseTooLarge",
    "TooManyRedirects",
    "TransportFailure",
    "Validators",
]

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "EduCatalogBot/0.1 (+https://catalog.example/bot)"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses whose Retry-After default is a fixed wait rather than exponential back-off: the server is
# telling us to slow down, not failing.
_THROTTLE_STATUSES = frozenset({429, 503})
_DISALLOW_ALL = ("User-agent: *", "Disallow: /")


class FetchStatus(Enum):
    """Outcome of a successful fetch."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"


@dataclass(frozen=True)
class Validators:
    """Cache validators stored from a previous fetch of the same URL."""

    etag: str | None = None
    last_modified: str | None = None

    def as_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class FetchResult:
    """A response the client accepted: 2xx (``OK``) or 304 (``NOT_MODIFIED``, empty content)."""

    url: str
    final_url: str
    status: FetchStatus
    status_code: int
    headers: Mapping[str, str]
    content: bytes
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status is FetchStatus.NOT_MODIFIED

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def text(self) -> str:
        """The body decoded by :func:`importers.encoding.decode_body`."""
        return decode_body(self.content, self.content_type)[0]

    @property
    def validators(self) -> Validators:
        return Validators(etag=self.etag, last_modified=self.last_modified)


@dataclass(frozen=True)
class ClientSettings:
    """Politeness and safety settings of one :class:`PoliteClient`."""

    allowed_hosts: frozenset[str]
    user_agent: str = DEFAULT_USER_AGENT
    requests_per_second: float = 1.0
    timeout: float = 10.0
    max_retries: int = 3
    max_retry_wait: float = 30.0
    default_retry_after: float = 1.0
    backoff_base: float = 0.5
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_hosts(cls, hosts: Iterable[str], **options: object) -> ClientSettings:
        """Shortcut: ``ClientSettings.for_hosts(["resh.edu.ru"], requests_per_second=0.5)``."""
        return cls(allowed_hosts=frozenset(hosts), **options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _RawResponse:
    status: int
    headers: Mapping[str, str]
    content: bytes


class PoliteClient:
    """Synchronous, thread-safe HTTP client that applies :class:`ClientSettings` to every request."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._limiter = RateLimiter(settings.requests_per_second, clock=clock, sleep=sleep)
        self._guard = HostGuard(settings.allowed_hosts, allow_private=settings.allow_private)
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._robots_lock = threading.Lock()
        headers = {"User-Agent": settings.user_agent, "Accept-Language": "ru", **settings.extra_headers}
        self._http = httpx.Client(
            headers=headers, timeout=settings.timeout, follow_redirects=False, transport=transport
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(
        self, url: str, validators: Validators | None = None, headers: Mapping[str, str] | None = None
    ) -> FetchResult:
        """GET ``url``; with ``validators`` a 304 answer gives ``FetchStatus.NOT_MODIFIED``."""
        return self._request("GET", url, headers=headers, validators=validators)

    def post_form(self, url: str, data: Mapping[str, str], headers: Mapping[str, str] | None = None) -> FetchResult:
        """POST form data (the РЭШ lesson lists); conditional headers do not apply to POST."""
        return self._request("POST", url, headers=headers, data=data)

    def is_allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's origin lets us fetch it (fetching robots.txt if needed)."""
        return self._robots_for(url).can_fetch(self.settings.user_agent, url)

    def _request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        validators: Validators | None = None,
        obey_robots: bool = True,
    ) -> FetchResult:
        request_headers = dict(headers or {})
        if validators is not None and method == "GET":
            request_headers.update(validators.as_headers())
        current, current_method, current_data = url, method, data
        for hop in range(self.settings.max_redirects + 1):
            self._guard.check(current)
            if obey_robots and not self.is_allowed(current):
                raise DisallowedByRobots(current, "robots.txt disallows this URL for our User-Agent")
            raw = self._send_with_retries(current_method, current, request_headers, current_data)
            if raw.status in _REDIRECT_STATUSES:
                location = raw.headers.get("location")
                if not location:
                    raise HTTPStatusError(current, raw.status)
                if hop == self.settings.max_redirects:
                    raise TooManyRedirects(url, f"more than {self.settings.max_redirects} redirects")
                current = urljoin(current, location)
                # Browsers turn a redirected POST into a GET for 301/302/303; 307/308 keep the method.
                if raw.status in (301, 302, 303) and current_method == "POST":
                    current_method, current_data = "GET", None
                continue
            return self._accept(url, current, raw, validators)
        raise TooManyRedirects(url, f"more than {self.settings.max_redirects} redirects")  # unreachable

    def _accept(self, url: str, final_url: str, raw: _RawResponse, validators: Validators | None) -> FetchResult:
        if raw.status == 304 and validators is not None:
            status = FetchStatus.NOT_MODIFIED
        elif 200 <= raw.status < 300:
            status = FetchStatus.OK
        else:
            raise HTTPStatusError(final_url, raw.status)
        previous = validators or Validators()
        return FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            status_code=raw.status,
            headers=raw.headers,
            content=raw.content,
            etag=raw.headers.get("etag") or (previous.etag if status is FetchStatus.NOT_MODIFIED else None),
            last_modified=raw.headers.get("last-modified")
            or (previous.last_modified if status is FetchStatus.NOT_MODIFIED else None),
        )

    def _send_with_retries(
        self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, str] | None
    ) -> _RawResponse:
        host = urlsplit(url).netloc.lower()
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            self._limiter.wait(host)
            try:
                raw = self._send_once(method, url, headers, data)
            except httpx.TransportError as error:  # connection errors and timeouts
                if attempt + 1 == attempts:
                    raise TransportFailure(url, f"{type(error).__name__}: {error} after {attempts} attempts") from error
                wait = self._backoff(attempt)
                logger.warning("%s %s failed (%s); retrying in %.1f s", method, url, error, wait)
                self._sleep(wait)
                continue
            if raw.status in _RETRY_STATUSES and attempt + 1 < attempts:
                wait = self._retry_wait(raw, attempt)
                logger.warning("%s %s answered %s; retrying in %.1f s", method, url, raw.status, wait)
                self._sleep(wait)
                continue
            return raw
        raise AssertionError("the retry loop always returns or raises")

    def _send_once(
        self, method: str, url: str, headers: Mapping[str, str], data: Mapping[str, str] | None
    ) -> _RawResponse:
        limit = self.settings.max_bytes
        with self._http.stream(method, url, headers=headers, data=data) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ResponseTooLarge(url, limit)
            body = bytearray()
            # iter_bytes() yields decompressed bytes, so the cap also stops compression bombs.
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise ResponseTooLarge(url, limit)
            response_headers = {name.lower(): value for name, value in response.headers.items()}
            logger.debug("%s %s -> %s (%d bytes)", method, url, response.status_code, len(body))
            return _RawResponse(response.status_code, response_headers, bytes(body))

    def _backoff(self, attempt: int) -> float:
        return min(self.settings.backoff_base * 2**attempt, self.settings.max_retry_wait)

    def _retry_wait(self, raw: _RawResponse, attempt: int) -> float:
        wait = parse_retry_after(raw.headers.get("retry-after"))
        if wait is None:
            wait = self.settings.default_retry_after if raw.status in _THROTTLE_STATUSES else self._backoff(attempt)
        return min(wait, self.settings.max_retry_wait)

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        # One lock for all origins: robots.txt is fetched once per origin, so contention is brief.
        with self._robots_lock:
            parser = self._robots.get(origin)
            if parser is None:
                parser = self._fetch_robots(origin)
                self._robots[origin] = parser
        return parser

    def _fetch_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        """Read robots.txt as RFC 9309 says: 4xx means no rules, 5xx means keep out.

        A connection failure propagates as :class:`TransportFailure` and nothing is cached, so the
        caller sees the real cause and a later request tries robots.txt again.
        """
        robots_url = f"{origin}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            result = self._request("GET", robots_url, obey_robots=False)
        except HTTPStatusError as error:
            if 400 <= error.status < 500:
                parser.parse([])
                return parser
            logger.warning("robots.txt of %s unavailable (%s); the origin is off limits", origin, error)
            parser.parse(_DISALLOW_ALL)
        except (ResponseTooLarge, TooManyRedirects, HostNotAllowed) as error:
            logger.warning("robots.txt of %s unavailable (%s); the origin is off limits", origin, error)
            parser.parse(_DISALLOW_ALL)
        else:
            parser.parse(result.text.splitlines())
        return parser
