"""The four stages of a harvest, each re-runnable on its own.

Gather, fetch and transform take the run's :class:`RunContext` and one :class:`HarvestRecord`; load takes a
batch of them and hands it to the intake path (``content_repo.intake``), which writes it in bulk. Every stage
updates the records in memory (the caller saves them in a batch) and returns :class:`StageResult` values. A
failure is recorded as a pending :class:`HarvestError` and the record's state becomes ``FAILED``; it never
raises, so one bad record never stops a job.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Any

from content_repo.intake.items import Outcome, Policy
from content_repo.intake.records import HarvestedRecord
from content_repo.intake.services import Intake
from importers.errors import DisallowedByRobots, FetchError, HTTPStatusError, TransformError
from importers.http import PoliteClient, Validators
from importers.models import HarvestError, HarvestJob, HarvestRecord, HarvestSource, Stage
from importers.sources.base import ItemRef, SourceDefinition, TransformContext

__all__ = [
    "DONE_STATES",
    "RunContext",
    "StageResult",
    "fetch_stage",
    "gather_stage",
    "load_stage",
    "transform_stage",
]

logger = logging.getLogger(__name__)

State = HarvestRecord.State
# States after which a record needs nothing more in the job that set them.
DONE_STATES = frozenset({State.LOADED, State.NOT_MODIFIED, State.GONE, State.FAILED})
# States whose stored validators and payload hash describe what the catalog holds.
_TRUSTED_STATES = frozenset({State.LOADED, State.NOT_MODIFIED})


class StageResult(Enum):
    """What a stage did to a record."""

    OK = "ok"  # done; the next stage can run
    DONE = "done"  # already finished earlier in this job (a resumed job skips it)
    NOT_MODIFIED = "not_modified"  # 304, an identical payload, or older than --since: nothing to load
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    GONE = "gone"  # 404/410 at the source
    FAILED = "failed"


@dataclass
class RunContext:
    """Everything the stages of one job share; pending errors are saved with the record batch."""

    job: HarvestJob
    source: HarvestSource
    definition: SourceDefinition | None
    client: PoliteClient | None = None
    full: bool = False
    since: datetime | None = None
    user: Any = None
    errors: list[HarvestError] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    _intake: Intake | None = field(default=None, repr=False)

    @property
    def intake(self) -> Intake:
        """The intake session of the job, under the source's policy (codes and subjects read once)."""
        if self._intake is None:
            policy = Policy.PUBLISH if self.source.publishes else Policy.REVIEW
            self._intake = Intake(policy=policy, user=self.user)
        return self._intake

    def take_unmapped(self) -> Counter[str]:
        """Subject names the job could not map since the last call."""
        if self._intake is None:
            return Counter()
        unmapped = Counter(self._intake.subjects.unmapped)
        self._intake.subjects.unmapped.clear()
        return unmapped

    def fail(
        self,
        stage: Stage,
        record: HarvestRecord | None,
        message: str,
        error: BaseException | None = None,
        *,
        url: str = "",
        line: int | None = None,
        external_id: str = "",
    ) -> StageResult:
        """Record a failure of ``stage`` (with the traceback's digest when there is an exception)."""
        digest, details = _traceback_digest(error) if error is not None else ("", "")
        if record is not None:
            record.state = State.FAILED
            record.last_job = self.job
        logger.warning("%s %s %s failed: %s", self.source.code, stage.value, external_id or record, message)
        self.errors.append(
            HarvestError(
                job=self.job,
                record=record,
                stage=stage,
                external_id=external_id or (record.external_id if record else ""),
                url=url or (record.url if record else ""),
                line=line,
                message=message[:5000],
                traceback_digest=digest,
                details=details,
            )
        )
        return StageResult.FAILED


def _traceback_digest(error: BaseException) -> tuple[str, str]:
    """A short digest that is equal for equal failures (type, message and frames), and the text."""
    text = "".join(traceback.format_exception(error))
    frames = [f"{frame.filename}:{frame.name}" for frame in traceback.extract_tb(error.__traceback__)]
    key = "|".join([type(error).__qualname__, *frames])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16], text[-4000:]


def gather_stage(ctx: RunContext, record: HarvestRecord, ref: ItemRef) -> StageResult:
    """Note that the source lists ``ref`` in this job; ``DONE`` when the job already finished it."""
    resumed = record.pk is not None and record.last_job_id == ctx.job.pk
    record.url = ref.url
    record.context = dict(ref.context)
    record.seen_in_job = ctx.job
    if record.pk is None:
        record.state = State.GATHERED
    if resumed and record.state in DONE_STATES:
        return StageResult.DONE
    return StageResult.OK


def fetch_stage(ctx: RunContext, record: HarvestRecord, ref: ItemRef) -> StageResult:
    """Download the record (conditional GET from stored validators) and keep the raw payload.

    A payload stored earlier in the same job is reused, so a resumed job never downloads it again.
    """
    if record.last_job_id == ctx.job.pk and record.state in (State.FETCHED, State.TRANSFORMED):
        return StageResult.OK
    if ref.deleted:  # the source says so in its listing: nothing to fetch (the runner withdraws it)
        record.state, record.last_job = State.GONE, ctx.job
        return StageResult.GONE
    assert ctx.definition is not None and ctx.client is not None, "fetching needs a source and a client"
    trusted = record.pk is not None and record.state in _TRUSTED_STATES and bool(record.payload_hash)
    if trusted and not ctx.full and _older_than_since(ctx, ref):
        return _not_modified(ctx, record)
    validators = Validators(record.etag or None, record.last_modified or None) if trusted and not ctx.full else None
    try:
        result = ctx.definition.fetch(ctx.client, ref, validators)
    except HTTPStatusError as error:
        if error.status in (404, 410):
            record.state, record.last_job = State.GONE, ctx.job
            return StageResult.GONE
        return ctx.fail(Stage.FETCH, record, str(error), error)
    except DisallowedByRobots as error:
        return ctx.fail(Stage.FETCH, record, f"запрещено robots.txt: {error}")
    except FetchError as error:
        return ctx.fail(Stage.FETCH, record, str(error), error)
    record.etag = (result.etag or "")[:300]
    record.last_modified = (result.last_modified or "")[:64]
    if result.not_modified:
        return _not_modified(ctx, record)
    digest = hashlib.sha256(result.content).hexdigest()
    if trusted and not ctx.full and digest == record.payload_hash:
        return _not_modified(ctx, record)
    record.payload = result.content
    record.payload_hash = digest
    record.content_type = (result.content_type or "")[:200]
    record.final_url = result.final_url[:1000]
    record.state, record.last_job = State.FETCHED, ctx.job
    return StageResult.OK


def _older_than_since(ctx: RunContext, ref: ItemRef) -> bool:
    if ctx.since is None or ctx.definition is None or ctx.definition.modified_at is None:
        return False
    modified = ctx.definition.modified_at(ref)
    return modified is not None and modified < ctx.since


def _not_modified(ctx: RunContext, record: HarvestRecord) -> StageResult:
    record.state, record.last_job = State.NOT_MODIFIED, ctx.job
    return StageResult.NOT_MODIFIED


def transform_stage(ctx: RunContext, record: HarvestRecord) -> StageResult:
    """Turn the stored payload into a normalised record (pure: no network, no catalog writes)."""
    assert ctx.definition is not None, "transforming needs a source definition"
    if record.payload is None:
        return ctx.fail(Stage.TRANSFORM, record, "нет сохранённых исходных данных")
    context = TransformContext(
        external_id=record.external_id,
        url=record.url,
        final_url=record.final_url or record.url,
        content_type=record.content_type or None,
        listing=record.context or {},
    )
    try:
        harvested = ctx.definition.transform(bytes(record.payload), context)
    except TransformError as error:
        return ctx.fail(Stage.TRANSFORM, record, str(error))
    except Exception as error:  # noqa: BLE001 - a parser bug on one page must not stop the whole job
        return ctx.fail(Stage.TRANSFORM, record, f"{type(error).__name__}: {error}", error)
    return accept_record(ctx, record, harvested)


def accept_record(ctx: RunContext, record: HarvestRecord, harvested: HarvestedRecord) -> StageResult:
    """Store a transformed record under the source's code (a source may run under another code)."""
    if harvested.source != ctx.source.code:
        harvested = replace(harvested, source=ctx.source.code)
    record.record = harvested.to_dict()
    record.record_hash = harvested.content_hash()
    record.state, record.last_job = State.TRANSFORMED, ctx.job
    return StageResult.OK


def load_stage(ctx: RunContext, records: Sequence[HarvestRecord]) -> list[StageResult]:
    """Load a batch of transformed records through the intake path (mapped, checked, written in bulk)."""
    results: dict[int, StageResult] = {}
    harvested: list[HarvestedRecord] = []
    positions: list[int] = []
    for index, record in enumerate(records):
        if record.record is None:
            results[index] = ctx.fail(Stage.LOAD, record, "нет преобразованной записи")
        else:
            harvested.append(HarvestedRecord.from_dict(record.record))
            positions.append(index)
    for index, loaded in zip(positions, ctx.intake.load_records(harvested) if harvested else [], strict=True):
        record, result = records[index], loaded.result
        for note in loaded.notes:
            if not note.startswith("предмет не сопоставлен"):  # counted by name in the job's report
                ctx.notes[note] += 1
        if result.outcome is Outcome.REJECTED:
            results[index] = ctx.fail(Stage.LOAD, record, result.message())
            continue
        assert result.item is not None
        record.catalog_id = result.item.external_id  # a redirect may have changed it
        record.state, record.last_job = State.LOADED, ctx.job
        results[index] = StageResult[result.outcome.name]
    return [results[index] for index in range(len(records))]
