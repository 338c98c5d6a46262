"""Engine rules: politeness on hostile pages, incomplete gathers withdraw nothing, --limit, --since, dry runs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from content_repo.resources.models import Resource, SourceLayer
from importers.engine import HarvestOptions, dry_run, run_harvest
from importers.errors import ConfigurationError
from importers.models import HarvestError, HarvestJob, HarvestRecord, HarvestSource, Stage
from importers.testing.recorded_site import RecordedSite
from tests.importers.conftest import snapshot_dir
from tests.importers.engine_helpers import counts, harvest_site

ServeSite = Callable[[str, int], RecordedSite]
pytestmark = pytest.mark.django_db


def test_hostile_resh_pages(serve_site: ServeSite, harvest_sources) -> None:
    """resh-edge: robots-disallowed lesson never requested, 503 retried, windows-1251 decoded, 404 gone."""
    site = serve_site("resh-edge", 1)

    job = harvest_site("resh", site)

    assert counts(job) == {"gathered": 8, "created": 6, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 1}
    assert "/subject/lesson/9007/" not in site.requested_paths()
    assert HarvestError.objects.get(job=job, stage=Stage.FETCH).external_id == "9007"
    ajax = [r.status for r in site.requests if r.path.endswith("/ajax") and r.query.get("page") == ["1"]]
    assert ajax == [503, 200]
    cp1251 = Resource.objects.get(source_layer__source="resh", source_layer__external_id="9001")
    assert [subject.code for subject in cp1251.subjects.all()] == ["informatics"]
    assert HarvestRecord.objects.get(source__code="resh", external_id="9004").state == HarvestRecord.State.GONE
    redirected = HarvestRecord.objects.get(source__code="resh", external_id="9006")
    assert redirected.catalog_id == "9016"
    assert SourceLayer.objects.filter(source="resh", external_id="9016").exists()


def _without_route(site: str, snapshot: int, tmp_path: Path, path: str, query: dict[str, str]) -> Path:
    copy = tmp_path / site
    shutil.copytree(snapshot_dir(site, snapshot), copy)
    routes = json.loads((copy / "routes.json").read_text(encoding="utf-8"))
    kept = [route for route in routes if not (route["path"] == path and route.get("query") == query)]
    assert len(kept) == len(routes) - 1
    (copy / "routes.json").write_text(json.dumps(kept), encoding="utf-8")
    return copy


def test_incomplete_gather_withdraws_nothing(serve_site: ServeSite, harvest_sources, tmp_path: Path) -> None:
    site = serve_site("mesh", 1)
    harvest_site("mesh", site)
    site.load_snapshot(_without_route("mesh", 2, tmp_path, "/cms/api/materials", {"page": "2", "per_page": "20"}))

    job = harvest_site("mesh", site)

    assert (job.gather_status, job.gather_complete, job.withdrawn) == ("incomplete", False, 0)
    assert SourceLayer.objects.filter(source="mesh", withdrawn_at__isnull=False).count() == 0
    assert Resource.objects.filter(source_layer__source="mesh", status=Resource.Status.WITHDRAWN).count() == 0
    assert HarvestRecord.objects.filter(source__code="mesh", state=HarvestRecord.State.GONE).count() == 0
    failure = HarvestError.objects.get(job=job, stage=Stage.GATHER)
    assert "page=2" in failure.url


def test_limit_is_an_incomplete_gather(serve_site: ServeSite, harvest_sources) -> None:
    site = serve_site("mesh", 1)
    harvest_site("mesh", site)

    job = harvest_site("mesh", site, limit=5)

    assert counts(job) == {"gathered": 5, "created": 0, "updated": 0, "unchanged": 5, "withdrawn": 0, "failed": 0}
    assert job.gather_complete is False


def test_since_skips_older_materials_and_is_ignored_with_a_note_elsewhere(
    serve_site: ServeSite, harvest_sources
) -> None:
    site = serve_site("mesh", 1)
    harvest_site("mesh", site)
    site.load_snapshot(snapshot_dir("mesh", 2))

    job = harvest_site("mesh", site, since=datetime.fromisoformat("2099-01-01T00:00:00+03:00"))

    # Everything is older than 2099: the known materials are skipped, the new one is still created and
    # the listing was complete, so the withdrawn one is withdrawn.
    assert counts(job) == {"gathered": 35, "created": 1, "updated": 0, "unchanged": 34, "withdrawn": 1, "failed": 0}
    edge = serve_site("resh-edge", 1)
    resh_job = harvest_site("resh", edge, since=datetime.fromisoformat("2099-01-01T00:00:00+03:00"))
    assert any("--since" in message for message in resh_job.notes["messages"])


def test_dry_run_writes_nothing(serve_site: ServeSite, harvest_sources) -> None:
    site = serve_site("mesh", 1)

    result = dry_run("mesh", HarvestOptions(base_url=site.base_url, rate=200))

    assert (result.gathered, result.created, result.failed, result.gather_status) == (35, 35, 0, "complete")
    assert not SourceLayer.objects.filter(source="mesh").exists()
    assert not HarvestSource.objects.get(code="mesh").jobs.exists()


def test_loopback_needs_an_explicit_base_url(harvest_sources) -> None:
    """A source's stored loopback URL is refused unless the source allows private addresses."""
    source = HarvestSource.objects.get(code="mesh")
    with RecordedSite(snapshot_dir("mesh", 1)) as site:
        source.base_url, source.allowed_hosts = site.base_url, ["127.0.0.1"]
        source.save()
        with pytest.raises(ConfigurationError, match="private, loopback"):
            run_harvest("mesh", HarvestOptions(rate=200))
        assert HarvestJob.objects.filter(source=source).count() == 0  # refused before any job exists
        source.allow_private = True
        source.save()
        assert run_harvest("mesh", HarvestOptions(rate=200)).created == 35
