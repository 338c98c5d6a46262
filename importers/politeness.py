"""Building blocks of a polite crawler: per-host rate limit, host allow-list with an address check,
and Retry-After parsing. :mod:`importers.http` puts them together.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from importers.errors import HostNotAllowed

__all__ = ["HostGuard", "RateLimiter", "parse_retry_after"]


class RateLimiter:
    """At most ``rate`` requests per second to each host, shared by every thread of one client.

    Each host has the monotonic time of its next free slot. A caller books the slot under the lock
    and sleeps outside it, so threads waiting for different hosts do not block each other.
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
        self._lock = threading.Lock()

    def wait(self, host: str) -> float:
        """Block until a request to ``host`` is allowed; return the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self.interval
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


class HostGuard:
    """Refuses URLs outside the allow-list, and hosts that resolve to non-public addresses.

    The address check stops a listing (or a redirect) from steering the crawler at the internal
    network. It is done before each request; with ``allow_private`` (tests, a local mirror) it is off.
    """

    def __init__(self, allowed_hosts: Iterable[str], allow_private: bool = False) -> None:
        self.allowed_hosts = frozenset(host.lower().rstrip(".") for host in allowed_hosts)
        self.allow_private = allow_private
        self._resolved: dict[str, bool] = {}
        self._lock = threading.Lock()

    def check(self, url: str) -> None:
        """Raise :class:`HostNotAllowed` unless ``url`` may be requested."""
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        if parts.scheme not in ("http", "https") or not host:
            raise HostNotAllowed(url, f"only absolute http(s) URLs are fetched, not {parts.scheme!r}")
        if host not in self.allowed_hosts:
            raise HostNotAllowed(url, f"host {host!r} is not in the allowed hosts")
        if not self.allow_private and not self._resolves_public(host, parts.port):
            raise HostNotAllowed(url, f"host {host!r} resolves to a private, loopback or link-local address")

    def _resolves_public(self, host: str, port: int | None) -> bool:
        with self._lock:
            cached = self._resolved.get(host)
        if cached is not None:
            return cached
        try:
            infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
        except socket.gaierror:
            # An unresolvable host fails later with a clear connection error; it is not a private one.
            return True
        public = all(_is_public(str(info[4][0])) for info in infos)
        with self._lock:
            self._resolved[host] = public
        return public
