"""The committed OpenAPI schema matches the code, and a live server conforms to it (schemathesis)."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "openapi.yaml"


def test_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True, stderr=StringIO())
    assert generated.read_text(encoding="utf-8") == SCHEMA.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is out of date: run `make schema` and commit it"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    """The test database (curriculum, vocabularies loaded): a copy for SQLite, so the server and this
    process never wait on each other's locks; PostgreSQL serves both as is."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "server.sqlite3"
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        return f"sqlite:///{copy}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def live_api(db, tmp_path):
    """`manage.py runserver` on a free port, over the test database (curriculum, vocabularies loaded)."""
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": _database_url(tmp_path),
        "VAR_DIR": str(tmp_path),
        "API_ANONYMOUS_RATE": "1000000/hour",
        "DEBUG": "false",
        "SECRET_KEY": "schemathesis-only",
        "LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                httpx.get(f"{url}/api/v1/organizations/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("runserver did not start: " + (tmp_path / "server.log").read_text()[-2000:])
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_live_server_conforms_to_the_committed_schema(live_api, tmp_path):
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            str(SCHEMA),
            "--url",
            live_api,
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "8",
            "--phases",
            "examples,fuzzing",
            "--workers",
            "4",
            "--request-timeout",
            "20",
            "--seed",
            "1",
            "--generation-deterministic",
            "--no-color",
        ],
        cwd=tmp_path,
        env=os.environ | {"SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
