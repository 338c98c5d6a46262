"""Bundled snapshots of the recorded sites and the demo loader (``manage.py load_demo_catalog``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from importers.engine import HarvestOptions, ProgressCallback, run_harvest
from importers.models import HarvestJob
from importers.testing.recorded_site import RecordedSite

__all__ = ["DEMO_DIR", "DEMO_SOURCES", "load_demo_catalog"]

DEMO_DIR = Path(__file__).resolve().parent
DEMO_SOURCES = ("resh", "yaklass", "uchi", "mesh")
# The recorded sites answer from memory; politeness towards them would only slow the demo down.
DEMO_RATE = 1000.0


def load_demo_catalog(
    sources: tuple[str, ...] = DEMO_SOURCES,
    progress: Callable[[str], ProgressCallback | None] | None = None,
) -> list[HarvestJob]:
    """Serve each bundled snapshot on a loopback port and harvest it with the real importer (idempotent)."""
    jobs = []
    for code in sources:
        with RecordedSite(DEMO_DIR / code) as site:
            options = HarvestOptions(base_url=site.base_url, rate=DEMO_RATE)
            jobs.append(run_harvest(code, options, progress(code) if progress else None))
    return jobs
