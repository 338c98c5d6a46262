"""Building blocks of a polite crawler: per-host rate limit (slowed down by robots.txt's ``Crawl-delay``),
host allow-list with an address check, and Retry-After parsing. :mod:`importers.http` puts them together.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from importers.errors import HostNotAllowed
from importers.urls import HttpURL, parse_http_url

__all__ = ["HostGuard", "RateLimiter", "non_public_addresses", "parse_retry_after"]


class RateLimiter:
    """At most ``rate`` requests per second to each host, shared by every thread of one client.

    Each host has the monotonic time of its next free slot. A caller books the slot under the lock
    and sleeps outside it, so threads waiting for different hosts do not block each other. A host can
    be slowed down below ``rate`` (robots.txt's ``Crawl-delay``), never sped up.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next_slot: dict[str, float] = {}
        self._host_interval: dict[str, float] = {}
        self._lock = threading.Lock()

    def set_interval(self, host: str, seconds: float | None) -> None:
        """Keep at least ``seconds`` between requests to ``host`` (``None``: back to the common rate)."""
        with self._lock:
            if seconds is None or seconds <= self.interval:
                self._host_interval.pop(host, None)
            else:
                self._host_interval[host] = seconds

    def interval_for(self, host: str) -> float:
        with self._lock:
            return self._host_interval.get(host, self.interval)

    def wait(self, host: str) -> float:
        """Block until a request to ``host`` is allowed; return the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self._host_interval.get(host, self.interval)
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; ``None`` if invalid."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    # An aware UTC now, without Django's settings: the client also runs from plain scripts.
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def non_public_addresses(host: str, port: int | None) -> list[str] | None:
    """The private, loopback, link-local, multicast or reserved addresses ``host`` resolves to (empty: none).

    ``None`` for a host that does not resolve: it fails later with a clear connection error, and it is
    not a private one.
    """
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return None
    return sorted({str(info[4][0]) for info in infos if not _is_public(str(info[4][0]))})


class HostGuard:
    """Refuses malformed URLs, URLs outside the allow-list, and hosts that resolve to non-public addresses.

    The address check stops a listing (or a redirect) from steering the crawler at the internal
    network. It is done before each request; with ``allow_private`` (tests, a local mirror) it is off.
    """

    def __init__(self, allowed_hosts: Iterable[str], allow_private: bool = False) -> None:
        self.allowed_hosts = frozenset(host.lower().rstrip(".") for host in allowed_hosts)
        self.allow_private = allow_private
        self._resolved: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def check(self, url: str) -> HttpURL:
        """The parsed URL if it may be requested; otherwise :class:`InvalidURL` or :class:`HostNotAllowed`."""
        target = parse_http_url(url)
        if target.host not in self.allowed_hosts:
            raise HostNotAllowed(url, f"хост {target.host!r} не входит в список разрешённых хостов источника")
        if not self.allow_private:
            private = self._non_public(target.host, target.port)
            if private:
                raise HostNotAllowed(
                    url,
                    f"хост {target.host!r} указывает на внутренний адрес {', '.join(private)} "
                    "(private, loopback или link-local): обход внутренней сети запрещён",
                )
        return target

    def _non_public(self, host: str, port: int | None) -> list[str]:
        with self._lock:
            cached = self._resolved.get(host)
        if cached is not None:
            return cached
        private = non_public_addresses(host, port)
        if private is None:
            return []  # not cached: the next request resolves it again
        with self._lock:
            self._resolved[host] = private
        return private
