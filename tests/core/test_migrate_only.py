"""A deployment that only ever runs `manage.py migrate` is usable: harvests load and vendors can submit.

Runs the real commands in subprocesses on a fresh SQLite file (the test database of the suite already has
everything loaded, so it could not show what `migrate` alone leaves behind).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FEED = REPO / "tests" / "fixtures" / "sources" / "uchi" / "feed.jsonl"
SUBMIT = """
from content_repo.api.keys import create_api_key
from content_repo.api.publishing import submit
from content_repo.publishers.services import create_organization
org = create_organization("mathsoft", "Матсофт")
issued = create_api_key(org, "publish")
document = {"title": "Дроби на координатном луче", "url": "https://mathsoft.example/1", "subjects": ["math"],
            "grades": [5], "license": "cc-by-4.0"}
submission = submit(org, document, issued.api_key.user)
print(submission.outcome, submission.resource.status)
"""


def _manage(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "VAR_DIR": str(database.parent),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_migrated_only_database_takes_harvests_and_vendor_submissions(tmp_path: Path) -> None:
    database = tmp_path / "fresh.sqlite3"
    migrated = _manage(database, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr

    harvested = _manage(database, "harvest", "uchi", "--base-url", str(FEED), "--no-progress")
    assert harvested.returncode == 0, harvested.stderr
    assert "создано 40" in harvested.stdout and "ошибок 0" in harvested.stdout

    submitted = _manage(database, "shell", "-c", SUBMIT)
    assert submitted.returncode == 0, submitted.stderr
    assert submitted.stdout.splitlines()[-1].split() == ["created", "in_review"]

    again = _manage(database, "migrate", "--noinput", "-v", "0")  # idempotent: nothing duplicated, nothing lost
    assert again.returncode == 0, again.stderr
    names = _manage(
        database,
        "shell",
        "-c",
        "from django.contrib.auth.models import Group; print(sorted(Group.objects.values_list('name', flat=True)))",
    )
    groups = names.stdout.splitlines()[-1]
    for name in ("Администраторы", "Методисты", "Поставщики", "Только чтение"):
        assert groups.count(f"'{name}'") == 1, groups
