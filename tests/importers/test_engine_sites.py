"""The engine over every recorded site, twice: snapshot 1, then snapshot 2 (exact counts per README)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from django.core.management import call_command

from content_repo.resources.models import Resource, SourceLayer
from content_repo.resources.services import edit_fields
from importers.models import HarvestError, HarvestJob, HarvestRecord
from importers.testing.recorded_site import RecordedSite
from tests.importers.engine_helpers import counts, harvest_site, status_of

ServeSite = Callable[[str, int], RecordedSite]
pytestmark = pytest.mark.django_db


def resource(source: str, external_id: str) -> Resource:
    return Resource.objects.get(source_layer__source=source, source_layer__external_id=external_id)


def test_resh_command_twice_with_a_methodists_edit_and_dump(serve_site: ServeSite, harvest_sources, users) -> None:
    site = serve_site("resh", 1)
    out = io.StringIO()
    call_command("harvest", "resh", "--base-url", site.base_url, "--rate", "50", stdout=out, stderr=io.StringIO())
    first = HarvestJob.objects.get(source__code="resh")

    assert counts(first) == {"gathered": 107, "created": 107, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}
    assert out.getvalue().strip() == first.summary()
    assert (first.state, first.gather_complete) == (HarvestJob.State.FINISHED, True)
    assert first.notes.get("unmapped_subjects") is None
    dump = io.StringIO()
    call_command("dump_resources", "--source", "resh", stdout=dump)
    lines = [json.loads(line) for line in dump.getvalue().splitlines()]
    assert len(lines) == 107
    assert len({line["external_id"] for line in lines}) == 107
    lesson = next(line for line in lines if line["external_id"] == "7316")
    assert lesson == {
        "source": "resh",
        "external_id": "7316",
        "url": "https://resh.edu.ru/subject/lesson/7316/",
        "title": "Информация, ее свойства и классификация",
        "subjects": [{"code": "informatics", "title": lesson["subjects"][0]["title"]}],
        "grades": [7],
        "lesson_number": 2,
        "parts": lesson["parts"],
        "status": "published",
        "provider": "resh",
    }
    assert [part["kind"] for part in lesson["parts"]] == ["start", "main", "summary", "training", "control", "control"]
    assert lesson["parts"][0]["url"] == "https://resh.edu.ru/subject/lesson/7316/start/"
    old_layout = next(line for line in lines if line["external_id"] == "1577")
    assert (old_layout["title"], old_layout["grades"], old_layout["lesson_number"]) == (
        "Отечественная война 1812 года",
        [8],
        13,
    )
    edited = resource("resh", "7434")
    edit_fields(edited, {"title": "Массивы: правка методиста"}, users.methodist)

    site.load_snapshot(site_snapshot("resh", 2))
    site.clear_log()
    second = harvest_site("resh", site)

    assert counts(second) == {
        "gathered": 107,
        "created": 1,
        "updated": 1,
        "unchanged": 105,
        "withdrawn": 1,
        "failed": 0,
    }
    # Unchanged lesson pages cost a 304; the changed one and the new one a 200; the withdrawn one nothing.
    assert status_of(site, "/subject/lesson/") == {304: 105, 200: 2}
    assert "/subject/lesson/2623/" not in site.requested_paths()
    edited.refresh_from_db()
    assert edited.title == "Массивы: правка методиста"
    assert edited.source_layer.data["title"] == "Одномерные массивы целых чисел. Описание, заполнение и вывод массива"
    gone = resource("resh", "2623")
    assert gone.status == Resource.Status.WITHDRAWN and not gone.live
    assert SourceLayer.objects.get(source="resh", external_id="2623").withdrawn_at is not None
    assert resource("resh", "7738").title == "Решение текстовых задач"
    assert HarvestRecord.objects.get(source__code="resh", external_id="2623").state == HarvestRecord.State.GONE
    assert Resource.objects.filter(source_layer__source="resh").count() == 108


def site_snapshot(site: str, snapshot: int):
    from tests.importers.conftest import snapshot_dir

    return snapshot_dir(site, snapshot)


@pytest.mark.parametrize(
    ("code", "total", "updated", "withdrawn", "created"),
    [
        ("yaklass", 85, "44226", "6641162", "220198"),
        ("mesh", 35, "lesson_template-1819732", "lesson_template-1851839", "test_specification-548800"),
        ("uchi", 40, "uchi-modern-geo-8-126", "uchi-modern-obshestvo-7-138", "uchi-modern-biology-8-141"),
    ],
)
def test_site_twice(
    serve_site: ServeSite, harvest_sources, code: str, total: int, updated: str, withdrawn: str, created: str
) -> None:
    site = serve_site(code, 1)
    first = harvest_site(code, site)
    assert counts(first) == {
        "gathered": total,
        "created": total,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "failed": 0,
    }
    before = resource(code, updated).title

    site.load_snapshot(site_snapshot(code, 2))
    site.clear_log()
    second = harvest_site(code, site)

    assert counts(second) == {
        "gathered": total,
        "created": 1,
        "updated": 1,
        "unchanged": total - 2,
        "withdrawn": 1,
        "failed": 0,
    }
    assert resource(code, updated).title != before
    assert resource(code, withdrawn).status == Resource.Status.WITHDRAWN
    assert resource(code, created).status == Resource.Status.PUBLISHED
    assert HarvestError.objects.filter(job=second).count() == 0
    if code == "yaklass":
        topics = [r for r in site.requests if r.path.count("/") >= 5 and "YklShowAll" not in r.query]
        assert sorted(r.status for r in topics) == [200, 200] + [304] * 83
    if code == "uchi":
        site.clear_log()
        third = harvest_site(code, site)
        assert third.gather_status == "unchanged"
        assert counts(third) == {
            "gathered": 0,
            "created": 0,
            "updated": 0,
            "unchanged": 40,
            "withdrawn": 0,
            "failed": 0,
        }
        assert [(r.path, r.status) for r in site.requests if r.path != "/robots.txt"] == [("/partner/feed.jsonl", 304)]


def test_uchi_feed_file_with_bad_lines(harvest_sources) -> None:
    from importers.engine import HarvestOptions, run_harvest
    from tests.importers.conftest import SOURCES_DIR

    job = run_harvest("uchi", HarvestOptions(base_url=str(SOURCES_DIR / "uchi" / "feed-bad.jsonl")))

    assert counts(job) == {"gathered": 2, "created": 2, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 10}
    lines = sorted(HarvestError.objects.filter(job=job).values_list("line", flat=True))
    assert lines == list(range(1, 11))
    assert HarvestError.objects.get(job=job, line=3).message.startswith("educationalAlignment")
