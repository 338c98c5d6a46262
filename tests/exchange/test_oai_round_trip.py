"""Two instances of the catalog: B harvests A over OAI-PMH (A is `runserver` over its own database) — created,
updated, withdrawn, deleted and unchanged records all arrive as A has them, and B's re-harvest asks only for
what changed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from content_repo.api.serializers import ResourceSerializer
from content_repo.resources.models import Resource, SourceLayer, resource_uuid
from importers.engine import HarvestOptions, run_harvest
from importers.models import HarvestJob, HarvestSource
from tests.exchange.test_oai_live import PUBLISHED, Instance, a_id, start_instance, stop_instance

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def fresh_instance_a(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Instance]:
    """An instance of its own (this module changes it); module-scoped: cloning a database closes connections."""
    instance = start_instance(tmp_path_factory.mktemp("instance-a-round-trip"), django_db_blocker)
    yield instance
    stop_instance(instance, django_db_blocker)


def source_for(instance: Instance) -> HarvestSource:
    return HarvestSource.objects.create(
        code="catalog-a",
        name="Каталог A",
        kind=HarvestSource.Kind.OAI,
        base_url=instance.oai,
        allowed_hosts=["127.0.0.1"],
        allow_private=True,  # instance A is on this machine
        options={"metadata_prefix": "lom", "overlap_seconds": 0},
    )


def counts(job: HarvestJob) -> dict[str, int]:
    return {name: getattr(job, name) for name in ("gathered", "created", "updated", "unchanged", "withdrawn", "failed")}


def b_resource(number: int) -> Resource:
    return Resource.objects.get(pk=resource_uuid("catalog-a", a_id(number)))


# What a harvest carries from one instance to the other (the provider and the source are each instance's own).
CARRIED = [
    "title",
    "description",
    "keywords",
    "grades",
    "levels",
    "lesson_number",
    "language",
    "authors",
    "url",
    "duration",
    "typical_age_min",
    "typical_age_max",
    "parts",
]


def comparable(document: dict) -> dict:
    values = {name: document[name] for name in CARRIED}
    values["resource_type"] = document["resource_type"]["code"]
    values["license"] = document["license"]["code"]
    values["access"] = document["access"]["code"]
    values["subjects"] = [subject["code"] for subject in document["subjects"]]
    values["alignments"] = [(a["code"], a["alignment_type"], a["status"]) for a in document["alignments"]]
    return values


def a_document(instance: Instance, number: int) -> dict:
    resource_id = resource_uuid("resh", f"lesson-{number}")
    return httpx.get(f"{instance.server.url}/api/v1/resources/{resource_id}/", timeout=60).json()


def test_instance_b_harvests_instance_a_and_then_only_its_changes(fresh_instance_a):
    a = fresh_instance_a
    source_for(a)
    httpx.get(a.oai, params={"verb": "Identify"})  # A takes its records in now…
    time.sleep(1.1)  # …so they are a second older than B's first harvest
    first = run_harvest("catalog-a", HarvestOptions(rate=500.0))
    assert first.state == HarvestJob.State.FINISHED, first.notes
    assert first.gather_status == "complete"
    assert counts(first) == {"gathered": 12, "created": 12, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
    for number in range(PUBLISHED):
        assert comparable(ResourceSerializer(b_resource(number)).data) == comparable(a_document(a, number)), number
    assert b_resource(0).alignments.get().status == "suggested"
    seen_before = dict(SourceLayer.objects.filter(source="catalog-a").values_list("external_id", "last_seen"))

    a.run(
        "from tests.exchange.catalog import publish\n"
        "from content_repo.resources.models import Resource, resource_uuid\n"
        "from content_repo.resources.services import withdraw\n"
        "publish([1, 2], title='Новое название')\n"
        "withdraw(Resource.objects.get(pk=resource_uuid('resh', 'lesson-3')), reason='устарел')\n"
        "Resource.objects.get(pk=resource_uuid('resh', 'lesson-4')).delete()\n"
        "publish([12, 13])\n"
    )
    second = run_harvest("catalog-a", HarvestOptions(rate=500.0))
    assert second.state == HarvestJob.State.FINISHED, second.notes
    assert second.gather_status == "incremental"
    assert counts(second) == {"gathered": 6, "created": 2, "updated": 2, "unchanged": 0, "withdrawn": 2, "failed": 0}
    assert [b_resource(n).title for n in (1, 2)] == ["Новое название", "Новое название"]
    assert [b_resource(n).status for n in (3, 4)] == [Resource.Status.WITHDRAWN] * 2
    assert [comparable(ResourceSerializer(b_resource(n)).data) for n in (12, 13)] == [
        comparable(a_document(a, n)) for n in (12, 13)
    ]
    untouched = [n for n in range(PUBLISHED) if n not in (1, 2, 3, 4)]
    assert all(b_resource(n).status == Resource.Status.PUBLISHED for n in untouched)
    assert all(  # never listed again: the incremental harvest did not see them
        SourceLayer.objects.get(source="catalog-a", external_id=a_id(n)).last_seen == seen_before[a_id(n)]
        for n in untouched
    )
