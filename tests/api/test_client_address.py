"""The anonymous quota counts by the client's address: X-Forwarded-For is believed only as far as trusted
proxies (`TRUSTED_PROXIES`) wrote it."""

from __future__ import annotations

import ipaddress

import pytest

from content_repo.api.throttling import client_address

from .helpers import problem

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", "", "203.0.113.5"),
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not a proxy of ours: its header is ignored
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client forged the left part
        ("10.0.0.2", "198.51.100.1, 10.0.0.3", "198.51.100.1"),  # two of our proxies in a row
        ("10.0.0.2", "10.0.0.4, 10.0.0.3", "10.0.0.4"),  # only proxies: the left-most
        ("10.0.0.2", "6.6.6.6, not-an-address", "10.0.0.2"),  # garbage: nothing left of it is believed
        ("10.0.0.2", "198.51.100.1:4711", "198.51.100.1"),
        ("10.0.0.2", "[2001:db9::1]:4711", "2001:db9::1"),
        ("2001:db8::7", "2001:db9::1", "2001:db9::1"),
        ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),  # an IPv4 proxy seen through an IPv6 socket
    ],
)
def test_client_address(peer, forwarded, expected):
    assert client_address({"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}, PROXIES) == expected


def test_rotating_x_forwarded_for_from_an_untrusted_peer_gets_no_fresh_quota(client, settings, db):
    settings.API_ANONYMOUS_RATE = "3/hour"
    statuses = [
        client.get("/api/v1/organizations/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        for i in range(6)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429, 429]
    problem(statuses[-1], 429)
    assert client.get("/api/v1/organizations/", REMOTE_ADDR="203.0.113.6").status_code == 200


def test_behind_trusted_proxies_each_client_has_its_own_quota(client, settings, db):
    settings.API_ANONYMOUS_RATE = "2/hour"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def through_proxy(forwarded: str) -> int:
        return client.get("/api/v1/organizations/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [through_proxy(f"6.6.6.{i}, 198.51.100.1") for i in range(3)] == [200, 200, 429]
    assert [through_proxy("198.51.100.2") for _ in range(3)] == [200, 200, 429]
