"""The methodists' decisions: accept, reject, replace, accept above a score — who, when, history, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import ModelLogEntry

from content_repo.alignment.decisions import DecisionError, accept, accept_above, confirm_topics, reject, replace
from content_repo.alignment.models import RejectedSuggestion
from content_repo.api.models import Change
from content_repo.curriculum.models import Topic
from content_repo.resources.models import Alignment, Resource
from content_repo.resources.services import submit_for_review

from .catalog import FRACTIONS, QUADRATIC, VIETA, codes, item, load, suggestions

pytestmark = pytest.mark.django_db


def suggestion(resource: Resource, code: str) -> Alignment:
    return Alignment.objects.get(resource=resource, topic__code=code, status="suggested")


def test_accept_confirms_with_who_and_when_publishes_and_logs(users):
    [vieta] = load(item("1", VIETA))
    revisions = vieta.revisions.count()

    confirmed = accept(suggestion(vieta, "algebra.8.5").pk, users.methodist)

    assert (confirmed.status, confirmed.confirmed_by, confirmed.topic.code) == (
        "confirmed",
        users.methodist,
        "algebra.8.5",
    )
    assert confirmed.confirmed_at is not None
    assert confirmed.score == 0.775  # kept: what the engine thought when the methodist decided
    resource = Resource.objects.get(pk=vieta.pk)
    assert resource.overlaid_fields == ["alignments"]
    assert (resource.live, resource.has_unpublished_changes) == (True, False)
    assert resource.revisions.count() == revisions + 1
    assert codes(resource, "suggested") == ["algebra.8.3", "algebra.8.content.3"]
    entry = ModelLogEntry.objects.get(object_id=str(vieta.pk), action="alignment.confirm")
    assert (entry.user, entry.data["nodes"][0]["code"]) == (users.methodist, "algebra.8.5")
    assert entry.message.startswith("Привязка к программе подтверждена: «Уравнения и неравенства. Квадратные")
    document = Change.objects.filter(resource_id=vieta.pk).order_by("-seq").first().document
    first = document["alignments"][0]
    assert first["uri"].endswith("/api/v1/curriculum/topics/algebra.8.5")
    assert {key: value for key, value in first.items() if key != "uri"} == {
        "target_type": "topic",
        "code": "algebra.8.5",
        "title": "Уравнения и неравенства. Квадратные уравнения",
        "grade": 8,
        "alignment_type": "teaches",
        "status": "confirmed",
        "score": None,
    }


def test_reject_removes_remembers_and_logs_without_a_revision(users):
    [vieta] = load(item("1", VIETA))
    revisions = vieta.revisions.count()
    feed = Change.objects.filter(resource_id=vieta.pk).count()

    reject(suggestion(vieta, "algebra.8.3").pk, users.methodist)

    assert codes(vieta) == ["algebra.8.5", "algebra.8.content.3"]
    rejected = RejectedSuggestion.objects.get(resource=vieta)
    assert (rejected.code, rejected.rejected_by) == ("algebra.8.3", users.methodist)
    resource = Resource.objects.get(pk=vieta.pk)
    assert (resource.overlaid_fields, resource.revisions.count()) == ([], revisions)
    assert ModelLogEntry.objects.filter(object_id=str(vieta.pk), action="alignment.reject").count() == 1
    assert Change.objects.filter(resource_id=vieta.pk).count() == feed + 1
    with pytest.raises(DecisionError):
        reject(Alignment.objects.get(resource=vieta, topic__code="algebra.8.5").pk + 10_000, users.methodist)


def test_rejecting_a_sources_suggestion_is_the_methodists_edit(users):
    [vieta] = load(item("1", VIETA, alignments=[{"target": "algebra.8.1", "type": "teaches"}]))
    reject(suggestion(vieta, "algebra.8.1").pk, users.methodist)
    resource = Resource.objects.get(pk=vieta.pk)
    assert resource.overlaid_fields == ["alignments"]
    assert "algebra.8.1" not in codes(resource)
    [again] = load(item("1", VIETA, description="другое", alignments=[{"target": "algebra.8.1", "type": "teaches"}]))
    assert "algebra.8.1" not in codes(again)


def test_replace_rejects_the_suggestion_and_confirms_the_chosen_topic(users):
    [vieta] = load(item("1", VIETA))
    chosen = Topic.objects.get(code="algebra-adv.8.3")

    confirmed = replace(suggestion(vieta, "algebra.8.3").pk, chosen, users.methodist)

    assert (confirmed.topic, confirmed.status, confirmed.alignment_type) == (chosen, "confirmed", "teaches")
    assert codes(vieta, "confirmed") == ["algebra-adv.8.3"]
    assert codes(vieta, "suggested") == ["algebra.8.5", "algebra.8.content.3"]
    assert RejectedSuggestion.objects.get(resource=vieta).code == "algebra.8.3"
    assert ModelLogEntry.objects.filter(object_id=str(vieta.pk), action="alignment.replace").count() == 1


def test_accept_above_confirms_only_engine_suggestions_scoring_enough(users):
    resources = load(
        item("1", VIETA),
        item("2", QUADRATIC),
        item("3", FRACTIONS, subjects=("math",), grades=(5,)),
        item("4", "Урок 2. Квадратные корни", alignments=[{"target": "algebra.8.1", "type": "teaches"}]),
    )
    waiting = Alignment.objects.filter(status="suggested")
    expected = sorted(waiting.filter(score__gte=0.77).values_list("resource_id", "topic__code"))

    confirmed, changed = accept_above(list(waiting), 0.77, users.methodist)

    assert (confirmed, changed) == (len(expected), len({pk for pk, _ in expected}))
    assert sorted(Alignment.objects.filter(status="confirmed").values_list("resource_id", "topic__code")) == expected
    source_row = Alignment.objects.get(resource=resources[3], topic__code="algebra.8.1")
    assert source_row.status == "suggested"
    with pytest.raises(DecisionError):
        accept_above(list(waiting), 1.5, users.methodist)


def test_vendors_and_readers_never_confirm(users):
    [vieta] = load(item("1", VIETA, source="vendor-a"))
    row = suggestion(vieta, "algebra.8.5")
    for user in (users.vendor_a, users.reader):
        with pytest.raises(PermissionDenied):
            accept(row.pk, user)
        with pytest.raises(PermissionDenied):
            reject(row.pk, user)
        with pytest.raises(PermissionDenied):
            accept_above([row], 0.1, user)
    assert Alignment.objects.filter(status="confirmed").count() == 0
    assert RejectedSuggestion.objects.count() == 0


def test_a_decision_on_a_live_resource_with_a_pending_draft_keeps_the_review(users):
    [vieta] = load(item("1", VIETA, source="vendor-a"))
    draft = vieta.get_latest_revision_as_object()
    draft.description = "Правка поставщика на проверке"
    draft.save_revision(user=users.vendor_a)
    state = submit_for_review(Resource.objects.get(pk=vieta.pk), users.vendor_a)

    accept(suggestion(vieta, "algebra.8.5").pk, users.methodist)

    row = Resource.objects.get(pk=vieta.pk)
    state.refresh_from_db()
    assert state.status == "in_progress"
    assert (row.live, row.has_unpublished_changes, row.description) == (True, True, "")
    assert codes(row, "confirmed") == ["algebra.8.5"]
    latest = row.get_latest_revision_as_object()
    assert latest.description == "Правка поставщика на проверке"
    assert [a.topic.code for a in latest.alignments.all() if a.status == "confirmed"] == ["algebra.8.5"]


def test_bulk_topics_confirm_for_methodists(users):
    [vieta] = load(item("1", VIETA))
    topic = Topic.objects.get(code="algebra.8.1")
    confirm_topics(vieta.pk, [topic], users.methodist, replace=True)
    row = Alignment.objects.get(resource=vieta, topic=topic)
    assert (row.status, row.confirmed_by) == ("confirmed", users.methodist)
    # Replacing keeps the engine's suggestions: they still wait for a decision.
    assert codes(vieta) == ["algebra.8.1", "algebra.8.3", "algebra.8.5", "algebra.8.content.3"]
    assert suggestions(vieta) == [("algebra.8.3", 0.775), ("algebra.8.5", 0.775), ("algebra.8.content.3", 0.775)]
