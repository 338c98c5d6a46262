"""manage.py serve (what it refuses, what it would run), repeat, and what backup and restore refuse."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import Instance, production_env

pytestmark = pytest.mark.django_db


def test_serve_is_the_production_stack_only():
    with pytest.raises(CommandError, match="задайте DEPLOYMENT=production"):
        call_command("serve", "--print-config")


def test_serve_refuses_a_database_with_unapplied_migrations(tmp_path):
    empty = Instance(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path, production_env())
    result = empty.manage("serve", timeout=120)
    assert result.returncode == 1
    assert "база не обновлена: не применено миграций" in result.stderr
    assert "manage.py migrate" in result.stderr
    assert not (tmp_path / "run" / "supervisord.conf").exists()
    assert not (tmp_path / "static").exists()


def test_serve_configuration_lists_each_restartable_process(tmp_path):
    instance = Instance(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, production_env())
    result = instance.manage("serve", "--print-config", "--without", "harvests", timeout=120)
    assert result.returncode == 0, result.stderr
    programs = [line[len("[program:") : -1] for line in result.stdout.splitlines() if line.startswith("[program:")]
    assert programs == ["web", "worker", "sweep", "webhooks", "bulk"]
    assert result.stdout.count("autorestart=true") == 5
    assert "command=" in result.stdout and "gunicorn -c python:ops.gunicorn_conf content_repo.wsgi:application" in (
        result.stdout
    )
    assert f"stdout_logfile={tmp_path / 'log' / 'worker.log'}" in result.stdout
    assert f"serverurl=unix://{tmp_path / 'run' / 'supervisor.sock'}" in result.stdout


def test_repeat_runs_a_command_on_schedule_and_goes_on_after_a_failure(tmp_path):
    instance = Instance(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, {"LOG_FORMAT": "json"})
    checked = instance.manage("repeat", "--every", "0.01", "--times", "3", "check", timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.count("System check identified no issues") == 3
    failed = instance.manage("repeat", "--every", "0.01", "--times", "2", "restore", str(tmp_path / "nowhere"))
    assert failed.returncode == 0, failed.stderr
    lines = [json.loads(line) for line in failed.stderr.splitlines() if line.startswith("{")]
    assert [(line["logger"], line["level"]) for line in lines] == [("ops.repeat", "ERROR")] * 2
    assert "manage.py restore failed, next pass as scheduled: в " in lines[0]["message"]
    assert "нет manifest.json" in lines[0]["message"]


@pytest.mark.django_db(transaction=True)  # a backup reads committed rows (pg_dump is another process)
def test_restore_refuses_to_overwrite_a_catalog_with_resources(tmp_path, settings, monkeypatch):
    from content_repo.resources.models import Resource
    from tests.exchange.catalog import publish

    monkeypatch.setenv("CACHE_LOCATION", "redis://:pa55word@10.0.0.5:6379/0")
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "m"}}
    }
    publish(range(2))
    call_command("backup", str(tmp_path / "copy"), stdout=io.StringIO())
    manifest = json.loads((tmp_path / "copy" / "manifest.json").read_text())
    assert (manifest["resources"], manifest["files"]) == (2, {"count": 0, "bytes": 0})
    config = (tmp_path / "copy" / "config.env").read_text()
    assert 'CACHE_LOCATION="redis://<скрыто>@10.0.0.5:6379/0"' in config and "pa55word" not in config
    publish(range(2, 3))
    with pytest.raises(CommandError, match="в этой базе уже есть ресурсы"):
        call_command("restore", str(tmp_path / "copy"))
    assert Resource.objects.count() == 3

    # A file listed in the backup but missing from it stops the restore before the database is touched.
    (tmp_path / "copy" / "files.sha256").write_text(f"{'0' * 64}  files/missing.pdf\n")
    with pytest.raises(CommandError, match="в копии нет файла files/missing.pdf"):
        call_command("restore", str(tmp_path / "copy"), "--force")
    assert Resource.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_with_a_corrupt_file_and_leaves_the_catalog_as_it_was(tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from content_repo.resources.models import Resource
    from tests.exchange.catalog import publish

    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "m"}}
    }
    publish(range(2))
    default_storage.save("docs/a.pdf", ContentFile(b"%PDF-1.4 first"))
    default_storage.save("docs/b.pdf", ContentFile(b"%PDF-1.4 second"))
    call_command("backup", str(tmp_path / "copy"), stdout=io.StringIO())
    (tmp_path / "copy" / "files" / "docs" / "b.pdf").write_bytes(b"%PDF-1.4 secxnd")  # one flipped byte
    Resource.objects.filter(pk=Resource.objects.order_by("pk")[0].pk).delete()
    default_storage.delete("docs/a.pdf")

    with pytest.raises(CommandError, match=r"файл копии docs/b.pdf повреждён: его sha256 не совпадает"):
        call_command("restore", str(tmp_path / "copy"), "--force", "--skip-index", stdout=io.StringIO())
    assert Resource.objects.count() == 1  # the database was not touched: the deleted resource is not back
    assert not default_storage.exists("docs/a.pdf")  # nor any file written


@pytest.mark.django_db(transaction=True)
def test_restore_replaces_a_migrated_database_that_has_tables_the_backup_lacks(tmp_path, settings):
    from django.db import connection

    from content_repo.resources.models import Resource
    from ops.backup import restore
    from tests.exchange.catalog import publish

    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "m"}}
    }
    publish(range(3))
    call_command("backup", str(tmp_path / "copy"), stdout=io.StringIO())
    Resource.objects.all().delete()
    with connection.cursor() as cursor:  # what a migration newer than the backup would have added
        cursor.execute("CREATE TABLE ops_newer (id integer PRIMARY KEY)")
        cursor.execute("INSERT INTO ops_newer VALUES (1)")

    summary = restore(tmp_path / "copy")
    assert summary.resources == 3
    assert Resource.objects.count() == 3
    assert "ops_newer" not in connection.introspection.table_names()


def test_backup_refuses_a_folder_in_use_and_restore_a_folder_that_is_not_a_backup(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("чужое")
    with pytest.raises(CommandError, match="уже существует и не пуста"):
        call_command("backup", str(tmp_path / "used"))
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
    shutil.copytree(tmp_path / "used", tmp_path / "not-a-backup")
    with pytest.raises(CommandError, match="нет manifest.json: это не копия каталога"):
        call_command("restore", str(tmp_path / "not-a-backup"))
