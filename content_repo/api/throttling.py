"""Quotas: anonymous clients by address (rate in settings), keys by their hourly quota (counted in the DB).

The client's address is the TCP peer's, unless that peer is one of `TRUSTED_PROXIES`: then it is the
right-most address of `X-Forwarded-For` that is not a trusted proxy (the one our own proxy saw). Anything a
client writes into the header further left is never believed, so rotating it gains no fresh quota.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from functools import lru_cache, partial

from django.conf import settings
from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import AnonRateThrottle, BaseThrottle

from .keys import count_request, record_request, within_quota
from .middleware import after_response
from .permissions import api_key_of

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AnonymousRateThrottle(AnonRateThrottle):
    """Requests without a key, per client address; `API_ANONYMOUS_RATE` such as "300/hour"."""

    def get_rate(self):
        # Read at request time (DRF's class attribute is fixed at import and misses setting overrides).
        return settings.API_ANONYMOUS_RATE

    def get_ident(self, request):
        # DRF's own get_ident believes any X-Forwarded-For unless NUM_PROXIES is right: ask the proxies' list.
        return client_address(request.META, trusted_networks(tuple(settings.TRUSTED_PROXIES)))


class ApiKeyQuotaThrottle(BaseThrottle):
    """Requests with a key against its `hourly_quota`, counted in the key's usage.

    A writing request is counted before it runs (one conditional UPDATE, so the quota is exact); a reading
    one is checked by reading and counted after its answer has been sent, so reads never wait for the
    database's write lock and keep working on a read-only database.
    """

    retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        key = api_key_of(request)
        if key is None:
            return True
        now = timezone.now()
        if request.method not in SAFE_METHODS:
            allowed, self.retry_after = count_request(key, now)
            return allowed
        allowed, self.retry_after = within_quota(key, now)
        after_response(request._request, partial(record_request, key, now, allowed=allowed))
        return allowed

    def wait(self):
        return self.retry_after


def client_address(meta: Mapping[str, str], trusted: Sequence[IPNetwork]) -> str:
    """The address a request came from, believing `X-Forwarded-For` only as far as trusted proxies wrote it."""
    peer = meta.get("REMOTE_ADDR", "")
    address = _parse(peer)
    if address is None or not _is_trusted(address, trusted):
        return str(address or peer)
    for hop in reversed([part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]):
        hop_address = _parse(hop)
        if hop_address is None:
            break  # not an address: nothing further left was written by a proxy we trust
        address = hop_address
        if not _is_trusted(address, trusted):
            break
    return str(address)


@lru_cache(maxsize=8)
def trusted_networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """`TRUSTED_PROXIES` as networks (a single address is a /32 or /128); the settings module validated them."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _is_trusted(address: IPAddress, trusted: Sequence[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def _parse(value: str) -> IPAddress | None:
    """An address as proxies write it: `203.0.113.5`, `203.0.113.5:4711`, `2001:db8::1`, `[2001:db8::1]:4711`."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
