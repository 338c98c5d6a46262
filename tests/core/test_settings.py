"""Settings read from the environment (the ones whose defaults depend on each other)."""

from __future__ import annotations

import os
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
