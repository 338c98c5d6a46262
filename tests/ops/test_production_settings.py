"""DEPLOYMENT=production: the settings refuse what only fits a developer's machine, and choose production defaults."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.harness.live_server import ROOT

GOOD_KEY = "k" * 20 + "-production-secret-key-" + "q" * 10


def settings_of(code: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DEPLOYMENT", "LOG_FORMAT", "CACHE_BACKEND"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\nfrom django.conf import settings as s\n" + code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "content_repo.settings", **environ},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DEBUG": "true", "SECRET_KEY": GOOD_KEY}, "DEPLOYMENT=production: DEBUG must be false"),
        ({}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY": "insecure-development-key-change-me"}, "SECRET_KEY must be a secret of at least 32"),
        ({"SECRET_KEY": "short-but-set"}, "SECRET_KEY must be a secret of at least 32"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must name the catalog's hosts, not '*'"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "catalog.ru,*"}, "ALLOWED_HOSTS must name the catalog's hosts"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must name the catalog's hosts"),
    ],
)
def test_production_refuses_to_start_with_development_settings(environ, message):
    result = settings_of("print('started')", DEPLOYMENT="production", **environ)
    assert result.returncode != 0
    assert message in result.stderr
    assert "started" not in result.stdout


def test_production_defaults():
    result = settings_of(
        "print(s.DEBUG, s.LOG_FORMAT, s.CACHES['default']['BACKEND'].rsplit('.', 1)[1], "
        "s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1], s.SESSION_COOKIE_SECURE, s.WHITENOISE_USE_FINDERS)",
        DEPLOYMENT="production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="catalog.region.ru",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "json",
        "FileBasedCache",
        "CompressedManifestStaticFilesStorage",
        "True",
        "False",
    ]


def test_development_defaults_are_unchanged():
    result = settings_of(
        "print(s.DEBUG, s.LOG_FORMAT, s.CACHES['default']['BACKEND'].rsplit('.', 1)[1], "
        "s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1], s.SESSION_COOKIE_SECURE)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "text", "LocMemCache", "StaticFilesStorage", "False"]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DEPLOYMENT": "staging"}, "DEPLOYMENT must be development or production, got 'staging'"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be json or text, got 'xml'"),
        ({"CACHE_BACKEND": "memcached"}, "CACHE_BACKEND must be one of locmem, file, database, redis"),
        ({"CACHE_BACKEND": "redis"}, "CACHE_BACKEND=redis needs CACHE_LOCATION"),
    ],
)
def test_bad_operations_settings_stop_the_start(environ, message):
    result = settings_of("print('started')", **environ)
    assert result.returncode != 0
    assert message in result.stderr
