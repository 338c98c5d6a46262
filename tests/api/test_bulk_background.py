"""A large bulk request answers 202 at once and is loaded in the background; its results appear at a status URL.

Transactional: the background thread reads the committed submission over its own connection.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django_tasks import task_backends

from content_repo.api.models import BulkSubmission
from content_repo.api.publishing import process_bulk
from content_repo.resources.models import Resource, SourceLayer

from .helpers import feed_item, ndjson, post_feed


@pytest.fixture
def background(transactional_db, settings):
    settings.API_BULK_INLINE_MAX_LINES = 20
    runner = task_backends["background"].runner
    yield runner
    assert runner.wait_until_idle(60)


def wait_finished(client, url: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(url).json()
        if body["state"] in ("finished", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"the bulk submission did not finish in {seconds} s: {body}")


def all_results(client, url: str) -> list[dict]:
    results, page = [], url
    while page:
        body = client.get(page).json()
        results += body["results"]
        page = body["next"]
    return results


def test_a_large_bulk_answers_202_and_its_lines_appear_at_the_status_url(callers, background) -> None:
    lines = [feed_item(f"big-{n}", f"Урок {n}. Дроби") for n in range(60)]
    lines[10] = '{"@type": "LearningResource", "identifier": "broken"'
    lines[40] = feed_item("big-0", "Повтор идентификатора")

    started = time.monotonic()
    response = post_feed(callers.publish_a, *lines)
    answered_in = time.monotonic() - started

    assert response.status_code == 202, response.content
    assert answered_in < 5
    submission = response.json()
    assert response["Location"] == f"/api/v1/resources/bulk/{submission['id']}/"
    assert (submission["lines"], submission["state"]) == (60, "queued")
    done = wait_finished(callers.publish_a, response["Location"])
    assert (done["state"], done["answered"]) == ("finished", 60)
    assert done["summary"] == {"created": 58, "updated": 0, "unchanged": 0, "rejected": 2}
    results = all_results(callers.publish_a, urlsplit(done["results_url"]).path)
    assert [r["line"] for r in results] == list(range(1, 61))
    assert [r["line"] for r in results if r["status"] == "rejected"] == [11, 41]
    assert results[40]["errors"] == {"identifier": ["повторяет строку 1 этого запроса"]}
    assert Resource.objects.filter(provider=callers.users.org_a, status="in_review").count() == 58
    assert BulkSubmission.objects.get().body is None  # the body is not kept once loaded


def test_another_organisation_never_sees_a_bulk_submission(callers, background) -> None:
    response = post_feed(callers.publish_a, *[feed_item(f"x-{n}", "Урок") for n in range(25)])
    url = response["Location"]
    wait_finished(callers.publish_a, url)

    assert callers.publish_b.get(url).status_code == 404
    assert callers.publish_b.get(url + "results/").status_code == 404
    assert callers.anonymous.get(url).status_code in (401, 403)


def test_a_small_bulk_is_answered_in_the_request(callers, background) -> None:
    response = post_feed(callers.publish_a, *[feed_item(f"s-{n}", "Урок") for n in range(20)])

    assert response.status_code == 200
    assert response.json()["summary"]["created"] == 20
    assert BulkSubmission.objects.count() == 0


def test_an_interrupted_submission_resumes_after_the_last_answered_line(callers, transactional_db) -> None:
    body = ndjson(*[feed_item(f"r-{n}", f"Урок {n}") for n in range(30)])
    submission = BulkSubmission.objects.create(
        organization=callers.users.org_a, user=None, body=body, lines=30, state=BulkSubmission.State.RUNNING
    )
    # The first run loaded and answered 12 lines before the process died.
    first = process_bulk(str(submission.pk))
    assert first.state == BulkSubmission.State.FINISHED
    SourceLayer.objects.filter(external_id__in=[f"r-{n}" for n in range(12, 30)]).delete()
    Resource.objects.filter(source_layer__isnull=True, provider=callers.users.org_a).delete()
    submission.results.filter(line__gt=12).delete()
    BulkSubmission.objects.filter(pk=submission.pk).update(
        body=body, state=BulkSubmission.State.RUNNING, answered=12, created=12
    )

    resumed = process_bulk(str(submission.pk))

    assert (resumed.state, resumed.answered, resumed.created) == ("finished", 30, 30)
    assert submission.results.count() == 30
    assert Resource.objects.filter(provider=callers.users.org_a).count() == 30  # nothing loaded twice
