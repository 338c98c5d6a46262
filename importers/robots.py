"""robots.txt by RFC 9309, parsed with protego: which URLs of an origin we may fetch, and how fast.

protego does the matching the RFC asks for: the group of our product token (case-insensitive), else
``*``; ``*`` and ``$`` in paths; the longest matching rule wins, and ``Allow`` wins a tie. This module
adds what the RFC says about fetching it (:meth:`RobotsCache.verdict_for_failure`), how long a verdict
holds, and the rate a site asks for with ``Crawl-delay`` or ``Request-rate``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from protego import Protego

from importers.errors import (
    CrawlDelayTooLong,
    DisallowedByRobots,
    FetchError,
    HTTPStatusError,
    RobotsUnavailable,
    TooManyRedirects,
)
from importers.urls import HttpURL

__all__ = ["RobotsCache", "RobotsPolicy", "RobotsState", "parse_robots", "product_token"]

logger = logging.getLogger(__name__)

_PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")


def product_token(user_agent: str) -> str:
    """The token groups are matched against: ``EduCatalogBot`` of ``EduCatalogBot/0.1 (+https://…)``.

    Matching the whole User-Agent string would let a group for ``bot`` catch us through the URL in it.
    """
    match = _PRODUCT_TOKEN.match(user_agent.strip())
    return match.group(0) if match else "*"


class RobotsState(Enum):
    """What reading robots.txt gave."""

    RULES = "rules"  # 2xx: the file's rules apply
    UNAVAILABLE = "unavailable"  # 4xx or too many redirects: no rules, everything allowed (RFC 9309 §2.3.1.3)
    UNREACHABLE = "unreachable"  # 5xx, 429, network error, deadline: everything disallowed (§2.3.1.4)


@dataclass(frozen=True)
class RobotsPolicy:
    """The verdict of one origin's robots.txt until ``expires_at`` (on the client's monotonic clock)."""

    state: RobotsState
    expires_at: float
    rules: Protego | None = None
    reason: str = ""

    @classmethod
    def unavailable(cls, reason: str, expires_at: float) -> RobotsPolicy:
        return cls(RobotsState.UNAVAILABLE, expires_at, reason=reason)

    @classmethod
    def unreachable(cls, reason: str, expires_at: float) -> RobotsPolicy:
        return cls(RobotsState.UNREACHABLE, expires_at, reason=reason)

    @classmethod
    def parsed(cls, body: bytes, expires_at: float, *, truncated: bool = False) -> RobotsPolicy:
        return cls(RobotsState.RULES, expires_at, rules=parse_robots(body, truncated=truncated))

    @classmethod
    def from_status(cls, status: int, expires_at: float, retry_at: float) -> RobotsPolicy:
        """An error status: 4xx means no rules; 429 and 5xx mean keep out until ``retry_at``."""
        if 400 <= status < 500 and status != 429:
            return cls.unavailable(f"HTTP {status}", expires_at)
        return cls.unreachable(f"HTTP {status}", retry_at)

    @property
    def reachable(self) -> bool:
        return self.state is not RobotsState.UNREACHABLE

    def expired(self, now: float) -> bool:
        return now >= self.expires_at

    def allows(self, url: str, token: str) -> bool:
        """Whether the URL may be fetched (an unreachable robots.txt allows nothing)."""
        if self.state is RobotsState.UNREACHABLE:
            return False
        return self.rules is None or self.rules.can_fetch(url, token)

    def crawl_interval(self, token: str) -> float | None:
        """Seconds the site asks between two requests (``Crawl-delay`` or ``Request-rate``), if any."""
        if self.rules is None:
            return None
        intervals = []
        delay = self.rules.crawl_delay(token)
        if delay:
            intervals.append(float(delay))
        rate = self.rules.request_rate(token)
        if rate is not None and rate.requests > 0:
            intervals.append(rate.seconds / rate.requests)
        return max(intervals) if intervals else None


def parse_robots(body: bytes, *, truncated: bool = False) -> Protego:
    """Parse a robots.txt body (UTF-8, RFC 9309 §2.3); a body cut at the size cap loses its last partial line."""
    text = body.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if truncated:
        text = text[: text.rfind("\n") + 1]
    return Protego.parse(text)


class RobotsCache:
    """The robots.txt verdict for each origin one client talks to, read once and again when it expires.

    ``read(robots_url) -> (body, truncated)`` downloads robots.txt (raising :class:`FetchError`);
    ``slow_down(netloc, seconds)`` hands the site's ``Crawl-delay`` to the rate limiter. One lock per
    origin: a slow robots.txt holds back only the requests to its own origin.
    """

    def __init__(
        self,
        read: Callable[[str], tuple[bytes, bool]],
        *,
        token: str,
        cache_seconds: float,
        retry_seconds: float,
        max_crawl_delay: float,
        slow_down: Callable[[str, float | None], None],
        clock: Callable[[], float],
    ) -> None:
        self.token = token
        self._read = read
        self._cache_seconds = cache_seconds
        self._retry_seconds = retry_seconds
        self._max_crawl_delay = max_crawl_delay
        self._slow_down = slow_down
        self._clock = clock
        self._policies: dict[str, RobotsPolicy] = {}
        self._origin_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def check(self, target: HttpURL) -> None:
        """Raise unless the URL may be fetched: :class:`DisallowedByRobots` (:class:`CrawlDelayTooLong`
        when the site asks for more patience than we have) or :class:`RobotsUnavailable`."""
        policy = self.policy(target)
        if not policy.reachable:
            retry_in = max(0.0, policy.expires_at - self._clock())
            raise RobotsUnavailable(target.url, _robots_url(target), policy.reason, retry_in)
        interval = policy.crawl_interval(self.token)
        if interval is not None and interval > self._max_crawl_delay:
            raise CrawlDelayTooLong(target.url, interval, self._max_crawl_delay)
        if not policy.allows(target.url, self.token):
            raise DisallowedByRobots(target.url, f"robots.txt запрещает этот адрес для {self.token}")

    def policy(self, target: HttpURL) -> RobotsPolicy:
        """The origin's current verdict, reading robots.txt when there is none or it has expired."""
        origin = target.origin
        with self._lock:
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        with origin_lock:
            with self._lock:
                policy = self._policies.get(origin)
            if policy is None or policy.expired(self._clock()):
                policy = self._fetch(target)
                self._slow_down(target.netloc, policy.crawl_interval(self.token))
                with self._lock:
                    self._policies[origin] = policy
        return policy

    def _fetch(self, target: HttpURL) -> RobotsPolicy:
        try:
            body, truncated = self._read(_robots_url(target))
        except FetchError as error:
            return self.verdict_for_failure(target, error)
        if truncated:
            logger.warning("robots.txt of %s is over %d bytes; the rest is ignored", target.origin, len(body))
        return RobotsPolicy.parsed(body, self._clock() + self._cache_seconds, truncated=truncated)

    def verdict_for_failure(self, target: HttpURL, error: FetchError) -> RobotsPolicy:
        """RFC 9309 §2.3.1: 4xx or more than five redirects mean no rules; 5xx, 429, a network error, the
        deadline, a redirect to a refused host mean keep out for ``retry_seconds``. Counted from now,
        after the retries."""
        now = self._clock()
        expires_at, retry_at = now + self._cache_seconds, now + self._retry_seconds
        if isinstance(error, HTTPStatusError):
            policy = RobotsPolicy.from_status(error.status, expires_at, retry_at)
        elif isinstance(error, TooManyRedirects):
            policy = RobotsPolicy.unavailable(error.message, expires_at)
        else:
            policy = RobotsPolicy.unreachable(error.message, retry_at)
        if not policy.reachable:
            logger.warning("robots.txt of %s unreachable (%s); the origin is off limits", target.origin, policy.reason)
        return policy


def _robots_url(target: HttpURL) -> str:
    return f"{target.origin}/robots.txt"
