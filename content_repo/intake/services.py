"""The intake service: what every door calls to put resources into the catalog.

An :class:`Intake` is opened once per harvest job, request or spreadsheet: it reads the code tables and the
subject mapping once, maps records and reads vendor documents into items (:meth:`map`, :meth:`read`), and
loads items in batches (:meth:`load`) under the door's policy. Harvest, dry run, vendor API and spreadsheet
differ only in where their records come from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from content_repo.alignment.services import suggest_after_load
from content_repo.resources.codes import CatalogCodes

from .documents import read_document
from .items import IntakeItem, ItemResult, Outcome, Policy
from .loading import ExistingLayer, classify, existing_layers, existing_layers_by_key, load_items, touch_layers
from .mapping import Mapped, map_record
from .records import HarvestedRecord
from .subjects import SubjectMapper

__all__ = ["Intake", "Loaded", "batch_size"]


@dataclass(frozen=True)
class Loaded:
    """What became of one record of :meth:`Intake.load_records`, with the mapping's notes (unmapped names…)."""

    result: ItemResult
    notes: list[str]


def batch_size() -> int:
    """Items per transaction (``INTAKE_BATCH_SIZE``): large enough for bulk writes, small enough to commit often."""
    return int(settings.INTAKE_BATCH_SIZE)


class Intake:
    """One door's session with the catalog: codes read once, the door's policy and strictness.

    ``owner_id`` is the sending organisation for vendors (identities of other organisations are refused);
    ``strict`` turns what a harvest only notes (an unmapped subject, an unknown topic) into errors.
    """

    def __init__(
        self,
        *,
        policy: Policy,
        user: AbstractBaseUser | None = None,
        owner_id: int | None = None,
        strict: bool = False,
    ) -> None:
        self.policy, self.user, self.owner_id, self.strict = policy, user, owner_id, strict
        self.codes = CatalogCodes()
        self.subjects = SubjectMapper.from_database()

    def map(self, record: HarvestedRecord) -> Mapped:
        """A normalised record as an item (or its problems)."""
        return map_record(record, self.subjects, self.codes, strict=self.strict)

    def read(
        self,
        document: Mapping[str, Any],
        *,
        organization: str,
        source: str | None = None,
        external_id: str | None = None,
        kept: Mapping[str, Any] | None = None,
    ) -> Mapped:
        """A vendor's document (JSON-LD or catalog fields) as an item (or every problem in it)."""
        return read_document(
            document,
            organization=organization,
            subjects=self.subjects,
            codes=self.codes,
            source=source,
            external_id=external_id,
            kept=kept,
        )

    def load(self, items: Sequence[IntakeItem]) -> list[ItemResult]:
        """Load items in one transaction under the door's policy; a result per item, in order."""
        results = load_items(items, policy=self.policy, codes=self.codes, user=self.user, owner_id=self.owner_id)
        # Curriculum alignment: the engine's suggestions for what this batch created or changed (one call).
        suggest_after_load(results)
        return results

    def load_records(self, records: Sequence[HarvestedRecord]) -> list[Loaded]:
        """Map and load a batch of normalised records; one result per record, in order.

        A record whose content hash equals its source layer's costs that comparison and a shared ``last_seen``
        update, nothing else: it is neither mapped nor checked again. The others are mapped (a record that
        cannot be mapped is answered with its problems) and loaded in one transaction.
        """
        hashes = [record.content_hash() for record in records]
        layers = existing_layers_by_key([(record.source, record.external_id) for record in records])
        results: dict[int, ItemResult] = {}
        notes: dict[int, list[str]] = {}
        unchanged: list[int] = []
        items: list[IntakeItem] = []
        for index, (record, digest) in enumerate(zip(records, hashes, strict=True)):
            layer = layers.get((record.source, record.external_id))
            if layer is not None and layer.content_hash == digest and not layer.withdrawn and self.owner_id is None:
                unchanged.append(layer.pk)
                item = IntakeItem(record.source, record.external_id, record.url, digest, {}, ref=index)
                results[index] = ItemResult(item, Outcome.UNCHANGED, resource_id=layer.resource_id)
                continue
            mapped = self.map(record)
            notes[index] = mapped.notes
            if mapped.item is None:
                results[index] = ItemResult(None, Outcome.REJECTED, problems=mapped.problems)
            else:
                items.append(replace(mapped.item, ref=index))
        touch_layers(unchanged)
        for result in self.load(items) if items else []:
            results[result.ref] = result
        return [Loaded(results[index], notes.get(index, [])) for index in range(len(records))]

    def existing(self, items: Sequence[IntakeItem]) -> dict[tuple[str, str], ExistingLayer]:
        return existing_layers(items)

    def classify(self, item: IntakeItem, layer: ExistingLayer | None):
        """What loading ``item`` would do, without writing (dry runs)."""
        return classify(item, layer, owner_id=self.owner_id)
