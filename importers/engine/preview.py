"""``harvest --dry-run``: the whole chain in memory, compared with the catalog, with nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from content_repo.intake.items import Outcome, Policy
from content_repo.intake.services import Intake
from content_repo.resources.models import SourceLayer
from importers.engine.runner import (
    HarvestOptions,
    _client_settings,
    checked_base_url,
    definition_for,
    gather_state,
    get_harvest_source,
)
from importers.engine.stages import StageResult
from importers.http import PoliteClient
from importers.sources.base import GatherReport, GatherStatus, ItemStatus, harvest

__all__ = ["DryRunResult", "dry_run"]


@dataclass
class DryRunResult:
    """What a harvest would do: the same counts as a job, plus the problems found."""

    source: str
    gathered: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: int = 0
    gather_status: str = ""
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.source} (проверка, ничего не записано): найдено {self.gathered}, создано бы {self.created}, "
            f"обновлено бы {self.updated}, без изменений {self.unchanged}, снято бы {self.withdrawn}, "
            f"ошибок {self.failed}, сбор списка: {self.gather_status}"
        )


def dry_run(code: str, options: HarvestOptions | None = None, progress=None) -> DryRunResult:
    """Gather, fetch (unconditionally), transform and map every record; compare with the catalog."""
    options = options or HarvestOptions()
    source = get_harvest_source(code)
    definition = definition_for(source)
    base_url = checked_base_url(source, options)
    result = DryRunResult(source=code)
    intake = Intake(policy=Policy.PUBLISH if source.publishes else Policy.REVIEW)
    report = GatherReport()
    seen: set[str] = set()
    # A stateful source (OAI-PMH) checks the window its next real run would harvest.
    kwargs = {"state": gather_state(source, None, options)} if definition.stateful else {}
    with PoliteClient(_client_settings(source, definition, options, base_url)) as client:
        for index, outcome in enumerate(harvest(definition, client, base_url, report, None, **kwargs)):
            if options.limit is not None and index >= options.limit:
                break
            result.gathered += 1
            status = _compare(outcome, source.code, intake, result, seen)
            if progress is not None:
                progress(status)
    result.gather_status = report.status.value
    result.failed += len(report.rejected)
    result.problems += [f"строка {p.line}: {p.reason}" if p.line else f"{p.url}: {p.reason}" for p in report.rejected]
    if report.status is GatherStatus.COMPLETE and (options.limit is None or result.gathered < options.limit):
        alive = SourceLayer.objects.filter(source=source.code, withdrawn_at__isnull=True)
        result.withdrawn = sum(
            1 for external_id in alive.values_list("external_id", flat=True) if external_id not in seen
        )
    return result


def _compare(outcome, code: str, intake: Intake, result: DryRunResult, seen: set[str]) -> StageResult:
    """What the load would do with one harvested item: the intake's own mapping and classification."""
    if outcome.record is None:
        if outcome.status in (ItemStatus.FAILED, ItemStatus.SKIPPED):
            result.failed += 1
            result.problems.append(f"{outcome.ref.external_id}: {outcome.error}")
            return StageResult.FAILED
        return StageResult.GONE
    mapped = intake.map(replace(outcome.record, source=code))
    if mapped.item is None:
        result.failed += 1
        result.problems += [f"{outcome.record.external_id}: {p.field}: {p.message}" for p in mapped.problems]
        return StageResult.FAILED
    seen.add(mapped.item.external_id)
    layer = intake.existing([mapped.item]).get((code, mapped.item.external_id))
    verdict, problems = intake.classify(mapped.item, layer)
    if verdict is Outcome.REJECTED:
        result.failed += 1
        result.problems += [f"{mapped.item.external_id}: {p.field}: {p.message}" for p in problems]
        return StageResult.FAILED
    setattr(result, verdict.value, getattr(result, verdict.value) + 1)
    return StageResult[verdict.name]
