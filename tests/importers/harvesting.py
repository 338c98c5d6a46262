"""Helpers to run a source over a recorded site and to read and write golden files."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from content_repo.intake.records import HarvestedRecord
from importers.http import PoliteClient, Validators
from importers.sources.base import GatherReport, ItemOutcome, ItemStatus, SourceDefinition, harvest
from importers.testing.recorded_site import RecordedSite
from tests.importers.conftest import GOLDEN_DIR

# Set IMPORTERS_UPDATE_GOLDEN=1 to rewrite golden files from the current code, then review the diff.
UPDATE_GOLDEN = os.environ.get("IMPORTERS_UPDATE_GOLDEN") == "1"


def run(
    source: SourceDefinition,
    site: RecordedSite,
    make_client: Callable[..., PoliteClient],
    validators: Mapping[str, Validators] | None = None,
    **options: Any,
) -> tuple[list[ItemOutcome], GatherReport]:
    report = GatherReport()
    outcomes = list(harvest(source, make_client(), site.base_url, report, validators, **options))
    return outcomes, report


def records_of(outcomes: list[ItemOutcome]) -> list[HarvestedRecord]:
    return [outcome.record for outcome in outcomes if outcome.record is not None]


def statuses(outcomes: list[ItemOutcome]) -> dict[ItemStatus, int]:
    counts: dict[ItemStatus, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.jsonl"


def check_golden(name: str, records: list[HarvestedRecord]) -> None:
    """Compare records with the golden file (or rewrite it when asked)."""
    lines = [json.dumps(record.to_dict(), ensure_ascii=False) for record in records]
    path = golden_path(name)
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    assert load_golden(name) == records


def load_golden(name: str) -> list[HarvestedRecord]:
    text = golden_path(name).read_text(encoding="utf-8")
    return [HarvestedRecord.from_dict(json.loads(line)) for line in text.splitlines() if line]


def by_id(records: list[HarvestedRecord]) -> dict[str, HarvestedRecord]:
    return {record.external_id: record for record in records}


def changes(before: list[HarvestedRecord], after: list[HarvestedRecord]) -> dict[str, set[str]]:
    """Created / updated / withdrawn ids between two runs, as the engine will compute them."""
    old, new = by_id(before), by_id(after)
    return {
        "created": set(new) - set(old),
        "withdrawn": set(old) - set(new),
        "updated": {key for key in set(old) & set(new) if old[key].content_hash() != new[key].content_hash()},
    }
