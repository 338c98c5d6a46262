"""Indexing end to end: publishing through the content services makes a resource searchable in the API,
unpublishing and deleting remove it; a sweep catches bulk writes; an unreachable engine falls back."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from content_repo.publishers.models import Organization
from content_repo.resources.models import Resource
from content_repo.resources.services import withdraw
from search.backends import get_search_backend
from search.indexing import DocumentBuilder, mark_dirty, sweep
from search.models import SearchDirty, SearchEntry
from tests.factories import make_resource

pytestmark = pytest.mark.django_db

SEARCHABLE_WITHIN_S = 2.0


def found(client, text, **params):
    body = client.get("/api/v1/search/", {"q": text, **params}).json()
    return body, [result["id"] for result in body["results"]]


def publish(title="Квазикристаллы и их симметрия", **values):
    fields = {
        "description": "Почему у квазикристаллов нет периода.",
        "subjects": ["physics"],
        "grades": [9],
        "resource_type": "lesson",
        "license": "cc-by-4.0",
        "access": "free",
        "language": "ru",
        "alignments": [],
    }
    resource = make_resource(title=title, publish=True, **(fields | values))
    return resource


def test_document_of_a_resource(db):
    resh = Organization.objects.get(code="resh")
    resource = make_resource(
        title="Сложение дробей",
        provider=resh,
        subjects=["math"],
        grades=[5],
        levels=["OOO"],
        resource_type="lesson",
        license="cc-by-4.0",
        alignments=[{"target": "biology.8.3.2", "type": "teaches"}],
        publish=True,
    )
    [document] = DocumentBuilder().build([resource.pk])
    assert (document.id, document.title, document.provider, document.provider_name) == (
        str(resource.pk),
        "Сложение дробей",
        "resh",
        "Российская электронная школа (РЭШ)",
    )
    assert (document.subjects, document.grades, document.levels) == (("math",), (5,), ("OOO",))
    assert (document.topics, document.topic_titles) == (
        ("biology.8.3.2", "biology.8.3"),
        ("Одноклеточные животные – простейшие",),
    )
    assert (document.resource_type, document.license, document.published) == ("lesson", "cc-by-4.0", True)
    assert document.published_at == resource.first_published_at


def test_pages_of_documents_are_the_live_resources_in_id_order(db):
    resources = [
        publish(
            title=f"Ресурс {number}",
            subjects=["math", "physics"],
            grades=[5, 6],
            alignments=[{"target": "biology.8.3.2", "type": "teaches"}, {"target": "math.5.3", "type": "teaches"}],
        )
        for number in range(6)
    ]
    by_id = sorted(resources, key=lambda resource: str(resource.pk))
    # Not live, but its related rows lie inside the id range of the second page: read, then left out.
    Resource.objects.filter(pk=by_id[2].pk).update(live=False)
    live = [resource for resource in by_id if resource.pk != by_id[2].pk]
    builder = DocumentBuilder()

    pages, after = [], None
    while True:
        documents, after = builder.build_page(after, 2)
        if not documents:
            break
        pages.append(documents)

    assert [[document.id for document in page] for page in pages] == [
        [str(live[0].pk), str(live[1].pk)],
        [str(live[2].pk), str(live[3].pk)],
        [str(live[4].pk)],
    ]
    built_by_id = sorted(builder.build([resource.pk for resource in by_id]), key=lambda document: document.id)
    assert [document for page in pages for document in page] == built_by_id
    # The order of related rows is the database's (PostgreSQL may list physics first): compared as sets.
    assert {(frozenset(d.subjects), d.grades, frozenset(d.topics)) for d in built_by_id} == {
        (frozenset({"math", "physics"}), (5, 6), frozenset({"biology.8.3.2", "biology.8.3", "math.5.3"}))
    }


def test_publish_unpublish_delete_on_the_database_backend(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        resource = publish()
    body, hits = found(client, "квазикристаллы")
    assert hits == [str(resource.pk)]
    assert (body["backend"], body["fallback"]) == ("database", False)
    assert body["facets"]["type"] == [{"value": "lesson", "label": "Урок", "count": 1}]

    with django_capture_on_commit_callbacks(execute=True):
        withdraw(resource, reason="устарел")
    assert found(client, "квазикристаллы")[1] == []

    with django_capture_on_commit_callbacks(execute=True):
        resource.save_revision().publish()
    assert found(client, "квазикристаллы")[1] == [str(resource.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        Resource.objects.get(pk=resource.pk).delete()
    assert found(client, "квазикристаллы")[1] == []
    assert SearchEntry.objects.count() == 0
    assert SearchDirty.objects.count() == 0


def test_nothing_is_indexed_before_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish()
    assert callbacks
    assert SearchEntry.objects.count() == 0


def test_sweep_catches_bulk_writes_that_skip_signals(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept = publish("Квазикристаллы: опыт")
        hidden = publish("Квазикристаллы: теория")
    with override_settings(SEARCH_AUTO_INDEX=False):
        changed = publish("Квазикристаллы: практикум")
    Resource.objects.filter(pk=hidden.pk).update(live=False)
    assert set(found(client, "квазикристаллы")[1]) == {str(kept.pk), str(hidden.pk)}

    report = sweep()
    assert (report.indexed, report.removed, report.failed) == (1, 1, {})
    assert set(found(client, "квазикристаллы")[1]) == {str(kept.pk), str(changed.pk)}
    assert SearchDirty.objects.count() == 0
    assert sweep().indexed == 0


def test_mark_dirty_then_sweep_command(client):
    with override_settings(SEARCH_AUTO_INDEX=False):
        resource = publish()
    assert mark_dirty([resource.pk]) == 1
    call_command("search_sweep", stdout=open("/dev/null", "w"))
    assert found(client, "квазикристаллы")[1] == [str(resource.pk)]


def test_sweep_command_repeats_and_survives_an_unreachable_backend(client, capsys):
    with override_settings(SEARCH_AUTO_INDEX=False):
        resource = publish()
    mark_dirty([resource.pk])
    dead_engine = {"BACKEND": "opensearch", "URL": "http://127.0.0.1:1", "INDEX_PREFIX": "sweep", "TIMEOUT": 2}
    with override_settings(SEARCH_BACKENDS={"default": dead_engine, "database": {"BACKEND": "database"}}):
        call_command("search_sweep", "--every", "0.01", "--times", "2")
        # The database backend caught up on the first pass; the engine failed on both, and the loop went on.
        body, hits = found(client, "квазикристаллы")
        assert (hits, body["fallback"]) == ([str(resource.pk)], True)
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()] == ["проиндексировано", "проиндексировано"]
    assert err.count("недоступны: default: opensearch at http://127.0.0.1:1 is unreachable") == 2
    assert SearchDirty.objects.filter(backend="default").get().attempts >= 2
    assert not SearchDirty.objects.filter(backend="database").exists()
    with pytest.raises(CommandError, match="интервал"):
        call_command("search_sweep", "--every", "0")


def test_rebuild_and_status_commands(client, capsys):
    with override_settings(SEARCH_AUTO_INDEX=False):
        resource = publish()
    call_command("search_status")
    assert "database (database): индекс search_searchentry, документов 0; пропущено 1" in capsys.readouterr().out
    call_command("rebuild_search_index", "--backend", "database", verbosity=0)
    assert "database: 1 документов в search_searchentry" in capsys.readouterr().out
    call_command("search_status")
    assert "документов 1; пропущено 0, лишних 0, устаревших 0, в очереди 0" in capsys.readouterr().out
    assert found(client, "квазикристаллы")[1] == [str(resource.pk)]


# On the engine


@pytest.fixture
def engine_settings(opensearch_node):
    prefix = f"test-{uuid.uuid4().hex[:8]}"

    def settings_for(url):
        return override_settings(
            SEARCH_BACKENDS={
                "default": {"BACKEND": "opensearch", "URL": url, "INDEX_PREFIX": prefix, "TIMEOUT": 10},
                "database": {"BACKEND": "database"},
            }
        )

    yield settings_for
    from search.backends.opensearch import OpenSearchBackend

    OpenSearchBackend({"URL": opensearch_node.url, "INDEX_PREFIX": prefix}).drop()


def wait_for(client, text, expected, timeout=SEARCHABLE_WITHIN_S):
    started = time.monotonic()
    while True:
        body, hits = found(client, text)
        if hits == expected or time.monotonic() - started > timeout:
            return body, hits, time.monotonic() - started
        time.sleep(0.05)


@pytest.mark.opensearch
def test_published_resource_is_searchable_on_the_engine_within_2_s(
    client, opensearch_node, engine_settings, django_capture_on_commit_callbacks
):
    with engine_settings(opensearch_node.url):
        # The index exists in service (rebuild_search_index); creating it is not part of the 2 s.
        get_search_backend().ensure_index()
        opensearch_node.request("GET", "/_cluster/health?wait_for_status=yellow&timeout=30s")
        with django_capture_on_commit_callbacks(execute=True):
            resource = publish()
        body, hits, elapsed = wait_for(client, "квазикристаллы", [str(resource.pk)])
        assert (hits, body["backend"], body["fallback"]) == ([str(resource.pk)], "opensearch", False)
        assert elapsed < SEARCHABLE_WITHIN_S
        with django_capture_on_commit_callbacks(execute=True):
            resource.unpublish()
        body, hits, elapsed = wait_for(client, "квазикристаллы", [])
        assert hits == []


@pytest.mark.opensearch
def test_engine_down_falls_back_and_catches_up(
    client, opensearch_node, engine_settings, django_capture_on_commit_callbacks
):
    with engine_settings("http://127.0.0.1:1"):
        with django_capture_on_commit_callbacks(execute=True):
            resource = publish()
        body, hits = found(client, "квазикристаллы")
        assert (hits, body["backend"], body["fallback"]) == ([str(resource.pk)], "database", True)
        assert client.get("/api/v1/search/suggest/", {"q": "квазикр"}).json() == {
            "suggestions": ["Квазикристаллы и их симметрия"]
        }
        assert list(SearchDirty.objects.values_list("resource_id", "backend")) == [(str(resource.pk), "default")]
        assert sweep().failed.keys() == {"default"}
        assert SearchDirty.objects.get().attempts == 1

    with engine_settings(opensearch_node.url):
        report = sweep()
        assert (report.indexed, report.failed) == (1, {})
        assert SearchDirty.objects.count() == 0
        body, hits, _ = wait_for(client, "квазикристаллы", [str(resource.pk)])
        assert (hits, body["backend"], body["fallback"]) == ([str(resource.pk)], "opensearch", False)
