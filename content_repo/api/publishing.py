"""Vendor publishing through the API: every submission goes through the intake path to the methodists' review.

A vendor's resource is a *source record* of the vendor: identity `(organisation code, external_id)`, the
values the vendor sent kept in the source layer, methodists' corrections kept as the editorial overlay. The
intake (`content_repo.intake`) does all of it under the `REVIEW` policy: a new or unpublished resource is
loaded as a draft and submitted; a change to a published resource becomes a submitted draft while the
published version stays as it was until a methodist approves the change. The single endpoint and the bulk
endpoint take the same documents — JSON-LD `LearningResource` or the catalog's own field names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from content_repo.intake.documents import read_document
from content_repo.intake.items import IntakeItem, ItemResult, Outcome, Policy
from content_repo.intake.jsonld import InvalidDocument, is_learning_resource, parse_json, read_lines
from content_repo.intake.services import Intake, batch_size
from content_repo.intake.validation import FieldProblem, problems_as_errors
from content_repo.publishers.models import Organization
from content_repo.resources.models import Resource, SourceLayer
from content_repo.resources.overlay import read_fields
from content_repo.resources.services import withdraw

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
]


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
