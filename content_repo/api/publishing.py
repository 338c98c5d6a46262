"""Vendor publishing through the API: every submission is validated and goes to the methodists' review.

A vendor's resource is a *source record* of the vendor: identity `(organisation code, external_id)`, the
values the vendor sent kept in the source layer, methodists' corrections kept as the editorial overlay
(`resources.services.load_source_record` does all of this). A vendor never publishes: a new or unpublished
resource is loaded as a draft and submitted; a change to a published resource becomes a draft revision that
is submitted, while the published version stays as it was until a methodist approves the change.
"""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from content_repo.curriculum.models import Subject
from content_repo.publishers.models import Organization
from content_repo.resources.models import Resource, SourceLayer
from content_repo.resources.overlay import apply_source_values, read_fields
from content_repo.resources.services import (
    LoadOutcome,
    SourceRecordValues,
    load_source_record,
    submit_for_review,
    withdraw,
)
from content_repo.resources.validation import FieldProblem, KnownCodes, levels_for_grades, validate_values
from importers.loading import map_record
from importers.records import HarvestedRecord
from importers.sources.learning_resource_feed import InvalidItem, parse_line, read_lines, record_from_item


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class SubmissionInvalid(Exception):
    """The values break the vocabularies or the curriculum; `problems` name each field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems

    def as_errors(self) -> dict[str, list[str]]:
        return problems_as_errors(self.problems)


@dataclass(frozen=True)
class Submission:
    resource: Resource
    outcome: Outcome


def problems_as_errors(problems: Iterable[FieldProblem]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return errors


def prepare_values(values: dict[str, Any]) -> dict[str, Any]:
    """Vendor values as the catalog stores them: levels follow the grades; alignments are only suggested
    (a methodist confirms them)."""
    values = dict(values)
    if "grades" in values and not values.get("levels"):
        values["levels"] = levels_for_grades(g for g in values["grades"] if isinstance(g, int))
    if "alignments" in values:
        values["alignments"] = [
            {"target": a.get("target"), "type": a.get("type", "teaches"), "status": "suggested"}
            for a in values["alignments"] or []
        ]
    return values


def submit(
    organization: Organization,
    values: dict[str, Any],
    user: AbstractBaseUser,
    *,
    external_id: str | None = None,
    source: str | None = None,
    known: KnownCodes | None = None,
) -> Submission:
    """Create or update the organisation's resource `external_id` and send it to review."""
    values = prepare_values(values)
    problems = validate_values(values, known or KnownCodes())
    if not (values.get("title") or "").strip() and not any(p.field == "title" for p in problems):
        problems.append(FieldProblem("title", "название обязательно"))
    if problems:
        raise SubmissionInvalid(problems)
    record = SourceRecordValues(
        source=source or organization.code,
        external_id=external_id or str(uuid.uuid4()),
        source_url=values.get("url") or "",
        content_hash=_values_hash(values),
        values=values,
        provider_code=organization.code,
    )
    with transaction.atomic():
        layer = (
            SourceLayer.objects.select_for_update()
            .select_related("resource")
            .filter(source=record.source, external_id=record.external_id)
            .first()
        )
        if layer is not None and layer.resource.provider_id != organization.pk:
            raise SubmissionInvalid([FieldProblem("external_id", "идентификатор занят ресурсом другой организации")])
        if layer is not None and layer.resource.live:
            return _submit_change_to_published(layer, record, user)
        resource, loaded = load_source_record(record, publish=False, user=user)
        resource.refresh_from_db()
        outcome = Outcome(loaded.value)
        if loaded is LoadOutcome.UNCHANGED and resource.status in (Resource.Status.DRAFT, Resource.Status.WITHDRAWN):
            # Sent again after a withdrawal (or never submitted): a request to publish it again.
            submit_for_review(resource, user)
            outcome = Outcome.UPDATED
        return Submission(resource, outcome)


def _submit_change_to_published(layer: SourceLayer, record: SourceRecordValues, user) -> Submission:
    resource = layer.resource
    if layer.content_hash == record.content_hash:
        return Submission(resource, Outcome.UNCHANGED)
    draft = resource.get_latest_revision_as_object()
    changed = apply_source_values(draft, record.values)  # the methodist's overlaid fields stay theirs
    layer.source_url = record.source_url
    layer.data = record.values
    layer.content_hash = record.content_hash
    layer.last_seen = timezone.now()
    layer.save()
    if changed:
        draft.save_revision(user=user, log_action=True)  # a revision only: the published row is untouched
        resource.refresh_from_db()
        submit_for_review(resource, user)
    return Submission(resource, Outcome.UPDATED)


def update(resource: Resource, organization: Organization, changes: dict[str, Any], user) -> Submission:
    """PATCH: the vendor's current values with `changes` applied, submitted again."""
    layer = resource.source_layer_or_none
    if layer is None:
        # Made in the admin: adopt it as the organisation's record, keyed by its id.
        current = read_fields(resource.get_latest_revision_as_object())
        layer = SourceLayer.objects.create(
            resource=resource, source=organization.code, external_id=str(resource.pk), data=current
        )
    return submit(
        organization,
        dict(layer.data) | changes,
        user,
        external_id=layer.external_id,
        source=layer.source,
    )


def withdraw_submission(resource: Resource, reason: str, user) -> None:
    """The vendor takes its resource down at once (no review needed to remove), ending any pending review."""
    with transaction.atomic():
        state = resource.current_workflow_state
        if state is not None:
            state.cancel(user=user)
        # Wagtail lets only publishers unpublish; the catalog lets a vendor take its own content down
        # (a licence ended, an error), so the unpublishing itself runs without the vendor's user.
        withdraw(resource, reason=reason, user=None)


def submitted_values(resource: Resource) -> dict[str, Any]:
    """What the vendor sees as its resource: the latest revision (the draft under review, if any)."""
    return read_fields(resource.get_latest_revision_as_object())


def _values_hash(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
    """JSON Lines of schema.org LearningResource (the vendor feed format), answered line by line.

    Each item is validated and submitted in its own transaction: a bad line never stops the others.
    """
    known = KnownCodes()
    subjects = _subject_lookup()
    seen: set[str] = set()
    count = 0
    for line in read_lines(lines):
        count += 1
        if count > max_items:
            yield FeedItemResult(
                line.number, Outcome.REJECTED, errors={"line": [f"больше {max_items} строк в запросе"]}
            )
            continue
        yield _submit_line(organization, line.number, line.raw, user, known, subjects, seen)


def _submit_line(organization, number, raw, user, known, subjects, seen) -> FeedItemResult:
    if b"\\u0000" in raw:
        return FeedItemResult(number, Outcome.REJECTED, errors={"line": ["недопустимый символ NUL (\\u0000)"]})
    try:
        item = parse_line(raw)
        record = record_from_item(item, source=organization.code, provider=organization.code)
    except InvalidItem as e:
        return FeedItemResult(number, Outcome.REJECTED, errors={e.field: [e.reason]})
    result = FeedItemResult(number, Outcome.REJECTED, external_id=record.external_id)
    if record.external_id in seen:
        result.errors = {"identifier": ["повторяется в этом запросе"]}
        return result
    seen.add(record.external_id)
    problems = _feed_problems(item, record, known, subjects)
    subject_code = subjects.get(_subject_key(record.subject_name or ""))
    mapped = map_record(record, subject_code, known)
    problems += mapped.problems
    if problems or mapped.values is None:
        result.errors = problems_as_errors(problems)
        return result
    try:
        submission = submit(organization, mapped.values.values, user, external_id=record.external_id, known=known)
    except SubmissionInvalid as e:
        result.errors = e.as_errors()
        return result
    result.status = submission.outcome
    result.id = str(submission.resource.pk)
    return result


def _feed_problems(item, record: HarvestedRecord, known: KnownCodes, subjects: dict[str, str]) -> list[FieldProblem]:
    """What the importers tolerate but a vendor must get right: the subject and every topic code."""
    problems = []
    alignment = item.get("educationalAlignment") or []
    for i, entry in enumerate(alignment):
        name = str(entry.get("targetName", ""))
        if entry.get("alignmentType") == "educationalSubject" and _subject_key(name) not in subjects:
            problems.append(
                FieldProblem(
                    f"educationalAlignment[{i}].targetName",
                    f"неизвестный предмет {name!r}: укажите код или название из /api/v1/curriculum/subjects/",
                )
            )
        if entry.get("alignmentType") == "teaches" and name in record.topics and name not in known.topics:
            problems.append(
                FieldProblem(f"educationalAlignment[{i}].targetName", f"неизвестный код темы программы: {name!r}")
            )
    return problems


def _subject_key(name: str) -> str:
    return " ".join(name.split()).casefold().replace("ё", "е")


def _subject_lookup() -> dict[str, str]:
    """A subject by its code or by its title, as vendors write it in `educationalSubject`."""
    lookup = {}
    for code, title in Subject.objects.values_list("code", "title"):
        lookup[_subject_key(title)] = code
        lookup[_subject_key(code)] = code
    return lookup
