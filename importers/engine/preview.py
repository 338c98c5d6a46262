"""``harvest --dry-run``: the whole chain in memory, compared with the catalog, with nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from content_repo.resources.models import SourceLayer
from content_repo.resources.validation import KnownCodes
from importers.engine.runner import (
    HarvestConfigError,
    HarvestOptions,
    _client_settings,
    definition_for,
    get_harvest_source,
)
from importers.engine.stages import StageResult
from importers.http import PoliteClient
from importers.loading import map_record
from importers.sources.base import GatherReport, GatherStatus, ItemStatus, harvest
from importers.subjects import map_subject

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
    base_url = options.base_url or source.base_url
    if not base_url:
        raise HarvestConfigError(f"у источника {code!r} не задан адрес; укажите --base-url")
    result = DryRunResult(source=code)
    known = KnownCodes()
    report = GatherReport()
    seen: set[str] = set()
    with PoliteClient(_client_settings(source, definition, options, base_url)) as client:
        for index, outcome in enumerate(harvest(definition, client, base_url, report)):
            if options.limit is not None and index >= options.limit:
                break
            result.gathered += 1
            status = _compare(outcome, source.code, source.kind, known, result, seen)
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


def _compare(outcome, code: str, kind: str, known: KnownCodes, result: DryRunResult, seen: set[str]) -> StageResult:
    if outcome.record is None:
        if outcome.status in (ItemStatus.FAILED, ItemStatus.SKIPPED):
            result.failed += 1
            result.problems.append(f"{outcome.ref.external_id}: {outcome.error}")
            return StageResult.FAILED
        return StageResult.GONE
    record = replace(outcome.record, source=code)
    mapped = map_record(record, map_subject(kind, record.subject_name), known)
    if mapped.values is None:
        result.failed += 1
        result.problems += [f"{record.external_id}: {p.field}: {p.message}" for p in mapped.problems]
        return StageResult.FAILED
    seen.add(record.external_id)
    layer = SourceLayer.objects.filter(source=code, external_id=record.external_id).first()
    if layer is None:
        result.created += 1
        return StageResult.CREATED
    if layer.content_hash == mapped.values.content_hash and layer.withdrawn_at is None:
        result.unchanged += 1
        return StageResult.UNCHANGED
    result.updated += 1
    return StageResult.UPDATED
