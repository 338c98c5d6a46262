"""The real server for tests: `manage.py runserver --noreload` on a free loopback port over its own database.

Tests that attack the running server (concurrent writers, a busy or read-only database, forged headers, a
kill -9 in the middle of a batch) need the server as `make run` starts it, not the test client:

- ``clone_test_database(workdir)`` copies the test database that pytest-django prepared (migrations and the
  reference data: curriculum, vocabularies, roles, built-in organisations) into a new one the server owns —
  a SQLite file under ``workdir``, or a PostgreSQL database created from it as a template. Call it from a
  module- or session-scoped fixture (it closes this process's connections, so no test may be running);
  ``drop_database(url)`` removes a PostgreSQL clone again.
- ``run_django(database_url, code)`` runs Python with Django set up against that database in a subprocess
  and returns its stdout; ``issue_keys(database_url, {...})`` creates organisations and API keys with it.
- ``LiveServer.start(database_url, workdir, env)`` starts the server and waits until it answers;
  ``stop()`` ends it (SIGTERM), ``kill()`` ends it at once (SIGKILL), ``start()`` again reuses the port;
  ``log()`` is what it wrote to stderr (tracebacks included). A ``LiveServer`` is a context manager.

Nothing starts at import time; fixtures in ``tests/api/conftest.py`` wrap these for the API tests.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0
# What every live server runs with unless a test says otherwise.
BASE_ENVIRONMENT = {
    "DEBUG": "false",
    "SECRET_KEY": "live-server-tests-only",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "API_ANONYMOUS_RATE": "1000000/hour",
    "WEBHOOKS_ALLOW_PRIVATE": "true",
    "LOG_LEVEL": "WARNING",
    "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
}


class LiveServerError(RuntimeError):
    """The server did not start or a helper subprocess failed; the message carries its output."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clone_test_database(workdir: Path) -> str:
    """A copy of the current test database the server can own; returns its DATABASE_URL."""
    from django.db import connection, connections

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        target = workdir / "live.sqlite3"
        with sqlite3.connect(settings["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return f"sqlite:///{target}"
    if connection.vendor != "postgresql":
        raise LiveServerError(f"no clone for the {connection.vendor} backend")
    name = f"live_{uuid.uuid4().hex[:12]}"
    connections.close_all()  # a template database must have no other sessions
    with _postgres_admin(settings) as admin:
        for attempt in range(20):
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
                break
            except Exception as e:  # noqa: BLE001 - psycopg's ObjectInUse while a closed session winds down
                if "being accessed by other users" not in str(e) or attempt == 19:
                    raise
                time.sleep(0.25)
    return _postgres_url(settings, name)


def drop_database(database_url: str) -> None:
    """Remove a PostgreSQL clone (a SQLite clone goes with its folder)."""
    if not database_url.startswith("postgres"):
        return
    from django.db import connection

    name = database_url.rsplit("/", 1)[1]
    with _postgres_admin(connection.settings_dict) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_django(database_url: str, code: str, env: dict[str, str] | None = None) -> str:
    """Run `code` in a subprocess with Django set up against `database_url`; its stdout."""
    script = "import django\ndjango.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_environment(database_url, env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise LiveServerError(f"run_django failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def issue_keys(database_url: str, keys: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    """Create organisations and keys: {name: (organisation code, organisation kind, scopes)} → {name: key}."""
    code = (
        "import json, sys\n"
        "from content_repo.api.keys import create_api_key\n"
        "from content_repo.publishers.services import create_organization\n"
        f"wanted = json.loads({json.dumps(json.dumps(keys))})\n"
        "issued = {}\n"
        "for name, (org, kind, scopes) in wanted.items():\n"
        "    organization = create_organization(org, org, kind)\n"
        "    issued[name] = create_api_key(organization, scopes, name=name).key\n"
        "print(json.dumps(issued))\n"
    )
    return json.loads(run_django(database_url, code).strip().splitlines()[-1])


@dataclass
class LiveServer:
    """`manage.py runserver --noreload` (threaded, as `make run` serves) on one loopback port."""

    database_url: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"server-{self.port}.log"

    @classmethod
    def start_new(cls, database_url: str, workdir: Path, env: dict[str, str] | None = None) -> LiveServer:
        server = cls(database_url=database_url, workdir=workdir, env=dict(env or {}))
        server.start()
        return server

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start (or restart) the server and wait until it answers HTTP."""
        if self.process is not None and self.process.poll() is None:
            raise LiveServerError("the server is already running")
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"],
                cwd=ROOT,
                env=_environment(self.database_url, {"VAR_DIR": str(self.workdir), **self.env}),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LiveServerError(f"runserver exited with {self.process.returncode}:\n{self.log()[-4000:]}")
            try:
                httpx.get(f"{self.url}/api/v1/", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.25)
        self.stop()
        raise LiveServerError(f"runserver did not answer within {timeout:.0f} s:\n{self.log()[-4000:]}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: the server dies mid-request, as on a power cut (no cleanup, no commit)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def _environment(database_url: str, extra: dict[str, str] | None) -> dict[str, str]:
    return {
        **os.environ,
        **BASE_ENVIRONMENT,
        "DJANGO_SETTINGS_MODULE": "content_repo.settings",
        "DATABASE_URL": database_url,
        **(extra or {}),
    }


def _postgres_url(settings: dict[str, Any], name: str) -> str:
    host = settings["HOST"] or "localhost"
    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}:{settings['PASSWORD']}@{host}:{port}/{name}"


class _postgres_admin:
    """An autocommit psycopg connection to the server's `postgres` database (CREATE/DROP DATABASE)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def __enter__(self) -> Any:
        import psycopg

        self.connection = psycopg.connect(
            dbname="postgres",
            user=self.settings["USER"],
            password=self.settings["PASSWORD"],
            host=self.settings["HOST"] or "localhost",
            port=self.settings["PORT"] or 5432,
            autocommit=True,
        )
        return self.connection

    def __exit__(self, *exc_info: Any) -> None:
        self.connection.close()
