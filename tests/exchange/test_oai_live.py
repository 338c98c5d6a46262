"""The provider as `make run` serves it (runserver over its own database): read by a real OAI-PMH client
library, a resumption token used across a server restart, and a second instance of the catalog harvesting
this one (tests/exchange/test_oai_round_trip.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from lxml import etree
from oaipmh_scythe import Scythe

from content_repo.resources.models import resource_uuid
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
