"""Fixtures for storage tests: a local folder and a real S3-API server behind Django's default storage."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import Storage, storages
from django.test import override_settings

from tests.harness.s3 import S3Server, S3ServerUnavailable, running_in_ci, start_s3_server


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """``users`` makes five users with passwords: the production hasher would cost seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One S3-API server for the session; a skip outside CI when it cannot start, a failure in CI."""
    try:
        server = start_s3_server()
    except S3ServerUnavailable as e:
        if running_in_ci():
            raise
        pytest.skip(f"S3-API server unavailable (s3proxy needs Java and Maven; moto needs moto[server]): {e}")
    yield server
    server.stop()


def _local_config(root: Path) -> dict[str, object]:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(root), "base_url": "/media/"},
    }


def _s3_config(server: S3Server) -> dict[str, object]:
    bucket = f"t-{uuid.uuid4().hex[:16]}"
    server.client().create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**server.storage_options(), "bucket_name": bucket},
    }


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def file_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """``storages["default"]`` pointing at an empty local folder or an empty bucket of the S3 server."""
    if request.param == "local":
        config = _local_config(tmp_path / "media")
    else:
        config = _s3_config(request.getfixturevalue("s3_server"))
    with override_settings(STORAGES={**settings.STORAGES, "default": config}):
        yield storages["default"]


@pytest.fixture
def local_storage(tmp_path: Path) -> Iterator[Storage]:
    """Only the local storage (for what only it does: streaming with our headers)."""
    with override_settings(STORAGES={**settings.STORAGES, "default": _local_config(tmp_path / "media")}):
        yield storages["default"]


@pytest.fixture
def s3_storage(s3_server: S3Server) -> Iterator[Storage]:
    """Only the S3 storage (for presigned uploads)."""
    with override_settings(STORAGES={**settings.STORAGES, "default": _s3_config(s3_server)}):
        yield storages["default"]


def list_objects(storage: Storage, prefix: str = "") -> list[str]:
    """Every object in ``storage``, through the Storage API only."""
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    found = [f"{prefix}{name}" for name in files]
    for directory in directories:
        found.extend(list_objects(storage, f"{prefix}{directory}/"))
    return sorted(found)


@pytest.fixture
def api_keys(users):
    """Bearer headers for organisation A (publish and read-only keys) and organisation B (publish)."""
    from content_repo.api.keys import create_api_key

    def bearer(organization, scopes: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {create_api_key(organization, scopes).key}"}

    return {
        "publish_a": bearer(users.org_a, "read,publish"),
        "read_a": bearer(users.org_a, "read"),
        "publish_b": bearer(users.org_b, "read,publish"),
    }
