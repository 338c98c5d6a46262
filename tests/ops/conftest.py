"""Fixtures of the operations tests: an instance of the catalog the production stack owns (its own database,
folder and files), the stack itself (``manage.py serve``), and an OpenSearch node for it."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.harness.live_server import ROOT, clone_test_database, drop_database, free_port, run_django
from tests.harness.opensearch import node_for_tests

START_TIMEOUT = 180.0


@dataclass
class Instance:
    """One catalog: a database, a folder (VAR_DIR: files, static, logs) and the environment of its processes."""

    database_url: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SEARCH_", "TASKS_", "WEBHOOKS_"))},
            "DJANGO_SETTINGS_MODULE": "content_repo.settings",
            "DATABASE_URL": self.database_url,
            "VAR_DIR": str(self.workdir),
            **self.env,
            **extra,
        }

    def manage(self, *arguments: str, timeout: float = 600, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.environment(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def django(self, code: str) -> str:
        return run_django(self.database_url, code, self.environment())


def production_env(**extra: str) -> dict[str, str]:
    return {
        "DEPLOYMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_COOKIES": "false",
        "API_ANONYMOUS_RATE": "1000000/hour",
        "LOG_LEVEL": "INFO",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
        **extra,
    }


def empty_database(template_url: str, workdir: Path) -> str:
    """A database with nothing in it (no tables) beside ``template_url``'s: a new SQLite file or PostgreSQL db."""
    if template_url.startswith("sqlite"):
        return f"sqlite:///{workdir / 'empty.sqlite3'}"
    import psycopg

    base, _, _ = template_url.rpartition("/")
    name = f"empty_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


@pytest.fixture(scope="module")
def opensearch_node(tmp_path_factory):
    """A running OpenSearch node for the module (the tests stop it); fails in CI if it cannot start."""
    yield from node_for_tests(tmp_path_factory.mktemp("opensearch"))


@pytest.fixture(scope="module")
def instance(django_db_setup, django_db_blocker, tmp_path_factory):
    """A copy of the test database with a small catalog and three stored files, in a folder of its own."""
    workdir = tmp_path_factory.mktemp("instance")
    with django_db_blocker.unblock():
        url = clone_test_database(workdir)
    created = Instance(url, workdir)
    created.django(SEED)
    yield created
    with django_db_blocker.unblock():
        drop_database(url)


SEED = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from tests.exchange.catalog import publish
publish(range(12))
default_storage.save("files/aa/lesson.pdf", ContentFile(b"%PDF-1.4 lesson " * 1000))
default_storage.save("files/bb/notes.txt", ContentFile("Конспект урока".encode()))
default_storage.save("images/cover.bin", ContentFile(bytes(range(256)) * 64))
"""


@dataclass
class Stack:
    """`manage.py serve` running over an instance."""

    instance: Instance
    process: subprocess.Popen[bytes]
    url: str

    def log(self, program: str) -> str:
        path = self.instance.workdir / "log" / f"{program}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=150)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_stack(instance: Instance, *arguments: str) -> Stack:
    """Start the production command and wait until it answers /healthz."""
    port = free_port()
    instance.env["PORT"] = str(port)
    with (instance.workdir / "serve.out").open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--without", "harvests", *arguments],
            cwd=ROOT,
            env=instance.environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # supervisord and its children form one group, killed together if need be
        )
    stack = Stack(instance, process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = (instance.workdir / "serve.out").read_text(errors="replace")
            raise AssertionError(f"serve exited with {process.returncode}:\n{output[-4000:]}")
        try:
            if httpx.get(f"{stack.url}/healthz", timeout=2).status_code == 200:
                return stack
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    stack.stop()
    raise AssertionError(f"serve did not answer within {START_TIMEOUT:.0f} s:\n{stack.log('web')[-4000:]}")
