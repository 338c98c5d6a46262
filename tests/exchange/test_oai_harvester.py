"""The OAI-PMH harvester (source kind ``oai``) against a real HTTP server replaying a third-party provider:
day-only datestamps, an expiring token, an empty set, transient deletions, an incremental second harvest,
and an interrupted harvest that resumes from its checkpointed token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from content_repo.intake.records import PartKind
from content_repo.resources.models import Resource, SourceLayer, resource_uuid
from importers.engine import HarvestOptions, run_harvest
from importers.errors import ConfigurationError, TransformError
from importers.models import HarvestJob, HarvestSource
from importers.sources.base import TransformContext
from importers.sources.oai import OaiConfig, transform
from importers.testing.recorded_site import RecordedSite
from tests.exchange.conftest import FIXTURES

pytestmark = pytest.mark.django_db

THIRD_PARTY = FIXTURES / "oai" / "thirdparty"
CODE = "repo-example"
ENDPOINT = "/oai/request"


@pytest.fixture
def site() -> Iterator[RecordedSite]:
    recorded = RecordedSite(THIRD_PARTY / "snapshot-1").start()
    yield recorded
    recorded.stop()


def make_source(**options) -> HarvestSource:
    source = HarvestSource(
        code=CODE,
        name="Региональный репозиторий",
        kind=HarvestSource.Kind.OAI,
        base_url="http://repo.example.org/oai/request",
        allowed_hosts=["repo.example.org"],
        options={"metadata_prefix": "oai_dc", **options},
    )
    source.full_clean()
    source.save()
    return source


def harvest(site: RecordedSite, progress=None) -> HarvestJob:
    return run_harvest(CODE, HarvestOptions(base_url=site.url(ENDPOINT), rate=200.0), progress)


def counts(job: HarvestJob) -> dict[str, int]:
    return {name: getattr(job, name) for name in ("gathered", "created", "updated", "unchanged", "withdrawn", "failed")}


def oai_requests(site: RecordedSite) -> list[dict[str, str]]:
    return [
        {name: values[0] for name, values in request.query.items()}
        for request in site.requests
        if request.path == ENDPOINT
    ]


def resource(number: int) -> Resource:
    return Resource.objects.get(pk=resource_uuid(CODE, f"oai:repo.example.org:{number}"))


def test_recorded_responses_are_valid_oai_pmh(oai_schema):
    pages = sorted(THIRD_PARTY.glob("snapshot-*/pages/*.xml"))
    assert len(pages) == 13
    for page in pages:
        assert oai_schema.validate(etree.parse(str(page))), (page, oai_schema.error_log)


def test_a_full_harvest_survives_an_expired_token_and_maps_dublin_core(site):
    make_source()
    job = harvest(site)
    assert job.state == HarvestJob.State.FINISHED
    assert job.gather_status == "complete"
    assert counts(job) == {"gathered": 6, "created": 4, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
    assert oai_requests(site) == [
        {"verb": "Identify"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "resumptionToken": "t2"},  # badResumptionToken: the window starts again
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "resumptionToken": "t2"},
        {"verb": "ListRecords", "resumptionToken": "t3"},
    ]
    assert site.requested_paths()[0] == "/robots.txt"
    lesson = resource(101)
    assert lesson.status == Resource.Status.PUBLISHED
    assert lesson.title == "Сложение дробей с одинаковыми знаменателями"
    assert [s.code for s in lesson.subjects.all()] == ["math"]
    assert [g.number for g in lesson.grades.all()] == [5]
    assert [level.code for level in lesson.levels.all()] == ["OOO"]
    assert (lesson.license.code, lesson.resource_type.code, lesson.language.code) == (
        "cc-by-4.0",
        "interactive_task",
        "ru",
    )
    assert lesson.url == "http://repo.example.org/handle/20.500.12345/101"
    assert lesson.authors == ["Иванова, Мария Петровна"]
    assert lesson.keywords == ["учебный материал"]
    assert resource(103).resource_type.code == "video"
    assert job.notes["gather_state"] == {"prefix": "oai_dc", "sets": [], "harvested_until": "2026-11-30T12:00:00Z"}
    # Two deleted headers of records never harvested: nothing to withdraw, nothing created for them.
    assert SourceLayer.objects.filter(source=CODE).count() == 4


def test_the_second_harvest_asks_from_the_last_one_in_days_and_applies_changes_and_deletions(site):
    make_source()
    harvest(site)
    site.load_snapshot(THIRD_PARTY / "snapshot-2")
    site.clear_log()
    job = harvest(site)
    assert oai_requests(site) == [
        {"verb": "Identify"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-11-30"},
    ]
    assert job.state == HarvestJob.State.FINISHED
    assert job.gather_status == "incremental"
    assert counts(job) == {"gathered": 2, "created": 0, "updated": 1, "unchanged": 0, "withdrawn": 1, "failed": 0}
    assert resource(102).title == "Десятичные дроби: сложение и вычитание"
    deleted = resource(104)
    assert deleted.status == Resource.Status.WITHDRAWN and not deleted.live
    assert "удалён в источнике" in deleted.status_reason
    assert [resource(n).status for n in (101, 103)] == [Resource.Status.PUBLISHED] * 2
    assert job.notes["gather_state"]["harvested_until"] == "2026-12-05T09:00:00Z"


def test_sets_are_harvested_in_turn_and_an_empty_set_is_no_failure(site):
    make_source(sets=["empty", "physics"])
    job = harvest(site)
    assert job.state == HarvestJob.State.FINISHED
    assert counts(job) == {"gathered": 1, "created": 1, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
    assert [r.get("set") for r in oai_requests(site)[1:]] == ["empty", "physics"]
    assert resource(103).title == "Физика — наука о природе"


def test_an_interrupted_harvest_resumes_at_its_checkpointed_token(settings):
    settings.IMPORTERS = {**settings.IMPORTERS, "BATCH_SIZE": 2}
    make_source()
    calls = []

    def stop_in_the_third_batch(result) -> None:
        calls.append(result)
        if len(calls) == 5:  # two batches (4 records) committed; the third is being fetched
            raise KeyboardInterrupt

    with RecordedSite(THIRD_PARTY / "snapshot-3") as recorded:
        with pytest.raises(KeyboardInterrupt):
            harvest(recorded, stop_in_the_third_batch)
        interrupted = HarvestJob.objects.get()
        assert interrupted.state == HarvestJob.State.INTERRUPTED
        assert interrupted.notes["gather_checkpoint"]["token"] == "t2"
        recorded.clear_log()
        job = harvest(recorded)
        assert job.pk == interrupted.pk and job.notes["resumed"] == 1
        assert oai_requests(recorded) == [
            {"verb": "Identify"},
            {"verb": "ListRecords", "resumptionToken": "t2"},
            {"verb": "ListRecords", "resumptionToken": "t3"},
        ]
    assert job.state == HarvestJob.State.FINISHED
    assert (job.created, job.failed) == (4, 0)
    assert SourceLayer.objects.filter(source=CODE, withdrawn_at__isnull=True).count() == 4


def test_a_private_address_is_refused_before_any_request(site):
    source = make_source()
    source.base_url = site.url(ENDPOINT)
    source.allowed_hosts = ["127.0.0.1"]
    source.save()
    with pytest.raises(ConfigurationError, match="внутренний адрес"):
        run_harvest(CODE, HarvestOptions(rate=200.0))
    assert site.requests == []
    assert HarvestJob.objects.count() == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"metadata_prefix": "marc21"}, "metadata_prefix"),
        ({"sets": "subject:math"}, "sets"),
        ({"sets": ["subject math"]}, "sets"),
        ({"overlap_seconds": -1}, "overlap_seconds"),
        ({"metadataPrefix": "lom"}, "неизвестные параметры"),
    ],
)
def test_bad_options_are_refused_with_the_option_named(options, message):
    with pytest.raises(ValueError, match=message):
        OaiConfig.from_options(options)
    source = HarvestSource(code="bad", name="bad", kind=HarvestSource.Kind.OAI, base_url="https://x.example/oai")
    source.options = options
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "options" in error.value.message_dict
    assert HarvestSource.objects.filter(code="bad").count() == 0


def context(identifier: str = "oai:x:1") -> TransformContext:
    return TransformContext(external_id=identifier, url="http://x/oai", final_url="http://x/oai", listing={})


LOM_RECORD = (Path(__file__).parent / "records" / "lom-record.xml").read_bytes()


def test_transform_reads_lom_with_subject_grades_topics_and_parts():
    record = transform(LOM_RECORD, context())
    assert record.external_id == "oai:catalog.example:2f0c5c1e-1a77-5e0e-9a7b-1b5b1c7e0001"
    assert (record.subject_code, record.subject_name) == ("math", "Математика")
    assert record.grades == (5, 6)
    assert record.topics == ("math.5.3",)
    assert (record.license, record.access, record.resource_type) == ("cc-by-sa-4.0", "registration", "lesson")
    assert (record.duration, record.typical_age_range, record.language) == ("PT40M", "11-12", "ru")
    assert record.authors == ("Автор, Первый",)
    assert [(p.kind, p.title) for p in record.parts] == [(PartKind.MAIN, "Основная часть")]
    assert record.extra == {"publisher": "Российская электронная школа (РЭШ)"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b"<record", "record"),
        (
            b'<record xmlns="http://www.openarchives.org/OAI/2.0/"><header><identifier>a</identifier></header></record>',
            "metadata",
        ),
        (LOM_RECORD.replace(b"https://", b"ftp://"), "url"),
        (re.sub(rb"<title>.*?</title>", b"", LOM_RECORD), "title"),
    ],
)
def test_transform_names_the_field_it_cannot_read(payload, field):
    with pytest.raises(TransformError) as error:
        transform(payload, context())
    assert error.value.field == field


def test_an_oai_source_is_added_and_changed_by_command():
    call_command(
        "oai_source",
        "regional",
        "https://repo.example.org/oai/request",
        "--prefix",
        "lom",
        "--set",
        "subject:math",
        "--schedule",
        "24h",
        stdout=StringIO(),
    )
    source = HarvestSource.objects.get(code="regional")
    assert (source.kind, source.base_url, source.allowed_hosts, source.schedule) == (
        "oai",
        "https://repo.example.org/oai/request",
        ["repo.example.org"],
        "24h",
    )
    assert source.options == {"metadata_prefix": "lom", "sets": ["subject:math"], "overlap_seconds": 600}
    call_command("oai_source", "regional", "https://repo.example.org/oai/request", "--review", stdout=StringIO())
    source.refresh_from_db()
    assert (source.options["metadata_prefix"], source.publishes) == ("oai_dc", False)
    with pytest.raises(CommandError, match="sets"):
        call_command("oai_source", "bad", "https://repo.example.org/oai", "--set", "no spaces", stdout=StringIO())
    with pytest.raises(CommandError, match="внутренний адрес"):
        call_command("oai_source", "local", "http://127.0.0.1:9/oai", stdout=StringIO())
    with pytest.raises(CommandError, match="не OAI-PMH"):
        call_command("oai_source", "resh", "https://resh.edu.ru/oai", stdout=StringIO(), verbosity=0)
    assert set(HarvestSource.objects.filter(kind="oai").values_list("code", flat=True)) == {"regional"}


def test_a_batch_that_did_not_commit_moves_no_checkpoint(settings, monkeypatch):
    settings.IMPORTERS = {**settings.IMPORTERS, "BATCH_SIZE": 2}
    make_source()
    from importers.engine import runner

    saves = []
    save_progress = runner._save_progress

    def fail_in_the_third_batch(ctx) -> None:
        saves.append(ctx)
        if len(saves) == 5:  # two calls per batch: the third batch's first commit is under way
            raise KeyboardInterrupt
        save_progress(ctx)

    monkeypatch.setattr(runner, "_save_progress", fail_in_the_third_batch)
    with RecordedSite(THIRD_PARTY / "snapshot-3") as recorded, pytest.raises(KeyboardInterrupt):
        harvest(recorded)
    job = HarvestJob.objects.get()
    assert job.state == HarvestJob.State.INTERRUPTED
    assert job.notes["gather_checkpoint"]["token"] == "t2"  # the third batch (page t3) never committed
