"""A harvest killed with SIGKILL resumes on the next run: no duplicates, no refetch of stored payloads.

The job runs in a real ``manage.py harvest`` subprocess against the test database, so this test is
transactional (it commits); the flush after it removes the session's reference data, which is loaded again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from content_repo.resources.models import Resource, SourceLayer
from importers.models import HarvestJob, HarvestRecord, HarvestSource
from importers.testing.recorded_site import RecordedSite
from tests.importers.conftest import snapshot_dir

ROOT = Path(__file__).resolve().parents[2]
CODE = "resh-resume-test"
STORED = [HarvestRecord.State.FETCHED, HarvestRecord.State.TRANSFORMED, HarvestRecord.State.LOADED]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def committed_source(transactional_db) -> HarvestSource:
    return HarvestSource.objects.create(code=CODE, name="РЭШ (проверка возобновления)", kind="resh")


def _harvest(base_url: str, rate: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "VAR_DIR": str(settings.VAR_DIR),
        "IMPORTERS_BATCH_SIZE": "5",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "harvest", CODE, "--base-url", base_url, "--rate", rate, "--no-progress"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stored_ids() -> set[str]:
    return set(HarvestRecord.objects.filter(source__code=CODE, state__in=STORED).values_list("external_id", flat=True))


def _lesson_ids(site: RecordedSite) -> list[str]:
    return [path.split("/")[3] for path in site.requested_paths("GET") if path.startswith("/subject/lesson/")]


def test_killed_job_resumes_without_duplicates_or_refetch(committed_source: HarvestSource) -> None:
    with RecordedSite(snapshot_dir("resh", 1)) as site:
        process = _harvest(site.base_url, "15")
        deadline = time.monotonic() + 120
        while len(_stored_ids()) < 20 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        stored = _stored_ids()
        assert 20 <= len(stored) < 107
        killed = HarvestJob.objects.get(source=committed_source)
        assert killed.state == HarvestJob.State.RUNNING
        site.clear_log()

        resumed = _harvest(site.base_url, "200")
        out, err = resumed.communicate(timeout=300)
        assert resumed.returncode == 0, err

        job = HarvestJob.objects.get(source=committed_source)
        assert job.pk == killed.pk and job.notes["resumed"] == 1
        assert (job.state, job.gathered, job.created, job.failed, job.withdrawn) == ("finished", 107, 107, 0, 0)
        assert out.strip() == job.summary()
        refetched = _lesson_ids(site)
        assert set(refetched).isdisjoint(stored)
        assert len(refetched) == len(set(refetched)) == 107 - len(stored)
    assert SourceLayer.objects.filter(source=CODE).count() == 107
    assert Resource.objects.filter(source_layer__source=CODE).count() == 107
    assert HarvestRecord.objects.filter(source=committed_source, state=HarvestRecord.State.LOADED).count() == 107
