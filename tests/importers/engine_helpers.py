"""Helpers for the engine tests: run a job against a recorded site and read what it did."""

from __future__ import annotations

from typing import Any

from importers.engine import HarvestOptions, run_harvest
from importers.models import HarvestJob
from importers.testing.recorded_site import RecordedSite
from tests.importers.conftest import TEST_RATE

COUNTS = ("gathered", "created", "updated", "unchanged", "withdrawn", "failed")


def harvest_site(code: str, site: RecordedSite, **options: Any) -> HarvestJob:
    options.setdefault("rate", TEST_RATE)
    return run_harvest(code, HarvestOptions(base_url=site.base_url, **options))


def counts(job: HarvestJob) -> dict[str, int]:
    return {name: getattr(job, name) for name in COUNTS}


def status_of(site: RecordedSite, prefix: str) -> dict[int, int]:
    """How many requests for paths under ``prefix`` got each status."""
    result: dict[int, int] = {}
    for request in site.requests:
        if request.path.startswith(prefix):
            result[request.status] = result.get(request.status, 0) + 1
    return result
