"""Vendor publishing through the API: every submission goes through the intake path to the methodists' review.

A vendor's resource is a *source record* of the vendor: identity `(organisation code, external_id)`, the
values the vendor sent kept in the source layer, methodists' corrections kept as the editorial overlay. The
intake (`content_repo.intake`) does all of it under the `REVIEW` policy: a new or unpublished resource is
loaded as a draft and submitted; a change to a published resource becomes a submitted draft while the
published version stays as it was until a methodist approves the change. The single endpoint and the bulk
endpoint take the same documents — JSON-LD `LearningResource` or the catalog's own field names.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from content_repo.intake.documents import read_document
from content_repo.intake.items import IntakeItem, ItemResult, Outcome, Policy
from content_repo.intake.jsonld import InvalidDocument, is_learning_resource, parse_json, read_lines
from content_repo.intake.services import Intake, batch_size
from content_repo.intake.validation import FieldProblem, problems_as_errors
from content_repo.publishers.models import Organization
from content_repo.resources.models import Resource, SourceLayer
from content_repo.resources.overlay import read_fields
from content_repo.resources.services import withdraw

from .models import BulkSubmission, BulkSubmissionLine

__all__ = [
    "FeedItemResult",
    "Outcome",
    "Submission",
    "SubmissionInvalid",
    "submit",
    "submit_feed",
    "submitted_values",
    "update",
    "withdraw_submission",
    "process_bulk",
    "queue_bulk",
]

logger = logging.getLogger(__name__)


class SubmissionInvalid(Exception):
    """The document breaks the format, the vocabularies or the curriculum; `problems` name each field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems

    def as_errors(self) -> dict[str, list[str]]:
        return problems_as_errors(self.problems)


@dataclass(frozen=True)
class Submission:
    resource: Resource
    outcome: Outcome


def vendor_intake(organization: Organization, user: AbstractBaseUser | None) -> Intake:
    """The intake session of a vendor: review always, strict checks, identities of its own only."""
    return Intake(policy=Policy.REVIEW, user=user, owner_id=organization.pk, strict=True)


def submit(
    organization: Organization,
    document: dict[str, Any],
    user: AbstractBaseUser | None,
    *,
    source: str | None = None,
    external_id: str | None = None,
    kept: dict[str, Any] | None = None,
    intake: Intake | None = None,
) -> Submission:
    """Create or update the organisation's resource described by `document` and send it to review."""
    intake = intake or vendor_intake(organization, user)
    mapped = intake.read(document, organization=organization.code, source=source, external_id=external_id, kept=kept)
    if mapped.item is None:
        raise SubmissionInvalid(mapped.problems)
    [result] = intake.load([mapped.item])
    if result.outcome is Outcome.REJECTED:
        raise SubmissionInvalid(result.problems)
    return Submission(Resource.objects.get(pk=result.resource_id), result.outcome)


def update(resource: Resource, organization: Organization, changes: dict[str, Any], user) -> Submission:
    """PATCH: the vendor's current values with `changes` applied (a JSON-LD document replaces them), submitted."""
    layer = resource.source_layer_or_none
    if layer is None:
        # Made in the admin: adopt it as the organisation's record, keyed by its id.
        current = read_fields(resource.get_latest_revision_as_object())
        layer = SourceLayer.objects.create(
            resource=resource, source=organization.code, external_id=str(resource.pk), data=current
        )
    # Files and the cover are kept as they are unless the change names them (they travel as upload ids).
    attached = ("files", "thumbnail")
    kept = {name: layer.data[name] for name in attached if name in layer.data and name not in changes}
    if is_learning_resource(changes):
        document = changes
    else:
        document = {name: value for name, value in layer.data.items() if name not in attached} | changes
        if "grades" in changes and "levels" not in changes:
            document.pop("levels", None)  # derived from the new grades again
    return submit(organization, document, user, source=layer.source, external_id=layer.external_id, kept=kept)


def withdraw_submission(resource: Resource, reason: str, user) -> None:
    """The vendor takes its resource down at once (no review needed to remove), ending any pending review."""
    state = resource.current_workflow_state
    if state is not None:
        state.cancel(user=user)
    # Wagtail lets only publishers unpublish; the catalog lets a vendor take its own content down
    # (a licence ended, an error), so the unpublishing itself runs without the vendor's user.
    withdraw(resource, reason=reason, user=None)


def submitted_values(resource: Resource) -> dict[str, Any]:
    """What the vendor sees as its resource: the latest revision (the draft under review, if any)."""
    return read_fields(resource.get_latest_revision_as_object())


# --- The bulk feed ------------------------------------------------------------------------------------------


@dataclass
class FeedItemResult:
    line: int
    status: Outcome
    id: str | None = None
    external_id: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def submit_feed(
    organization: Organization, lines: Iterable[bytes], user, *, max_items: int
) -> Iterator[FeedItemResult]:
    """JSON Lines of documents (JSON-LD or catalog fields), answered line by line, loaded in batches.

    Every line gets its result and the feed is always read to its end: a line that breaks a rule is
    rejected with every problem in it, a line past `max_items` is rejected, and a record the database
    refuses is reported while the rest of its batch commits.
    """
    intake = vendor_intake(organization, user)
    first_line: dict[str, int] = {}
    pending: list[IntakeItem] = []
    answered: list[FeedItemResult] = []  # rejected while reading; answered with their batch, in line order
    count = 0
    for line in read_lines(lines):
        count += 1
        if count > max_items:
            answered.append(_rejected(line.number, {"line": [f"больше {max_items} строк в запросе"]}))
        else:
            result = _read_line(intake, organization, line.number, line.raw, first_line)
            if isinstance(result, FeedItemResult):
                answered.append(result)
            else:
                pending.append(result)
        if len(pending) + len(answered) >= batch_size():
            yield from _load(intake, pending, answered)
            pending, answered = [], []
    yield from _load(intake, pending, answered)


def _rejected(number: int, errors: dict[str, list[str]], external_id: str | None = None) -> FeedItemResult:
    return FeedItemResult(number, Outcome.REJECTED, external_id=external_id, errors=errors)


def _read_line(
    intake: Intake, organization: Organization, number: int, raw: bytes, first_line: dict[str, int]
) -> FeedItemResult | IntakeItem:
    try:
        document = parse_json(raw)
    except InvalidDocument as error:
        return _rejected(number, {error.field: [error.reason]})
    mapped = read_document(document, organization=organization.code, subjects=intake.subjects, codes=intake.codes)
    if mapped.item is None:
        identifier = document.get("identifier") or document.get("external_id")
        return _rejected(
            number, problems_as_errors(mapped.problems), identifier if isinstance(identifier, str) else None
        )
    external_id = mapped.item.external_id
    if external_id in first_line:
        errors = {"identifier": [f"повторяет строку {first_line[external_id]} этого запроса"]}
        return _rejected(number, errors, external_id)
    first_line[external_id] = number
    return replace(mapped.item, ref=number)


def _load(intake: Intake, pending: list[IntakeItem], answered: list[FeedItemResult]) -> Iterator[FeedItemResult]:
    loaded = [_line_result(result) for result in intake.load(pending)] if pending else []
    yield from sorted(answered + loaded, key=lambda result: result.line)


def _line_result(result: ItemResult) -> FeedItemResult:
    assert result.item is not None
    return FeedItemResult(
        line=result.ref,
        status=result.outcome,
        id=str(result.resource_id) if result.resource_id else None,
        external_id=result.item.external_id,
        errors=problems_as_errors(result.problems),
    )


# --- Large bulk requests, in the background ------------------------------------------------------------------


def count_lines(body: bytes) -> int:
    """Non-blank lines of a JSON Lines body (what the answer will have one result for)."""
    return sum(1 for _line in read_lines(body.splitlines()))


def queue_bulk(organization: Organization, user: AbstractBaseUser | None, body: bytes) -> BulkSubmission:
    """Keep a large bulk request and hand it to the background backend; the caller answers `202` at once."""
    from .tasks import process_bulk_submission

    submission = BulkSubmission.objects.create(organization=organization, user=user, body=body, lines=count_lines(body))
    task = process_bulk_submission.using(backend=settings.BACKGROUND_TASK_BACKEND)
    transaction.on_commit(lambda: task.enqueue(str(submission.pk)))
    return submission


def process_bulk(submission_id: str) -> BulkSubmission:
    """Load a queued (or interrupted) bulk submission, writing each batch's line results as it goes.

    Lines already answered by an earlier, interrupted run are skipped; the rest go through `submit_feed`,
    the same reading and loading as an inline bulk request.
    """
    submission = BulkSubmission.objects.select_related("organization", "user").get(pk=submission_id)
    if submission.state == BulkSubmission.State.FINISHED or submission.body is None:
        return submission
    answered = set(submission.results.values_list("line", flat=True))
    submission.state, submission.started_at = BulkSubmission.State.RUNNING, submission.started_at or timezone.now()
    submission.heartbeat_at = timezone.now()
    submission.save(update_fields=["state", "started_at", "heartbeat_at"])
    pending: list[FeedItemResult] = []
    try:
        # Skipped lines keep their numbers: blank placeholders stand in for them (read_lines drops blanks).
        numbered = _with_placeholders(bytes(submission.body), answered)
        results = submit_feed(submission.organization, numbered, submission.user, max_items=settings.API_BULK_MAX_ITEMS)
        for result in results:
            pending.append(result)
            if len(pending) >= batch_size():
                _record_lines(submission, pending)
                pending = []
        _record_lines(submission, pending)
    except DatabaseError as error:
        logger.exception("bulk submission %s failed", submission.pk)
        submission.state, submission.error = BulkSubmission.State.FAILED, f"{type(error).__name__}: {error}"[:2000]
        submission.finished_at = timezone.now()
        submission.save(update_fields=["state", "error", "finished_at"])
        return submission
    submission.state, submission.finished_at, submission.body = BulkSubmission.State.FINISHED, timezone.now(), None
    submission.save(update_fields=["state", "finished_at", "body"])
    submission.refresh_from_db()  # the counts were added up in the database
    return submission


def _with_placeholders(body: bytes, answered: set[int]) -> Iterator[bytes]:
    for number, raw in enumerate(body.splitlines(), start=1):
        yield b"" if number in answered else raw


def _record_lines(submission: BulkSubmission, results: list[FeedItemResult]) -> None:
    if not results:
        return
    with transaction.atomic():
        BulkSubmissionLine.objects.bulk_create(
            [
                BulkSubmissionLine(
                    submission=submission,
                    line=result.line,
                    status=result.status.value,
                    resource_id=result.id,
                    external_id=(result.external_id or "")[:300],
                    errors=result.errors,
                )
                for result in results
            ],
            ignore_conflicts=True,
        )
        counts = Counter(result.status.value for result in results)
        BulkSubmission.objects.filter(pk=submission.pk).update(
            answered=F("answered") + len(results),
            heartbeat_at=timezone.now(),
            **{name: F(name) + counts.get(name, 0) for name in BulkSubmission.COUNT_FIELDS},
        )
