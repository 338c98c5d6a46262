"""Fixtures for the importers: recorded mini-sites served by a real local HTTP server, and clients.

These tests need no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from importers.http import ClientSettings, PoliteClient
from importers.testing.recorded_site import RecordedSite

SOURCES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
GOLDEN_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
# Fast enough for the suite, slow enough that the limiter is really exercised.
TEST_RATE = 200.0


def snapshot_dir(site: str, snapshot: int = 1) -> Path:
    return SOURCES_DIR / site / f"snapshot-{snapshot}"


@pytest.fixture
def serve_site() -> Iterator[Callable[[str, int], RecordedSite]]:
    """Start a recorded site (``serve_site("resh", 1)``); every started site stops after the test."""
    started: list[RecordedSite] = []

    def start(site: str, snapshot: int = 1) -> RecordedSite:
        recorded = RecordedSite(snapshot_dir(site, snapshot)).start()
        started.append(recorded)
        return recorded

    yield start
    for recorded in started:
        recorded.stop()


class SleepRecorder:
    """Stands in for ``time.sleep`` so retry waits are asserted, not spent."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_client(sleeps: SleepRecorder) -> Iterator[Callable[..., PoliteClient]]:
    """A client for 127.0.0.1 (private addresses allowed) with a fake sleep; options override settings."""
    clients: list[PoliteClient] = []

    def make(**options: object) -> PoliteClient:
        settings: dict[str, object] = {
            "allowed_hosts": frozenset({"127.0.0.1"}),
            "requests_per_second": TEST_RATE,
            "allow_private": True,
        }
        settings.update(options)
        client = PoliteClient(ClientSettings(**settings), sleep=sleeps)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def harvest_sources(db):
    """The built-in harvest sources (resh, yaklass, uchi, mesh, csv)."""
    from importers.builtin import ensure_builtin_sources

    return {source.code: source for source in ensure_builtin_sources()}
