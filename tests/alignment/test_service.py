"""The alignment service on a real database: suggestions written by the intake's hook and by the command,
idempotence, the overlay rule, rejections, hints from confirmations, the feed and the search index."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from content_repo.alignment import load_curriculum_file
from content_repo.alignment.decisions import accept, reject
from content_repo.alignment.engine import SuggestionEngine
from content_repo.alignment.evaluation import record_from_judged
from content_repo.alignment.models import RejectedSuggestion, ResourceIdentity
from content_repo.alignment.services import build_engine, suggest_for
from content_repo.api.models import Change
from content_repo.resources.models import Alignment, Resource
from tests.alignment.judged_set import load as load_judged

from .catalog import FRACTIONS, HOLIDAY, QUADRATIC, VIETA, codes, item, load, suggestions

pytestmark = pytest.mark.django_db

VIETA_NODES = [("algebra.8.3", 0.775), ("algebra.8.5", 0.775), ("algebra.8.content.3", 0.775)]


def test_intake_load_writes_scored_suggestions_or_abstains():
    vieta, holiday = load(item("1", VIETA), item("2", HOLIDAY, subjects=("math",), grades=(5,)))

    assert suggestions(vieta) == VIETA_NODES
    row = Alignment.objects.get(resource=vieta, topic__code="algebra.8.5")
    assert (row.status, row.alignment_type, row.confirmed_by, row.confirmed_at) == ("suggested", "teaches", None, None)
    assert "Алгебра, 8 класс" in row.explanation
    assert "Класс совпадает" in row.explanation
    assert suggestions(holiday) == []
    assert Alignment.objects.filter(resource=holiday).count() == 0
    # Suggestions are not the source's value: the overlay field (and so the source layer) holds none.
    assert vieta.source_layer.data["alignments"] == []
    assert vieta.overlaid_fields == []


def test_second_run_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resources = load(item("1", VIETA), item("2", QUADRATIC), item("3", FRACTIONS, subjects=("math",), grades=(5,)))
    rows = sorted(Alignment.objects.values_list("id", "resource_id", "score", "explanation"))
    changes = Change.objects.count()
    updated = {r.pk: r.updated_at for r in Resource.objects.all()}

    with django_capture_on_commit_callbacks(execute=True):
        report = suggest_for([r.pk for r in resources])

    assert (report.resources, report.with_suggestions, report.abstained) == (3, 3, 0)
    assert (report.created, report.updated, report.deleted, report.changed_resources) == (0, 0, 0, [])
    assert sorted(Alignment.objects.values_list("id", "resource_id", "score", "explanation")) == rows
    assert Change.objects.count() == changes
    assert {r.pk: r.updated_at for r in Resource.objects.all()} == updated


def test_live_suggestions_reach_the_change_feed_and_search(client, settings, django_capture_on_commit_callbacks):
    settings.ALIGNMENT_SUGGEST_ON_INTAKE = False
    with django_capture_on_commit_callbacks(execute=True):
        [vieta] = load(item("1", VIETA))
    assert Alignment.objects.filter(resource=vieta).count() == 0
    assert list(Change.objects.filter(resource_id=vieta.pk).values_list("action", flat=True)) == ["published"]
    assert client.get("/api/v1/search/", {"topic": "algebra.8.5"}).json()["count"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        report = suggest_for([vieta.pk])

    assert (report.created, report.changed_resources) == (3, [vieta.pk])
    feed = list(Change.objects.filter(resource_id=vieta.pk).order_by("seq"))
    assert [change.action for change in feed] == ["published", "updated"]
    documented = {(a["code"], a["status"], a["score"]) for a in feed[-1].document["alignments"]}
    assert documented == {(code, "suggested", score) for code, score in VIETA_NODES}
    found = client.get("/api/v1/search/", {"topic": "algebra.8.5"}).json()
    assert [hit["id"] for hit in found["results"]] == [str(vieta.pk)]
    assert found["results"][0]["confirmed_topics"] == []


def test_a_methodists_alignment_survives_reharvest_and_resuggestion(users):
    [vieta] = load(item("1", VIETA, digest="v1"))
    accept(Alignment.objects.get(resource=vieta, topic__code="algebra.8.5").pk, users.methodist)
    vieta.refresh_from_db()
    assert "alignments" in vieta.overlaid_fields
    engine_rows = sorted(Alignment.objects.filter(resource=vieta, score__isnull=False).values_list("id", "status"))

    # The source changes the title and now names a topic itself: the field is the methodist's, nothing moves.
    [again] = load(
        item(
            "1",
            "Урок 14. Теорема Виета и её применение",
            digest="v2",
            alignments=[{"target": "algebra.8.1", "type": "teaches"}],
        )
    )
    report = suggest_for([vieta.pk])

    assert again.pk == vieta.pk
    assert again.title == "Урок 14. Теорема Виета и её применение"
    assert again.source_layer.data["alignments"] == [
        {"target": "algebra.8.1", "type": "teaches", "status": "suggested"}
    ]
    assert codes(again, "confirmed") == ["algebra.8.5"]
    assert "algebra.8.1" not in codes(again)
    assert (report.overlaid, report.created, report.updated, report.deleted) == (1, 0, 0, 0)
    assert sorted(Alignment.objects.filter(resource=vieta, score__isnull=False).values_list("id", "status")) == (
        engine_rows
    )


def test_reharvest_keeps_the_engines_suggestions_and_takes_the_sources_alignments():
    [vieta] = load(item("1", VIETA, digest="v1"))
    ids = sorted(Alignment.objects.filter(resource=vieta).values_list("id", flat=True))

    [again] = load(
        item(
            "1",
            VIETA,
            digest="v2",
            description="Новое описание",
            alignments=[{"target": "algebra.8.1", "type": "teaches"}],
        )
    )

    assert again.description == "Новое описание"
    assert again.overlaid_fields == []
    assert sorted(Alignment.objects.filter(resource=vieta, score__isnull=False).values_list("id", flat=True)) == ids
    source_row = Alignment.objects.get(resource=vieta, topic__code="algebra.8.1")
    assert (source_row.status, source_row.score) == ("suggested", None)
    assert codes(again) == ["algebra.8.1", "algebra.8.3", "algebra.8.5", "algebra.8.content.3"]


def test_a_rejected_node_is_never_suggested_again(users):
    [vieta] = load(item("1", VIETA))
    reject(Alignment.objects.get(resource=vieta, topic__code="algebra.8.5").pk, users.methodist)
    [twin] = load(item("9", VIETA, source="yaklass"))  # the same title elsewhere, confirmed to that node
    accept(Alignment.objects.get(resource=twin, topic__code="algebra.8.5").pk, users.methodist)

    report = suggest_for([vieta.pk])

    assert RejectedSuggestion.objects.get(resource=vieta).code == "algebra.8.5"
    assert "algebra.8.5" not in codes(vieta)
    # Its place is taken by the next node (the advanced variant's section): three suggestions, none rejected.
    assert codes(vieta) == ["algebra-adv.8.3", "algebra.8.3", "algebra.8.content.3"]
    assert (report.created, report.deleted) == (0, 0)


def test_a_confirmation_raises_the_node_for_near_identical_resources(users):
    [resh] = load(item("1", VIETA))
    [video] = load(item("v1", "Теорема Виета. Видеоурок", source="vendor-video", resource_type="video_lesson"))
    assert suggestions(video)[0][1] < 0.95

    accept(Alignment.objects.get(resource=resh, topic__code="algebra.8.5").pk, users.methodist)

    best, score = suggestions(video)[0]
    assert (best, score) == ("algebra.8.5", 0.95)
    why = Alignment.objects.get(resource=video, topic__code="algebra.8.5").explanation
    assert why.startswith("Методист подтвердил этот узел для ресурса с тем же названием «Урок 14. Теорема Виета»")
    assert (
        ResourceIdentity.objects.get(resource=resh).title_key == ResourceIdentity.objects.get(resource=video).title_key
    )


def test_a_confirmed_lesson_raises_its_series_neighbour(users):
    lessons = load(*(item(str(n), title) for n, title in ((14, VIETA), (15, QUADRATIC))))
    before = dict(suggestions(lessons[1]))
    accept(Alignment.objects.get(resource=lessons[0], topic__code="algebra.8.3").pk, users.methodist)
    after = dict(suggestions(lessons[1]))
    assert after["algebra.8.3"] > before.get("algebra.8.3", 0.0)
    assert (
        "соседнего урока той же серии"
        in Alignment.objects.get(resource=lessons[1], topic__code="algebra.8.3").explanation
    )


def test_publishing_an_older_revision_keeps_the_current_suggestions(users):
    [vieta] = load(item("1", VIETA))
    draft = vieta.get_latest_revision_as_object()
    draft.description = "Черновик методиста"
    draft.save_revision(user=users.methodist)  # its content holds the three suggestions of now
    reject(Alignment.objects.get(resource=vieta, topic__code="algebra.8.3").pk, users.methodist)

    Resource.objects.get(pk=vieta.pk).get_latest_revision().publish(user=users.methodist)

    published = Resource.objects.get(pk=vieta.pk)
    assert published.description == "Черновик методиста"
    assert codes(published) == ["algebra.8.5", "algebra.8.content.3"]


def test_engine_built_from_the_database_matches_the_dataset_file():
    from_file = SuggestionEngine.from_curriculum(load_curriculum_file())
    from_rows = build_engine()
    records = [record_from_judged(entry) for entry in load_judged("dev")[:80]]
    answers = [[(s.code, s.score) for s in from_rows.suggest(record)] for record in records]
    assert answers == [[(s.code, s.score) for s in from_file.suggest(record)] for record in records]
    assert sum(bool(answer) for answer in answers) >= 70


def test_the_intake_hook_can_be_switched_off(settings):
    settings.ALIGNMENT_SUGGEST_ON_INTAKE = False
    [vieta] = load(item("1", VIETA))
    assert Alignment.objects.filter(resource=vieta).count() == 0


def test_a_harvest_gives_suggestions_and_a_second_one_changes_nothing():
    from importers.demo import load_demo_catalog

    [job] = load_demo_catalog(("mesh",))
    harvested = Resource.objects.filter(source_layer__source="mesh")
    with_suggestions = harvested.filter(alignments__score__isnull=False).distinct().count()
    rows = sorted(Alignment.objects.values_list("id", "score"))
    assert (job.created, job.failed, harvested.count()) == (35, 0, 35)
    assert with_suggestions == 35

    load_demo_catalog(("mesh",))

    assert sorted(Alignment.objects.values_list("id", "score")) == rows


def test_command_selects_counts_and_dry_runs(settings):
    settings.ALIGNMENT_SUGGEST_ON_INTAKE = False
    load(item("1", VIETA), item("2", QUADRATIC), item("3", FRACTIONS, subjects=("math",), grades=(5,), source="uchi"))

    out = io.StringIO()
    call_command("suggest_alignments", "--source", "uchi", "--dry-run", stdout=out, stderr=io.StringIO())
    assert "Пробный прогон (ничего не записано): ресурсов: 1; с подсказками: 1" in out.getvalue()
    assert "подсказок создано: 3" in out.getvalue()
    assert Alignment.objects.count() == 0

    out = io.StringIO()
    call_command("suggest_alignments", "--subject", "algebra", stdout=out, stderr=io.StringIO())
    assert "ресурсов: 2; с подсказками: 2" in out.getvalue()
    assert Alignment.objects.filter(resource__subjects__code="math").count() == 0

    out = io.StringIO()
    call_command("suggest_alignments", "--only-missing", stdout=out, stderr=io.StringIO())
    assert "ресурсов: 1; с подсказками: 1" in out.getvalue()

    out = io.StringIO()
    call_command("suggest_alignments", stdout=out, stderr=io.StringIO())
    assert "ресурсов: 3;" in out.getvalue()
    assert "подсказок создано: 0, обновлено: 0, удалено: 0; изменено ресурсов: 0" in out.getvalue()


def test_with_a_task_queue_the_worker_suggests_after_the_batch(transactional_db, settings):
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    [vieta] = load(item("1", VIETA))
    task = DBTaskResult.objects.get(task_path="content_repo.alignment.tasks.suggest_alignments_for")
    assert (task.status, task.args_kwargs["args"]) == ("READY", [[str(vieta.pk)]])
    assert Alignment.objects.filter(resource=vieta).count() == 0  # the intake did not wait for the engine

    db = connection.settings_dict
    url = (
        f"sqlite:///{db['NAME']}"
        if db["ENGINE"].endswith("sqlite3")
        else f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = os.environ | {
        "DATABASE_URL": url,
        "VAR_DIR": str(django_settings.VAR_DIR),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0"]
    root = django_settings.BASE_DIR
    worker = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert worker.returncode == 0, worker.stderr[-3000:]

    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert suggestions(vieta) == VIETA_NODES
