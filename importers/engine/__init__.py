"""The persisted harvest engine: stages in :mod:`.stages`, jobs in :mod:`.runner`, dry runs in :mod:`.preview`."""

from importers.engine.preview import DryRunResult, dry_run
from importers.engine.runner import (
    HarvestBusy,
    HarvestConfigError,
    HarvestOptions,
    ProgressCallback,
    get_harvest_source,
    rerun_stored_stages,
    run_harvest,
)
from importers.engine.stages import RunContext, StageResult

__all__ = [
    "DryRunResult",
    "HarvestBusy",
    "HarvestConfigError",
    "HarvestOptions",
    "ProgressCallback",
    "RunContext",
    "StageResult",
    "dry_run",
    "get_harvest_source",
    "rerun_stored_stages",
    "run_harvest",
]
