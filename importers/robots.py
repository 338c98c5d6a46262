"""robots.txt by RFC 9309, parsed with protego: which URLs of an origin we may fetch, and how fast.

protego does the matching the RFC asks for: the group of our product token (case-insensitive), else
``*``; ``*`` and ``$`` in paths; the longest matching rule wins, and ``Allow`` wins a tie. This module
adds what the RFC says about fetching it (see :meth:`RobotsPolicy.from_status`) and the rate a site asks
for with ``Crawl-delay`` or ``Request-rate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from protego import Protego

__all__ = ["RobotsPolicy", "RobotsState", "parse_robots", "product_token"]

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
