"""/media/ never serves stored files, image originals or documents; with DEBUG on it serves Wagtail's renditions
only (the admin's thumbnails on local storage), with DEBUG off nothing at all."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.test import override_settings
from django.urls import clear_url_caches
from wagtail.documents.models import Document

import content_repo.urls
from storage.covers import cover_image_from_upload
from storage.filetypes import FileUse
from storage.uploads import accept_upload
from tests.storage import samples
from tests.storage.conftest import list_objects

pytestmark = pytest.mark.django_db


@contextmanager
def site(*, debug: bool, media_root: Path) -> Iterator[None]:
    """The site's URLconf as built with ``DEBUG`` (it decides the /media/ routes once, at import)."""
    try:
        with override_settings(DEBUG=debug, MEDIA_ROOT=media_root):
            reload_urls()
            yield
    finally:
        reload_urls()  # with the test settings again


def reload_urls() -> None:
    importlib.reload(content_repo.urls)
    clear_url_caches()


@pytest.fixture
def media(users, local_storage: Storage) -> dict[str, str]:
    """A stored file, a cover image with a rendition and a Wagtail document, all under MEDIA_ROOT."""
    stored = accept_upload(
        samples.pdf(), name="урок.pdf", declared_type=None, use=FileUse.ATTACHMENT, organization=users.org_a
    ).stored_file
    cover = accept_upload(
        samples.image("PNG", (640, 360)),
        name="обложка.png",
        declared_type=None,
        use=FileUse.COVER_IMAGE,
        organization=users.org_a,
    ).stored_file
    image = cover_image_from_upload(cover, title="Дроби")
    caches["default"].clear()  # Wagtail caches renditions by image id; ids repeat across rolled-back tests
    rendition = image.get_rendition("fill-320x180")
    document = Document(title="Конспект")
    document.file.save("konspekt.pdf", ContentFile(samples.pdf()))
    keys = {
        "stored_file": stored.key,
        "stored_cover": cover.key,
        "image_original": image.file.name,
        "rendition": rendition.file.name,
        "document": document.file.name,
    }
    assert set(keys.values()) <= set(list_objects(local_storage))
    return keys


def location(storage: Storage) -> Path:
    return Path(storage.location)  # type: ignore[attr-defined]


def test_debug_serves_renditions_only(client, media: dict[str, str], local_storage: Storage) -> None:
    with site(debug=True, media_root=location(local_storage)):
        statuses = {name: client.get(f"/media/{key}").status_code for name, key in media.items()}
        sneaky = [
            client.get(f"/media/images/../{media['stored_file']}").status_code,
            client.get(f"/media/images/%2e%2e/{media['stored_file']}").status_code,
        ]

    assert statuses == {
        "stored_file": 404,
        "stored_cover": 404,
        "image_original": 404,
        "rendition": 200,
        "document": 404,
    }
    assert sneaky == [400, 400]  # a path out of images/ is a suspicious operation, not a file


def test_without_debug_nothing_is_served(client, media: dict[str, str], local_storage: Storage) -> None:
    with site(debug=False, media_root=location(local_storage)):
        statuses = {name: client.get(f"/media/{key}").status_code for name, key in media.items()}

    assert set(statuses.values()) == {404}
