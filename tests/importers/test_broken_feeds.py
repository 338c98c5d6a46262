"""A broken or suspicious feed never withdraws a source; a misbehaving server ends the job failed, in time.

The Учи.ру feed is served by a real loopback server (ScriptedSite) the way a broken export would answer:
cut off mid-line, cut off at a line boundary, empty, undecodable, or sent one byte a second.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from content_repo.resources.models import Resource, SourceLayer
from importers.engine import HarvestOptions, run_harvest
from importers.engine.runner import WithdrawalNotConfirmable, confirm_withdrawal
from importers.models import HarvestJob
from importers.testing.scripted_site import Reply, ScriptedSite

FEED = (Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "uchi" / "feed.jsonl").read_bytes()
LINES = FEED.splitlines(keepends=True)
ROBOTS = Reply(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
JSONL = {"Content-Type": "application/x-ndjson; charset=utf-8"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_site(harvest_sources):
    with ScriptedSite() as site:
        site.route("/robots.txt", ROBOTS)
        yield site


def serve(site: ScriptedSite, body: bytes, **reply: object) -> str:
    site.route("/partner/feed.jsonl", Reply(200, body, JSONL, **reply))  # type: ignore[arg-type]
    return site.url("/partner/feed.jsonl")


def harvest(url: str) -> HarvestJob:
    return run_harvest("uchi", HarvestOptions(base_url=url, rate=1000))


def withdrawn_count() -> int:
    return SourceLayer.objects.filter(source="uchi", withdrawn_at__isnull=False).count()


def live_count() -> int:
    return Resource.objects.filter(source_layer__source="uchi", live=True).count()


@pytest.fixture
def loaded(feed_site) -> ScriptedSite:
    job = harvest(serve(feed_site, FEED))
    assert (job.state, job.created, live_count()) == (HarvestJob.State.FINISHED, 40, 40)
    return feed_site


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(FEED[: len(FEED) // 2], id="cut-mid-line"),
        pytest.param(b"\xff\xfe\x00garbage\n" * 40, id="undecodable"),
        pytest.param(b"\n".join(line.rstrip(b"\n")[:-1] for line in LINES), id="every-line-broken"),
    ],
)
def test_a_feed_with_unreadable_lines_withdraws_nothing(loaded: ScriptedSite, body: bytes) -> None:
    job = harvest(serve(loaded, body))

    assert job.gather_status == "incomplete"
    assert job.state == HarvestJob.State.PARTIAL
    assert (job.withdrawn, withdrawn_count(), live_count()) == (0, 0, 40)


def test_an_empty_feed_is_a_failed_gather_and_withdraws_nothing(loaded: ScriptedSite) -> None:
    job = harvest(serve(loaded, b""))

    assert (job.state, job.gather_status) == (HarvestJob.State.FAILED, "incomplete")
    assert "фид пуст" in job.errors.get().message
    assert (withdrawn_count(), live_count()) == (0, 40)


def test_a_feed_cut_at_a_line_boundary_holds_the_withdrawal_for_a_methodist(loaded: ScriptedSite, users) -> None:
    job = harvest(serve(loaded, b"".join(LINES[:10])))

    # It looks complete, but it would take 30 of 40 resources down: that waits for a person.
    assert (job.gather_status, job.state) == ("complete", HarvestJob.State.FINISHED)
    assert (job.withdrawn, job.withdrawal_pending) == (0, 30)
    assert (withdrawn_count(), live_count()) == (0, 40)

    assert confirm_withdrawal(job, users.methodist) == 30
    job.refresh_from_db()
    assert (job.withdrawn, job.withdrawal_pending, job.withdrawal_confirmed_by) == (30, 0, users.methodist)
    assert (withdrawn_count(), live_count()) == (30, 10)
    with pytest.raises(WithdrawalNotConfirmable):
        confirm_withdrawal(job, users.methodist)


def test_a_held_withdrawal_cannot_be_confirmed_after_a_newer_harvest(loaded: ScriptedSite, users) -> None:
    held = harvest(serve(loaded, b"".join(LINES[:10])))
    harvest(serve(loaded, FEED))

    with pytest.raises(WithdrawalNotConfirmable, match="уже собирался"):
        confirm_withdrawal(held, users.methodist)
    assert (withdrawn_count(), live_count()) == (0, 40)


def test_a_small_withdrawal_goes_through_without_confirmation(loaded: ScriptedSite) -> None:
    job = harvest(serve(loaded, b"".join(LINES[:-2])))

    assert (job.state, job.withdrawn, job.withdrawal_pending) == (HarvestJob.State.FINISHED, 2, 0)
    assert (withdrawn_count(), live_count()) == (2, 38)


@override_settings(IMPORTERS={"REQUEST_DEADLINE": 1.5, "TIMEOUT": 5, "WITHDRAW_MAX_SHARE": 0.2})
def test_a_dribbling_feed_server_ends_at_the_deadline_failed_with_exit_status_1(feed_site: ScriptedSite) -> None:
    url = serve(feed_site, FEED, dribble=1.0)
    started = time.monotonic()

    with pytest.raises(CommandError) as raised:
        call_command("harvest", "uchi", "--base-url", url, "--rate", "1000", "--no-progress")

    assert time.monotonic() - started < 10  # the deadline plus retries that fit in it, not the feed's 30 min
    assert raised.value.returncode == 1
    job = HarvestJob.objects.get(source__code="uchi")
    assert (job.state, job.gathered, job.created) == (HarvestJob.State.FAILED, 0, 0)
    assert Resource.objects.filter(source_layer__source="uchi").count() == 0


@override_settings(IMPORTERS={"REQUEST_DEADLINE": 1.5, "TIMEOUT": 5})
def test_a_dribbling_robots_txt_ends_at_the_deadline_failed_with_exit_status_1(harvest_sources) -> None:
    with ScriptedSite() as site:
        site.route("/robots.txt", Reply(200, b"User-agent: *\nAllow: /\n" * 20, dribble=1.0))
        url = serve(site, FEED)
        started = time.monotonic()

        with pytest.raises(CommandError) as raised:
            call_command("harvest", "uchi", "--base-url", url, "--rate", "1000", "--no-progress")

        assert time.monotonic() - started < 10
        assert "/partner/feed.jsonl" not in site.requested_paths()  # robots unknown: the site stays closed
    assert raised.value.returncode == 1
    assert HarvestJob.objects.get(source__code="uchi").state == HarvestJob.State.FAILED


def test_a_partial_harvest_exits_with_status_2(feed_site: ScriptedSite) -> None:
    url = serve(feed_site, FEED + b'{"@type": "LearningResource"}\n')

    with pytest.raises(CommandError) as raised:
        call_command("harvest", "uchi", "--base-url", url, "--rate", "1000", "--no-progress")

    assert raised.value.returncode == 2
    job = HarvestJob.objects.get(source__code="uchi")
    assert (job.state, job.created, job.failed) == (HarvestJob.State.PARTIAL, 40, 1)


def test_a_methodist_confirms_the_held_withdrawal_in_the_admin(loaded: ScriptedSite, client, users) -> None:
    job = harvest(serve(loaded, b"".join(LINES[:10])))
    url = f"/admin/importers/jobs/{job.pk}/confirm-withdrawal/"

    client.force_login(users.vendor_a)
    refused = client.post(url)
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")  # Wagtail's «нет доступа»
    assert withdrawn_count() == 0

    client.force_login(users.methodist)
    page = client.get(f"/admin/harvest_jobs/inspect/{job.pk}/").content.decode()
    assert "Подтвердить снятие 30 ресурсов" in page
    assert "Снять 30 ресурсов" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 302
    assert (withdrawn_count(), live_count()) == (30, 10)
    job.refresh_from_db()
    assert (job.withdrawal_pending, job.withdrawal_confirmed_by) == (0, users.methodist)
