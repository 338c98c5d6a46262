"""Settings read from the environment (the ones whose defaults depend on each other)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def base_url(**environ: str) -> str:
    env = {key: value for key, value in os.environ.items() if key not in {"PORT", "CATALOG_BASE_URL"}}
    code = "import django; django.setup(); from django.conf import settings; print(settings.CATALOG_BASE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "content_repo.settings", **environ},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "8123", "CATALOG_BASE_URL": "https://catalog.example.ru/"}, "https://catalog.example.ru"),
    ],
)
def test_catalog_base_url_follows_the_port_make_run_serves(environ, expected):
    assert base_url(**environ) == expected


def run_with_settings(code: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """`code` after django.setup() in a fresh interpreter with `environ` on top of the test's environment."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "TRUSTED_PROXIES"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "content_repo.settings", **environ},
        capture_output=True,
        text=True,
    )


WRITE_LOCK_AT_BEGIN = """
import sqlite3
from django.db import connection, transaction
connection.ensure_connection()
with connection.cursor() as cursor:
    print(cursor.execute("PRAGMA journal_mode").fetchone()[0], cursor.execute("PRAGMA busy_timeout").fetchone()[0])
cursor = connection.cursor()
cursor.execute("CREATE TABLE probe (id integer)")
other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
with transaction.atomic():
    cursor.execute("SELECT count(*) FROM probe")  # a read: a deferred transaction would take no write lock
    try:
        other.execute("BEGIN IMMEDIATE")
        print("second writer got the lock")
    except sqlite3.OperationalError as e:
        print("second writer:", e)
"""


def test_sqlite_transactions_take_the_write_lock_at_begin_and_wait_the_busy_timeout(tmp_path):
    result = run_with_settings(
        WRITE_LOCK_AT_BEGIN, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DATABASE_LOCK_TIMEOUT="7"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["wal 7000", "second writer: database is locked"]


def test_a_read_only_sqlite_database_reads_and_refuses_writes(tmp_path):
    path = tmp_path / "db.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE probe (id integer)").connection.commit()
    code = (
        "from django.db import connection, OperationalError\n"
        "cursor = connection.cursor()\n"
        "print(cursor.execute('SELECT count(*) FROM probe').fetchone()[0])\n"
        "try:\n"
        "    cursor.execute('INSERT INTO probe VALUES (1)')\n"
        "except OperationalError as e:\n"
        "    print(e)\n"
    )
    result = run_with_settings(code, DATABASE_URL=f"sqlite:///{path}", DATABASE_READ_ONLY="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["0", "attempt to write a readonly database"]
    assert sqlite3.connect(path).execute("SELECT count(*) FROM probe").fetchone() == (0,)


@pytest.mark.parametrize(
    ("environ", "options"),
    [
        ({}, "-c lock_timeout=20s"),
        (
            {"DATABASE_LOCK_TIMEOUT": "3", "DATABASE_READ_ONLY": "true"},
            "-c lock_timeout=3s -c default_transaction_read_only=on",
        ),
    ],
)
def test_postgresql_gets_the_lock_timeout_and_the_read_only_switch(environ, options):
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])"
    result = run_with_settings(code, DATABASE_URL="postgres://catalog@127.0.0.1:5432/catalog", **environ)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == options


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", "[]"), ("10.0.0.1, 192.168.0.0/16,2001:db8::/32", "['10.0.0.1', '192.168.0.0/16', '2001:db8::/32']")],
)
def test_trusted_proxies(value, expected):
    result = run_with_settings(
        "from django.conf import settings; print(settings.TRUSTED_PROXIES)", TRUSTED_PROXIES=value
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start():
    result = run_with_settings("", TRUSTED_PROXIES="10.0.0.1,proxy.local")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.local' is not an IP address or network" in result.stderr
