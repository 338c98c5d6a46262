"""A polite HTTP client for harvesting: the only way importers talk to the network.

Rules it enforces on every request (see docs/importers.md, «Вежливость»):

* only well-formed absolute http(s) URLs, only hosts from the allow-list, and only public addresses unless
  ``allow_private`` is set; a malformed URL found on a page is :class:`InvalidURL`, never a ``ValueError``;
* ``/robots.txt`` of each origin is read first (RFC 9309, :mod:`importers.robots`) and obeyed for our
  product token (or ``*``); its ``Crawl-delay`` slows our rate for the host;
* at most ``requests_per_second`` to each host;
* a total ``deadline`` per request — connection, redirects, retries with their pauses, every read of the
  body — on top of the ``timeout`` of each socket operation (:mod:`importers.transport`);
* retries with back-off on connection errors and timeouts, and on 429/5xx honouring ``Retry-After``, as
  long as the deadline leaves time for them;
* a cap on the body size (the download is aborted past it);
* redirects are followed by hand, at most ``max_redirects`` hops, each hop checked like a new request;
* conditional GET: previous validators go out as ``If-None-Match`` / ``If-Modified-Since``, and a
  304 comes back as :attr:`FetchStatus.NOT_MODIFIED`.

:func:`check_base_url` refuses a source address before a harvest starts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import TracebackType

import httpx

from importers.encoding import decode_body
from importers.errors import (
    ConfigurationError,
    CrawlDelayTooLong,
    DeadlineExceeded,
    DisallowedByRobots,
    FetchError,
    HostNotAllowed,
    HTTPStatusError,
    InvalidURL,
    ResponseTooLarge,
    RobotsUnavailable,
    TooManyRedirects,
    TransportFailure,
)
from importers.politeness import HostGuard, RateLimiter, non_public_addresses, parse_retry_after
from importers.robots import RobotsCache, product_token
from importers.transport import Deadline, DeadlineTransport, deadline_scope
from importers.urls import HttpURL, join_url, parse_http_url

__all__ = [
    "DEFAULT_USER_AGENT",
    "ClientSettings",
    "ConfigurationError",
    "CrawlDelayTooLong",
    "DeadlineExceeded",
    "DisallowedByRobots",
    "FetchError",
    "FetchResult",
    "FetchStatus",
    "HTTPStatusError",
    "HostNotAllowed",
    "InvalidURL",
    "PoliteClient",
    "ResponseTooLarge",
    "RobotsUnavailable",
    "TooManyRedirects",
    "TransportFailure",
    "Validators",
    "check_base_url",
]

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "EduCatalogBot/0.1 (+https://catalog.example/bot)"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses whose Retry-After default is a fixed wait rather than exponential back-off: the server is
# telling us to slow down, not failing.
_THROTTLE_STATUSES = frozenset({429, 503})
_LOCATION = "importers.location"  # where a response's Location header waits for us (response.extensions)


def check_base_url(url: str, *, allow_private: bool = False) -> HttpURL:
    """Refuse a source's address before a harvest starts; return it parsed.

    Raises :class:`ConfigurationError` with a Russian message for another scheme (``file://``), a malformed
    host, IPv6 literal or port, and — unless ``allow_private`` — a host that resolves to a private,
    loopback or link-local address (the SSRF refusal). Makes no HTTP request.
    """
    try:
        target = parse_http_url(url)
    except InvalidURL as error:
        raise ConfigurationError(url, f"адрес источника не подходит для сбора: {error.message}") from error
    if not allow_private:
        private = non_public_addresses(target.host, target.port)
        if private:
            raise ConfigurationError(
                url,
                f"сбор отклонён: хост {target.host!r} указывает на внутренний адрес {', '.join(private)} "
                "(private, loopback или link-local); для стенда в своей сети разрешите внутренние адреса "
                "(--allow-private или «разрешить внутренние адреса» у источника)",
            )
    return target


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
    truncated: bool = False  # robots.txt only: the body was cut at its size cap

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
    """Politeness and safety settings of one :class:`PoliteClient` (seconds and bytes).

    ``timeout`` bounds each socket operation, ``deadline`` the whole request. robots.txt is read with
    its own ``deadline``, at most ``robots_max_bytes`` of it (the rest is ignored), kept for
    ``robots_cache_seconds``; when it is unreachable the origin is closed for ``robots_retry_seconds``.
    A ``Crawl-delay`` longer than ``max_crawl_delay`` closes the origin.
    """

    allowed_hosts: frozenset[str]
    user_agent: str = DEFAULT_USER_AGENT
    requests_per_second: float = 1.0
    timeout: float = 10.0
    deadline: float = 30.0
    max_retries: int = 3
    max_retry_wait: float = 30.0
    default_retry_after: float = 1.0
    backoff_base: float = 0.5
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False
    robots_max_bytes: int = 512 * 1024
    robots_cache_seconds: float = 24 * 3600.0
    robots_retry_seconds: float = 600.0
    max_crawl_delay: float = 60.0
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
    truncated: bool = False


@dataclass(frozen=True)
class _BodyLimit:
    """At most ``size`` bytes of body: past it the download is aborted, or (``truncate``) the rest ignored."""

    size: int
    truncate: bool = False


class PoliteClient:
    """Synchronous, thread-safe HTTP client that applies :class:`ClientSettings` to every request.

    ``transport`` replaces the network layer (the total deadline is then checked only between reads).
    """

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
        self._robots = RobotsCache(
            self._read_robots,
            token=product_token(settings.user_agent),
            cache_seconds=settings.robots_cache_seconds,
            retry_seconds=settings.robots_retry_seconds,
            max_crawl_delay=settings.max_crawl_delay,
            slow_down=self._limiter.set_interval,
            clock=clock,
        )
        headers = {"User-Agent": settings.user_agent, "Accept-Language": "ru", **settings.extra_headers}
        self._http = httpx.Client(
            headers=headers,
            timeout=settings.timeout,
            follow_redirects=False,
            transport=transport or DeadlineTransport(),
            event_hooks={"response": [_keep_location_aside]},
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

    def check_robots(self, url: str) -> None:
        """Raise unless robots.txt of the URL's origin lets us fetch it (reading robots.txt if needed).

        :class:`DisallowedByRobots` for a disallowed URL (:class:`CrawlDelayTooLong` when the site asks
        for more patience than we have), :class:`RobotsUnavailable` while robots.txt is unreachable.
        """
        self._robots.check(self._guard.check(url))

    def _request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        validators: Validators | None = None,
        obey_robots: bool = True,
        limit: _BodyLimit | None = None,
    ) -> FetchResult:
        request_headers = dict(headers or {})
        if validators is not None and method == "GET":
            request_headers.update(validators.as_headers())
        deadline = Deadline(self.settings.deadline)
        limit = limit or _BodyLimit(self.settings.max_bytes)
        current, current_method, current_data = url, method, data
        for hop in range(self.settings.max_redirects + 1):
            target = self._guard.check(current)
            if obey_robots:
                with deadline.paused():  # robots.txt is a request of its own, with its own deadline
                    self._robots.check(target)
            raw = self._send_with_retries(current_method, target, request_headers, current_data, deadline, limit)
            if raw.status in _REDIRECT_STATUSES:
                location = raw.headers.get("location")
                if not location:
                    raise HTTPStatusError(current, raw.status)
                if hop == self.settings.max_redirects:
                    raise TooManyRedirects(url, f"больше {self.settings.max_redirects} перенаправлений подряд")
                current = join_url(current, location)
                # Browsers turn a redirected POST into a GET for 301/302/303; 307/308 keep the method.
                if raw.status in (301, 302, 303) and current_method == "POST":
                    current_method, current_data = "GET", None
                continue
            return self._accept(url, current, raw, validators)
        raise AssertionError("the redirect loop always returns or raises")

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
            truncated=raw.truncated,
        )

    def _send_with_retries(
        self,
        method: str,
        target: HttpURL,
        headers: Mapping[str, str],
        data: Mapping[str, str] | None,
        deadline: Deadline,
        limit: _BodyLimit,
    ) -> _RawResponse:
        url, attempts = target.url, self.settings.max_retries + 1
        for attempt in range(attempts):
            # Our own rate limit is not the server's slowness: the queue does not use up the deadline.
            deadline.extend(self._limiter.wait(target.netloc))
            try:
                raw = self._send_once(method, url, headers, data, deadline, limit)
            except httpx.TransportError as error:  # connection errors and timeouts of one socket operation
                wait = self._backoff(attempt)
                if attempt + 1 == attempts or wait >= deadline.remaining():
                    raise TransportFailure(url, f"{_describe(error)}; попыток: {attempt + 1}") from error
                logger.warning("%s %s failed (%s); retrying in %.1f s", method, url, error, wait)
                self._sleep(wait)
                continue
            if raw.status in _RETRY_STATUSES and attempt + 1 < attempts:
                wait = self._retry_wait(raw, attempt)
                if wait < deadline.remaining():
                    logger.warning("%s %s answered %s; retrying in %.1f s", method, url, raw.status, wait)
                    self._sleep(wait)
                    continue
                logger.warning(
                    "%s %s answered %s; no time left for a retry before the deadline", method, url, raw.status
                )
            return raw
        raise AssertionError("the retry loop always returns or raises")

    def _send_once(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        data: Mapping[str, str] | None,
        deadline: Deadline,
        limit: _BodyLimit,
    ) -> _RawResponse:
        try:
            with deadline_scope(deadline), self._http.stream(method, url, headers=headers, data=data) as response:
                return self._read_body(method, url, response, deadline, limit)
        except httpx.TimeoutException as error:
            if deadline.expired:
                raise DeadlineExceeded(url, deadline.seconds) from error
            raise
        except httpx.InvalidURL as error:
            raise InvalidURL(url, f"адрес не разбирается: {error}") from error
        except httpx.TransportError:
            raise
        except httpx.RequestError as error:  # a body that cannot be decompressed, and the like: no retry helps
            raise TransportFailure(url, f"ответ не читается: {_describe(error)}") from error

    def _read_body(
        self, method: str, url: str, response: httpx.Response, deadline: Deadline, limit: _BodyLimit
    ) -> _RawResponse:
        declared = response.headers.get("content-length", "")
        if not limit.truncate and declared.isdigit() and int(declared) > limit.size:
            raise ResponseTooLarge(url, limit.size)
        body, truncated = bytearray(), False
        # iter_bytes() yields decompressed bytes, so the cap also stops compression bombs.
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit.size:
                if not limit.truncate:
                    raise ResponseTooLarge(url, limit.size)
                del body[limit.size :]
                truncated = True
                break
            if deadline.expired:  # the transport enforces it too; this covers a replaced transport
                raise DeadlineExceeded(url, deadline.seconds)
        response_headers = {name.lower(): value for name, value in response.headers.items()}
        if _LOCATION in response.extensions:
            response_headers["location"] = response.extensions[_LOCATION]
        logger.debug("%s %s -> %s (%d bytes)", method, url, response.status_code, len(body))
        return _RawResponse(response.status_code, response_headers, bytes(body), truncated)

    def _backoff(self, attempt: int) -> float:
        return min(self.settings.backoff_base * 2**attempt, self.settings.max_retry_wait)

    def _retry_wait(self, raw: _RawResponse, attempt: int) -> float:
        wait = parse_retry_after(raw.headers.get("retry-after"))
        if wait is None:
            wait = self.settings.default_retry_after if raw.status in _THROTTLE_STATUSES else self._backoff(attempt)
        return min(wait, self.settings.max_retry_wait)

    def _read_robots(self, robots_url: str) -> tuple[bytes, bool]:
        """robots.txt's body (at most ``robots_max_bytes``) and whether it was cut; :class:`RobotsCache` calls it."""
        limit = _BodyLimit(self.settings.robots_max_bytes, truncate=True)
        result = self._request("GET", robots_url, obey_robots=False, limit=limit)
        return result.content, result.truncated


def _keep_location_aside(response: httpx.Response) -> None:
    """Move ``Location`` out of httpx's sight: we follow redirects by hand (:func:`join_url` checks the
    target), while httpx would parse it even with redirects off and raise a retryable protocol error
    for a malformed one."""
    location = response.headers.get("location")
    if location is not None:
        del response.headers["location"]
        response.extensions[_LOCATION] = location


def _describe(error: httpx.HTTPError) -> str:
    """``ConnectError: [Errno 111] Connection refused``, or the class name when httpx gave no text."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
