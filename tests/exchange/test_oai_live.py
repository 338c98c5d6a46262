"""The provider as `make run` serves it (runserver over its own database): read by a real OAI-PMH client
library, a resumption token used across a server restart, and a second instance of the catalog harvesting
this one — created, updated, withdrawn, deleted and unchanged records, and an incremental re-harvest."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from lxml import etree
from oaipmh_scythe import Scythe

from content_repo.api.serializers import ResourceSerializer
from content_repo.resources.models import Resource, SourceLayer, resource_uuid
from importers.engine import HarvestOptions, run_harvest
from importers.models import HarvestJob, HarvestSource
from tests.exchange.conftest import NS, check_valid
from tests.harness.live_server import LiveServer, clone_test_database, drop_database, run_django

pytestmark = pytest.mark.django_db

REPOSITORY = "catalog-a.example"
PUBLISHED = 12


@dataclass
class Instance:
    """Instance A of the catalog: its database and its running server."""

    database_url: str
    server: LiveServer

    @property
    def oai(self) -> str:
        return f"{self.server.url}/oai/"

    def run(self, code: str) -> str:
        return run_django(self.database_url, code)


def start_instance(workdir: Path, django_db_blocker) -> Instance:
    with django_db_blocker.unblock():
        database_url = clone_test_database(workdir)
    run_django(database_url, f"from tests.exchange.catalog import publish\npublish(range({PUBLISHED}))\n")
    env = {"OAI_PAGE_SIZE": "5", "OAI_REPOSITORY_ID": REPOSITORY}
    return Instance(database_url, LiveServer.start_new(database_url, workdir / "server", env))


def stop_instance(instance: Instance, django_db_blocker) -> None:
    instance.server.stop()
    with django_db_blocker.unblock():
        drop_database(instance.database_url)


@pytest.fixture(scope="module")
def instance_a(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Instance]:
    """One instance for the tests that only read it."""
    instance = start_instance(tmp_path_factory.mktemp("instance-a"), django_db_blocker)
    yield instance
    stop_instance(instance, django_db_blocker)


@pytest.fixture
def fresh_instance_a(django_db_setup, django_db_blocker, tmp_path) -> Iterator[Instance]:
    """An instance of its own, for a test that changes it."""
    instance = start_instance(tmp_path, django_db_blocker)
    yield instance
    stop_instance(instance, django_db_blocker)


def a_id(number: int) -> str:
    return f"oai:{REPOSITORY}:{resource_uuid('resh', f'lesson-{number}')}"


def test_a_real_oai_client_reads_every_verb(instance_a):
    with Scythe(instance_a.oai, timeout=60) as scythe:
        identify = scythe.identify()
        assert (identify.deletedRecord, identify.granularity) == ("persistent", "YYYY-MM-DDThh:mm:ssZ")
        assert identify.baseURL == instance_a.oai
        assert [f.metadataPrefix for f in scythe.list_metadata_formats()] == ["oai_dc", "lom"]
        assert "subject:math" in {s.setSpec for s in scythe.list_sets()}
        records = list(scythe.list_records(metadata_prefix="oai_dc"))  # three pages of five
        assert sorted(r.header.identifier for r in records) == sorted(a_id(n) for n in range(PUBLISHED))
        by_id = {r.header.identifier: r for r in records}
        assert by_id[a_id(0)].metadata["title"] == ["Урок 0: math, 5 класс"]
        assert by_id[a_id(0)].metadata["subject"][:2] == ["Математика", "5 класс"]
        lom = list(scythe.list_records(metadata_prefix="lom"))
        assert len(lom) == PUBLISHED and all(not r.deleted for r in lom)
        math = list(scythe.list_identifiers(metadata_prefix="lom", set_="subject:math"))
        assert sorted(h.identifier for h in math) == sorted(a_id(n) for n in (0, 3, 6, 9))
        single = scythe.get_record(identifier=a_id(1), metadata_prefix="lom")
        assert single.header.identifier == a_id(1)


def test_every_live_response_is_valid(instance_a, oai_schema):
    for arguments in (
        {"verb": "Identify"},
        {"verb": "ListSets"},
        {"verb": "ListRecords", "metadataPrefix": "lom"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "grade:7"},
        {"verb": "GetRecord", "metadataPrefix": "lom", "identifier": a_id(2)},
        {"verb": "ListRecords", "metadataPrefix": "lom", "from": "2026-13-01"},
    ):
        response = httpx.get(instance_a.oai, params=arguments, timeout=60)
        assert response.status_code == 200
        check_valid(oai_schema, response.content)


def test_a_token_survives_a_server_restart(instance_a):
    first = etree.fromstring(
        httpx.get(instance_a.oai, params={"verb": "ListIdentifiers", "metadataPrefix": "lom"}).content
    )
    token = first.find(".//oai:resumptionToken", NS)
    assert (token.get("cursor"), token.get("completeListSize")) == ("0", str(PUBLISHED))
    instance_a.server.stop()
    instance_a.server.start()
    second = etree.fromstring(
        httpx.get(instance_a.oai, params={"verb": "ListIdentifiers", "resumptionToken": token.text}).content
    )
    assert second.find("oai:error", NS) is None
    assert second.find(".//oai:resumptionToken", NS).get("cursor") == "5"
    assert len(second.findall(".//oai:header", NS)) == 5


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
