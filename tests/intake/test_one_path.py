"""Every door goes through the one intake path: a rule changed in one place changes every door, one record's
failure never loses its batch, and the search hand-off never crosses threads."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from django.db import connection, transaction

from content_repo.intake import subjects as subject_names_module
from content_repo.intake.items import IntakeItem, Outcome, Policy
from content_repo.intake.loading import load_items
from content_repo.resources.codes import CatalogCodes
from content_repo.resources.models import Resource, resource_uuid
from importers.engine import HarvestOptions, run_harvest
from importers.spreadsheet import import_rows, read_sheet, validate_sheet
from search.indexing import schedule
from search.models import SearchDirty, SearchEntry
from tests.api.conftest import LESSON
from tests.api.helpers import feed_item, post_feed
from tests.factories import make_resource

ODD_NAME = "Матан"  # what nobody's mapping knows until the one file says so


def feed_with(tmp_path: Path, subject: str) -> Path:
    line = feed_item(f"one-path-{tmp_path.name}", "Производная функции", subject=subject, grade=10)
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def through_every_door(callers, tmp_path: Path, subject: str) -> dict[str, list[str] | str]:
    """The subject each door ends up with for a resource sent with ``subject``, or why it refused it."""
    outcomes: dict[str, list[str] | str] = {}
    job = run_harvest("uchi", HarvestOptions(base_url=str(feed_with(tmp_path, subject))))
    harvested = Resource.objects.filter(
        source_layer__source="uchi", source_layer__external_id__startswith="one-path"
    ).first()
    outcomes["harvest"] = [s.code for s in harvested.subjects.all()] if harvested else f"job {job.state}"

    single = callers.publish_a.post("/api/v1/resources/", LESSON | {"subjects": [subject]}, format="json")
    outcomes["vendor"] = single.json().get("values", {}).get("subjects") or str(single.json().get("errors"))

    line = feed_item("one-path-2", "Пределы", subject=subject, grade=10)
    result = post_feed(callers.publish_a, line).json()["results"][0]
    outcomes["bulk"] = (
        [s.code for s in Resource.objects.get(pk=result["id"]).subjects.all()]
        if result["id"]
        else str(result["errors"])
    )

    sheet = f"title;url;subject;grades\nПервообразная;https://school.example/one-path;{subject};11\n"
    rows = validate_sheet(read_sheet("one-path.csv", sheet.encode("utf-8")))
    if rows[0].valid:
        import_rows(rows)
        sheet_resource = Resource.objects.get(source_layer__source="csv", url="https://school.example/one-path")
        outcomes["sheet"] = [s.code for s in sheet_resource.subjects.all()]
    else:
        outcomes["sheet"] = str(rows[0].problems)
    return outcomes


@pytest.mark.django_db
def test_a_subject_name_added_in_one_place_maps_at_every_door(callers, harvest_sources, tmp_path, monkeypatch):
    (tmp_path / "before").mkdir()
    before = through_every_door(callers, tmp_path / "before", ODD_NAME)
    assert before["harvest"] == []  # a harvest keeps the record and notes the unmapped name
    for door in ("vendor", "bulk", "sheet"):
        assert ODD_NAME in str(before[door]) and "предмет" in str(before[door]), (door, before[door])

    names = subject_names_module.subject_names()
    monkeypatch.setattr(
        subject_names_module,
        "subject_names",
        lambda: {**names, "common": {**names["common"], ODD_NAME: "algebra_analysis"}},
    )
    Resource.objects.all().delete()
    (tmp_path / "after").mkdir()

    after = through_every_door(callers, tmp_path / "after", ODD_NAME)

    assert after == {door: ["algebra_analysis"] for door in ("harvest", "vendor", "bulk", "sheet")}


def _item(external_id: str, title: str) -> IntakeItem:
    values = {"title": title, "subjects": ["math"], "grades": [5], "levels": ["OOO"], "license": "cc-by-4.0"}
    return IntakeItem(
        source="uchi",
        external_id=external_id,
        source_url=f"https://uchi.ru/{external_id}",
        content_hash=external_id,
        values=values,
        provider_code="uchi",
    )


@pytest.mark.django_db
def test_one_record_the_database_refuses_never_loses_the_batch():
    # A resource row holding the identity the second item would get (its source layer was lost): the bulk
    # insert of the batch fails, and the batch is loaded again one item at a time.
    squatter = make_resource(title="Чужая строка")
    Resource.objects.filter(pk=squatter.pk).update(id=resource_uuid("uchi", "b-2"))
    items = [_item("b-1", "Дроби"), _item("b-2", "Проценты"), _item("b-3", "Десятичные дроби")]

    results = load_items(items, policy=Policy.PUBLISH, codes=CatalogCodes())

    assert [result.outcome for result in results] == [Outcome.CREATED, Outcome.REJECTED, Outcome.CREATED]
    assert "IntegrityError" in results[1].message()
    assert Resource.objects.get(pk=resource_uuid("uchi", "b-2")).title == "Чужая строка"  # not overwritten
    assert sorted(Resource.objects.filter(live=True).values_list("title", flat=True)) == ["Десятичные дроби", "Дроби"]


@pytest.mark.django_db(transaction=True)
def test_what_one_thread_schedules_waits_for_that_threads_commit_alone(settings):
    settings.SEARCH_AUTO_INDEX = False
    resource = make_resource(title="Сложение дробей", publish=True)
    settings.SEARCH_AUTO_INDEX = True
    SearchDirty.objects.all().delete()
    scheduled, committed = threading.Event(), threading.Event()
    seen_in_thread: set[str] = set()

    def other_thread() -> None:
        try:
            with transaction.atomic():
                schedule(resource.pk)  # waits for this thread's commit
                seen_in_thread.update(pending_ids())
                scheduled.set()
                committed.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert scheduled.wait(10)
    # Another thread (a request of runserver, a task) neither sees nor flushes it; on SQLite this thread could
    # not even write while the other holds its transaction, so it only looks.
    assert (seen_in_thread, pending_ids()) == ({str(resource.pk)}, set())
    assert not SearchEntry.objects.exists()
    committed.set()
    thread.join(10)

    assert list(SearchEntry.objects.values_list("doc_id", flat=True)) == [str(resource.pk)]


def pending_ids() -> set[str]:
    """The ids this thread's open transaction will index when it commits."""
    from search.indexing import _PendingIndexing

    callbacks = [callback for _, callback, _ in connection.run_on_commit if isinstance(callback, _PendingIndexing)]
    return {key for callback in callbacks for key in callback.ids}
