"""The committed OpenAPI schema matches the code, and a live server conforms to it (schemathesis)."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.harness.live_server import issue_keys

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "docs" / "openapi.yaml"


def test_committed_schema_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True, stderr=StringIO())
    assert generated.read_text(encoding="utf-8") == SCHEMA.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is out of date: run `make schema` and commit it"
    )


@pytest.fixture(scope="module")
def publishing_key(live_database) -> str:
    return issue_keys(live_database.url, {"vendor": ("schemathesis-vendor", "vendor", "read,publish")})["vendor"]


@pytest.mark.django_db
def test_live_server_conforms_to_the_committed_schema(catalog_server, publishing_key, tmp_path):
    """Every check schemathesis has, with a publishing key, so writes are exercised as well as reads."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            str(SCHEMA),
            "--url",
            catalog_server.url,
            "--header",
            f"Authorization: Bearer {publishing_key}",
            "--checks",
            "all",
            "--max-examples",
            "8",
            "--phases",
            "examples,fuzzing",
            "--workers",
            "4",
            "--request-timeout",
            "30",
            "--seed",
            "1",
            "--generation-deterministic",
            "--generation-allow-x00",
            "false",  # JSON bodies with NUL are refused by design (PostgreSQL cannot store it); tested apart
            "--no-color",
        ],
        cwd=tmp_path,
        env=os.environ | {"SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:] + catalog_server.log()[-3000:]
