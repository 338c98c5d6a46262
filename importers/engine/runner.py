"""Running a harvest job: start or resume it, stream the gather through the stages in batches,
withdraw what a complete gather no longer lists, and finish with counts and notes.

Memory stays bounded: references flow from the source's gather generator in batches of
``IMPORTERS["BATCH_SIZE"]``; only a batch of records (and a set-difference query) is ever held.
Each batch commits twice: first what gather and fetch found (records, payloads, validators), then what
transform and load made of it. A job killed anywhere resumes from the last commit on the next run.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import DatabaseError, reset_queries, transaction
from django.db.models import Q
from django.utils import timezone

from content_repo.resources.models import SourceLayer
from content_repo.resources.services import withdraw_from_source
from importers.conf import importer_settings
from importers.engine.stages import RunContext, StageResult, fetch_stage, gather_stage, load_stage, transform_stage
from importers.http import ClientSettings, PoliteClient, Validators, check_base_url
from importers.models import HarvestError, HarvestJob, HarvestRecord, HarvestSource, Stage
from importers.sources import SOURCES
from importers.sources.base import GatherReport, GatherState, GatherStatus, ItemRef, SourceDefinition
from importers.urls import is_loopback_host, looks_like_url, parse_http_url

__all__ = [
    "HarvestBusy",
    "HarvestConfigError",
    "HarvestOptions",
    "ProgressCallback",
    "WithdrawalNotConfirmable",
    "confirm_withdrawal",
    "gather_state",
    "get_harvest_source",
    "rerun_stored_stages",
    "run_harvest",
    "start_job",
    "withdraw_deleted",
]

logger = logging.getLogger(__name__)

State = HarvestRecord.State
JobState = HarvestJob.State
ProgressCallback = Callable[[StageResult], None]

_RECORD_FIELDS = [
    "url",
    "final_url",
    "context",
    "payload",
    "content_type",
    "payload_hash",
    "etag",
    "last_modified",
    "record",
    "record_hash",
    "catalog_id",
    "state",
    "last_job",
    "seen_in_job",
]
_RESULT_COUNTS = {
    StageResult.CREATED: "created",
    StageResult.UPDATED: "updated",
    StageResult.UNCHANGED: "unchanged",
    StageResult.NOT_MODIFIED: "unchanged",
    StageResult.FAILED: "failed",
}


class HarvestBusy(RuntimeError):
    """Another live process is harvesting the same source."""


class HarvestConfigError(ValueError):
    """The source or the options cannot make a harvest (unknown source, a CSV source, a bad URL)."""


@dataclass(frozen=True)
class HarvestOptions:
    """Options of one run (the ``manage.py harvest`` flags)."""

    base_url: str | None = None
    rate: float | None = None
    since: datetime | None = None
    limit: int | None = None
    full: bool = False
    allow_private: bool = False
    user: Any = field(default=None, compare=False)


def get_harvest_source(code: str) -> HarvestSource:
    """The source with this code, creating the built-in ones on first use."""
    from importers.builtin import ensure_builtin_sources

    source = HarvestSource.objects.filter(code=code).first()
    if source is None:
        ensure_builtin_sources()
        source = HarvestSource.objects.filter(code=code).first()
    if source is None:
        known = ", ".join(HarvestSource.objects.values_list("code", flat=True))
        raise HarvestConfigError(f"неизвестный источник {code!r}; известные: {known}")
    return source


def definition_for(source: HarvestSource) -> SourceDefinition:
    if source.kind not in SOURCES:
        raise HarvestConfigError(f"источник {source.code!r} ({source.get_kind_display()}) не собирается по сети")
    return SOURCES[source.kind]


def run_harvest(
    code: str, options: HarvestOptions | None = None, progress: ProgressCallback | None = None
) -> HarvestJob:
    """Harvest one source: resume its interrupted job or start a new one; returns the finished job."""
    options = options or HarvestOptions()
    source = get_harvest_source(code)
    definition = definition_for(source)
    base_url = checked_base_url(source, options)
    client = PoliteClient(_client_settings(source, definition, options, base_url))
    job = start_job(source, options, base_url)
    ctx = RunContext(job=job, source=source, definition=definition, client=client, full=options.full)
    ctx.since = options.since
    ctx.user = options.user
    try:
        with client:
            _run(ctx, base_url, options, progress)
    except KeyboardInterrupt:
        _stop(job, JobState.INTERRUPTED)
        raise
    except BaseException as error:
        ctx.fail(Stage.JOB, None, f"{type(error).__name__}: {error}", error)
        _stop(job, JobState.FAILED, ctx)
        raise
    return job


def checked_base_url(source: HarvestSource, options: HarvestOptions) -> str:
    """The address to harvest, refused before any job exists when it cannot or may not be harvested.

    An http(s) address must be well formed and, unless private addresses are allowed (the source's setting,
    ``--allow-private``, or a loopback ``--base-url``), public; a feed given as a path must be a file.
    Raises :class:`~importers.errors.ConfigurationError` (or :class:`HarvestConfigError`).
    """
    base_url = options.base_url or source.base_url
    if not base_url:
        raise HarvestConfigError(f"у источника {source.code!r} не задан адрес; укажите --base-url")
    if not looks_like_url(base_url):
        if source.kind == HarvestSource.Kind.UCHI and Path(base_url).is_file():
            return base_url
        raise HarvestConfigError(f"адрес источника {source.code!r} не http(s) и не файл фида: {base_url!r}")
    host = parse_http_url(base_url).host if options.base_url else ""
    allow_private = source.allow_private or options.allow_private or (bool(host) and is_loopback_host(host))
    check_base_url(base_url, allow_private=allow_private)
    return base_url


def _client_settings(
    source: HarvestSource, definition: SourceDefinition, options: HarvestOptions, base_url: str
) -> ClientSettings:
    """The source's hosts and politeness; an explicit ``--base-url`` host is allowed too.

    A ``--base-url`` on a loopback address (``127.0.0.0/8``, ``::1``, ``localhost``) is the operator's
    own machine (tests, the demo), so private addresses are allowed for that run; any other private
    address needs ``--allow-private`` or the source's «разрешить внутренние адреса».
    """
    hosts = set(source.allowed_hosts) or set(definition.allowed_hosts)
    allow_private = source.allow_private or options.allow_private
    host = parse_http_url(base_url).host if looks_like_url(base_url) else None
    if options.base_url and host:
        hosts.add(host)
        allow_private = allow_private or is_loopback_host(host)
    return ClientSettings(
        allowed_hosts=frozenset(hosts),
        requests_per_second=options.rate or source.rate_limit,
        allow_private=allow_private,
        **importer_settings().client_options(),
    )


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _is_alive(job: HarvestJob) -> bool:
    """Whether the process that runs ``job`` still exists (same host) or still reports (another host)."""
    host, _, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return False  # this process runs one harvest at a time; its old job died with an exception
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    age = (timezone.now() - job.heartbeat_at).total_seconds()
    return age < importer_settings().stale_after


def start_job(source: HarvestSource, options: HarvestOptions, base_url: str) -> HarvestJob:
    """Resume the source's interrupted job (same base URL, not ``--full``) or start a new one."""
    with transaction.atomic():
        HarvestSource.objects.select_for_update().filter(pk=source.pk).first()
        open_job = (
            source.jobs.filter(state__in=[JobState.RUNNING, JobState.INTERRUPTED])
            .order_by("-started_at", "-pk")
            .first()
        )
        if open_job is not None and open_job.state == JobState.RUNNING and _is_alive(open_job):
            raise HarvestBusy(f"источник {source.code!r} уже собирается: задание #{open_job.pk} ({open_job.worker})")
        now = timezone.now()
        if open_job is not None and not options.full and open_job.base_url == base_url:
            open_job.state, open_job.worker, open_job.heartbeat_at = JobState.RUNNING, _worker(), now
            open_job.notes = {**open_job.notes, "resumed": int(open_job.notes.get("resumed", 0)) + 1}
            open_job.save(update_fields=["state", "worker", "heartbeat_at", "notes"])
            logger.info("%s: resuming job #%s", source.code, open_job.pk)
            return open_job
        if open_job is not None:
            open_job.state, open_job.finished_at = JobState.ABANDONED, now
            open_job.save(update_fields=["state", "finished_at"])
        return HarvestJob.objects.create(
            source=source,
            worker=_worker(),
            base_url=base_url,
            options={
                "rate": options.rate,
                "since": options.since.isoformat() if options.since else None,
                "limit": options.limit,
                "full": options.full,
            },
        )


def _run(ctx: RunContext, base_url: str, options: HarvestOptions, progress: ProgressCallback | None) -> None:
    assert ctx.definition is not None
    job, settings = ctx.job, importer_settings()
    report = GatherReport()
    kwargs: dict[str, Any] = {}
    if ctx.definition.conditional_listing and not options.full and not job.notes.get("resumed"):
        source = ctx.source
        # A 304 skips every item, so it is asked for only when every known item reached the catalog.
        settled = [State.LOADED, State.NOT_MODIFIED, State.GONE]
        pending = HarvestRecord.objects.filter(source=source).exclude(state__in=settled).exists()
        if (source.feed_etag or source.feed_last_modified) and not pending:
            kwargs["validators"] = Validators(source.feed_etag or None, source.feed_last_modified or None)
    if options.since and ctx.definition.modified_at is None:
        warning = f"источник {ctx.source.code!r} не сообщает дату изменения записей: --since пропущен"
        logger.warning(warning)
        ctx.notes[warning] += 1
    if ctx.definition.stateful:
        kwargs["state"] = gather_state(ctx.source, job, options)
    refs: Iterable[ItemRef] = ctx.definition.gather(ctx.client, base_url, report, **kwargs)  # type: ignore[arg-type]
    if options.limit is not None:
        refs = islice(refs, options.limit)
    for chunk in _chunks(refs, settings.batch_size, settings.batch_seconds):
        process_batch(ctx, chunk, progress)
        # With DEBUG on (make run) Django keeps the last 9,000 statements of a connection; a harvest's bulk
        # inserts are long, so the log would grow to hundreds of MiB. A harvest is no request: nobody reads it.
        reset_queries()
    rerun_stored_stages(ctx, progress)
    _finish(ctx, report)


def gather_state(source: HarvestSource, job: HarvestJob | None, options: HarvestOptions) -> GatherState:
    """A stateful gather's start: the interrupted job's checkpoint, or the last clean gather's final state."""
    resume = job.notes.get("gather_checkpoint") if job is not None and job.notes.get("resumed") else None
    previous = None
    if not options.full:
        finished = [GatherStatus.COMPLETE.value, GatherStatus.INCREMENTAL.value, GatherStatus.UNCHANGED.value]
        earlier = source.jobs.filter(gather_status__in=finished).order_by("-started_at", "-pk")
        if job is not None:
            earlier = earlier.exclude(pk=job.pk)
        previous = next((j.notes["gather_state"] for j in earlier[:20] if j.notes.get("gather_state")), None)
    return GatherState(
        source=source.code, options=dict(source.options), resume=resume, previous=previous, since=options.since
    )


def _chunks(items: Iterable[ItemRef], size: int, seconds: float) -> Iterator[list[ItemRef]]:
    """Batches of at most ``size`` items, cut early after ``seconds`` so a slow source still commits."""
    chunk: list[ItemRef] = []
    started = time.monotonic()
    for item in items:
        if not chunk:
            started = time.monotonic()
        chunk.append(item)
        if len(chunk) >= size or time.monotonic() - started >= seconds:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def process_batch(ctx: RunContext, refs: list[ItemRef], progress: ProgressCallback | None = None) -> None:
    """Gather → fetch (network, no transaction open) → commit → transform → load → commit."""
    job = ctx.job
    existing = {
        record.external_id: record
        for record in HarvestRecord.objects.filter(source=ctx.source, external_id__in=[ref.external_id for ref in refs])
    }
    records: list[HarvestRecord] = []
    for ref in refs:
        record = existing.get(ref.external_id) or HarvestRecord(source=ctx.source, external_id=ref.external_id)
        if record.seen_in_job_id != job.pk:
            job.gathered += 1
        records.append(record)
        if gather_stage(ctx, record, ref) is StageResult.DONE:
            _tally(job, StageResult.DONE, progress)
            continue
        result = fetch_stage(ctx, record, ref)
        if result is not StageResult.OK:
            _tally(job, result, progress)
    checkpoint, earlier = (refs[-1].checkpoint if refs else None), job.notes.get("gather_checkpoint")
    if checkpoint is not None:
        # Saved with the batch it follows: a job killed after this commit resumes its gather from here.
        job.notes = {**job.notes, "gather_checkpoint": dict(checkpoint)}
    try:
        with transaction.atomic():
            HarvestRecord.objects.bulk_create([record for record in records if record.pk is None])
            HarvestRecord.objects.bulk_update([r for r in records if r.pk is not None], _RECORD_FIELDS)
            _save_progress(ctx)
    except BaseException:
        # Not committed: the job (saved when it stops) must not resume past this batch.
        if checkpoint is not None:
            job.notes = {key: value for key, value in job.notes.items() if key != "gather_checkpoint"}
            if earlier is not None:
                job.notes["gather_checkpoint"] = earlier
        raise
    deleted = [record for ref, record in zip(refs, records, strict=True) if ref.deleted and record.state == State.GONE]
    if deleted:
        withdraw_deleted(ctx, deleted)
    stored = [record for record in records if record.last_job_id == job.pk]
    _transform_and_load(ctx, [r for r in stored if r.state in (State.FETCHED, State.TRANSFORMED)], progress)


def withdraw_deleted(ctx: RunContext, records: list[HarvestRecord]) -> int:
    """Withdraw at once what the source itself reports deleted (OAI-PMH deleted headers).

    Unlike a record missing from a listing, a deletion is the source's own statement, so it needs neither a
    complete gather nor the share rule; a resource never loaded has nothing to withdraw.
    """
    job = ctx.job
    ids = [record.catalog_id or record.external_id for record in records]
    reason = f"удалён в источнике (задание #{job.pk} от {job.started_at:%d.%m.%Y})"
    layers = SourceLayer.objects.filter(source=ctx.source.code, external_id__in=ids, withdrawn_at__isnull=True)
    withdrawn = 0
    with transaction.atomic():
        for layer in layers.select_related("resource").order_by("pk"):
            try:
                with transaction.atomic():
                    withdraw_from_source(layer, reason)
            except DatabaseError as error:
                ctx.fail(Stage.WITHDRAW, None, str(error), error, external_id=layer.external_id)
                job.failed += 1
                continue
            withdrawn += 1
            job.withdrawn += 1
        _save_progress(ctx)
    return withdrawn


def _transform_and_load(ctx: RunContext, records: list[HarvestRecord], progress: ProgressCallback | None) -> None:
    if not records:
        return
    for record in records:
        if record.state == State.FETCHED and transform_stage(ctx, record) is StageResult.FAILED:
            _tally(ctx.job, StageResult.FAILED, progress)
    transformed = [record for record in records if record.state == State.TRANSFORMED]
    with transaction.atomic():
        for result in load_stage(ctx, transformed):
            _tally(ctx.job, result, progress)
        HarvestRecord.objects.bulk_update(records, ["record", "record_hash", "catalog_id", "state", "last_job"])
        _save_progress(ctx)


def rerun_stored_stages(ctx: RunContext, progress: ProgressCallback | None = None) -> None:
    """Transform and load what this job stored but did not finish (re-runnable on its own)."""
    batch_size = importer_settings().batch_size
    last_pk = 0
    while True:
        batch = list(
            HarvestRecord.objects.filter(
                last_job=ctx.job, state__in=[State.FETCHED, State.TRANSFORMED], pk__gt=last_pk
            ).order_by("pk")[:batch_size]
        )
        if not batch:
            return
        last_pk = batch[-1].pk
        _transform_and_load(ctx, batch, progress)


def _tally(job: HarvestJob, result: StageResult, progress: ProgressCallback | None) -> None:
    name = _RESULT_COUNTS.get(result)
    if name is not None:
        setattr(job, name, getattr(job, name) + 1)
    if progress is not None:
        progress(result)


def _save_progress(ctx: RunContext) -> None:
    """Write pending errors, counts and notes (inside the batch's transaction)."""
    job = ctx.job
    HarvestError.objects.bulk_create(ctx.errors)
    ctx.errors.clear()
    notes = dict(job.notes)
    if new_unmapped := ctx.take_unmapped():
        unmapped = dict(notes.get("unmapped_subjects", {}))
        for name, count in new_unmapped.items():
            unmapped[name] = unmapped.get(name, 0) + count
        notes["unmapped_subjects"] = unmapped
    if ctx.notes:
        messages = dict(notes.get("messages", {}))
        for message, count in ctx.notes.items():
            messages[message] = messages.get(message, 0) + count
        notes["messages"] = messages
        ctx.notes.clear()
    job.notes = notes
    job.heartbeat_at = timezone.now()
    job.save(update_fields=[*HarvestJob.COUNT_FIELDS, "notes", "heartbeat_at"])


def _finish(ctx: RunContext, report: GatherReport) -> None:
    job, source = ctx.job, ctx.source
    for problem in report.listing_failures:
        ctx.fail(Stage.GATHER, None, f"страница списка: {problem.reason}", url=problem.url)
    for problem in report.rejected:
        ctx.fail(
            Stage.GATHER,
            None,
            problem.reason,
            url=problem.url,
            line=problem.line,
            external_id=problem.external_id or "",
        )
        job.failed += 1
    status = report.status
    job.gather_status = status.value
    job.gather_complete = status is GatherStatus.COMPLETE
    job.notes = {
        **job.notes,
        "listing_pages": report.listing_pages,
        "out_of_scope": report.out_of_scope,
        "listing_failures": len(report.listing_failures),
        "rejected": len(report.rejected),
    }
    if status is GatherStatus.UNCHANGED:
        job.unchanged += HarvestRecord.objects.filter(
            source=source, state__in=[State.LOADED, State.NOT_MODIFIED]
        ).count()
    if report.final_state is not None and status is not GatherStatus.INCOMPLETE and job.failed == 0:
        # Where the next gather of a stateful source starts; a run with failures starts it again from the same place.
        job.notes = {**job.notes, "gather_state": dict(report.final_state)}
    with transaction.atomic():
        _save_progress(ctx)
    if status is GatherStatus.COMPLETE:
        _withdraw_or_hold(ctx)
        # A 304 for the feed next time skips every item, so only a run without failures may allow it.
        validators = report.feed_validators if job.failed == 0 else None
        source.feed_etag = ((validators.etag if validators else None) or "")[:300]
        source.feed_last_modified = ((validators.last_modified if validators else None) or "")[:64]
        source.save(update_fields=["feed_etag", "feed_last_modified"])
    elif status is GatherStatus.INCOMPLETE:
        logger.warning("%s: the gather was incomplete, nothing is withdrawn", source.code)
    _stop(job, _final_state(job, report), ctx)


def _final_state(job: HarvestJob, report: GatherReport) -> str:
    """Failed when nothing could be listed, partial when anything went wrong, finished only when nothing did."""
    if report.listing_failures and job.gathered == 0:
        return JobState.FAILED
    if report.listing_failures or report.rejected or job.failed:
        return JobState.PARTIAL
    return JobState.FINISHED


def _missing_layers(job: HarvestJob):
    """Source layers of the job's source that are live in the catalog but the job did not see alive."""
    alive = (
        HarvestRecord.objects.filter(source=job.source, seen_in_job=job)
        .exclude(state=State.GONE)
        .exclude(catalog_id="")
        .values("catalog_id")
    )
    return SourceLayer.objects.filter(source=job.source.code, withdrawn_at__isnull=True).exclude(external_id__in=alive)


def _withdraw_or_hold(ctx: RunContext) -> None:
    """Withdraw what a complete gather no longer lists — unless it is more than the allowed share of the source.

    A feed cut short at a line boundary or a listing that silently lost a section looks complete; withdrawing
    a large share of a source on its word waits for a methodist (:func:`confirm_withdrawal`).
    """
    job = ctx.job
    missing = _missing_layers(job).count()
    total = SourceLayer.objects.filter(source=job.source.code, withdrawn_at__isnull=True).count()
    share = importer_settings().withdraw_max_share
    if missing and missing > share * total:
        job.withdrawal_pending = missing
        message = (
            f"полный сбор снял бы {missing} из {total} ресурсов источника (больше {share:.0%}): "
            "ничего не снято, нужно подтверждение методиста"
        )
        logger.warning("%s: %s", job.source.code, message)
        ctx.notes[message] += 1
        return
    withdraw_missing(ctx)


class WithdrawalNotConfirmable(ValueError):
    """The job's held withdrawal cannot be confirmed (nothing held, or a newer job has run since)."""


def confirm_withdrawal(job: HarvestJob, user: Any) -> int:
    """A methodist confirms a withdrawal the job held back; returns how many resources were withdrawn."""
    if not job.withdrawal_pending:
        raise WithdrawalNotConfirmable("у задания нет снятия, ждущего подтверждения")
    newer = job.source.jobs.filter(started_at__gt=job.started_at).exclude(state=JobState.ABANDONED).exists()
    if newer:
        raise WithdrawalNotConfirmable("после этого задания источник уже собирался: подтверждать нечего")
    ctx = RunContext(job=job, source=job.source, definition=None, user=user)
    withdrawn = withdraw_missing(ctx)
    job.withdrawal_pending = 0
    job.withdrawal_confirmed_by = user
    job.withdrawal_confirmed_at = timezone.now()
    job.save(update_fields=["withdrawal_pending", "withdrawal_confirmed_by", "withdrawal_confirmed_at", "withdrawn"])
    return withdrawn


def withdraw_missing(ctx: RunContext) -> int:
    """After a complete gather: withdraw every catalog record of the source this job did not see alive.

    A set difference in the database (what the catalog holds minus what the job saw), taken in pages so
    memory does not grow with the catalog.
    """
    job, source = ctx.job, ctx.source
    pending = _missing_layers(job)
    reason = f"нет в источнике при полном сборе (задание #{job.pk} от {job.started_at:%d.%m.%Y})"
    skipped: set[int] = set()
    withdrawn = 0
    while True:
        batch = list(pending.exclude(pk__in=skipped).select_related("resource").order_by("pk")[:100])
        if not batch:
            break
        with transaction.atomic():
            for layer in batch:
                try:
                    with transaction.atomic():
                        withdraw_from_source(layer, reason)
                except DatabaseError as error:
                    skipped.add(layer.pk)
                    ctx.fail(Stage.WITHDRAW, None, str(error), error, external_id=layer.external_id)
                    job.failed += 1
                    continue
                withdrawn += 1
                job.withdrawn += 1
            _save_progress(ctx)
    HarvestRecord.objects.filter(source=source).filter(~Q(seen_in_job=job) | Q(seen_in_job__isnull=True)).exclude(
        state=State.GONE
    ).update(state=State.GONE, last_job=job)
    return withdrawn


def _stop(job: HarvestJob, state: str, ctx: RunContext | None = None) -> None:
    job.state = state
    job.finished_at = timezone.now()
    if ctx is not None and ctx.errors:
        HarvestError.objects.bulk_create(ctx.errors)
        ctx.errors.clear()
    job.save()
    logger.info("%s", job.summary())
