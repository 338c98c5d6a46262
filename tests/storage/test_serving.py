"""/files/<id>/<name>: who may download what, and headers that never let a file run on the catalog's origin."""

from __future__ import annotations

import hashlib
from urllib.parse import quote, urlsplit

import httpx
import pytest
from django.conf import settings
from django.core.files.storage import Storage

from content_repo.resources.models import ResourceFile
from storage.filetypes import FileUse
from storage.models import StoredFile, Upload
from storage.serving import download_name, download_url, upload_download_url
from storage.uploads import accept_upload
from tests.factories import make_resource
from tests.storage import samples
from tests.storage.conftest import list_objects
from tests.storage.test_api import upload
from tests.storage.test_validation import ATTACHMENTS

pytestmark = pytest.mark.django_db


def attach(stored: StoredFile, *, provider, publish: bool) -> None:
    resource = make_resource(provider=provider, publish=publish)
    ResourceFile.objects.create(resource=resource, file=stored, sort_order=0)


def path_of(url: str) -> str:
    """The path of an absolute catalog URL, for the test client."""
    return urlsplit(url).path


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def download(client, url: str, headers: dict[str, str]) -> tuple[bytes, str]:
    """The bytes and content type a client ends up with: streamed (local) or via the S3 redirect."""
    response = client.get(url, **headers)
    if response.status_code == 302:
        followed = httpx.get(response["Location"])
        assert followed.status_code == 200
        return followed.content, followed.headers["content-type"]
    assert response.status_code == 200
    return body_of(response), response["Content-Type"]


@pytest.mark.parametrize(("name", "declared", "data", "expected"), ATTACHMENTS, ids=[a[3].name for a in ATTACHMENTS])
def test_uploaded_files_round_trip_byte_for_byte(
    client, api_keys, file_storage: Storage, name, declared, data, expected
) -> None:
    response = upload(client, api_keys["publish_a"], (name, data, declared))

    assert response.status_code == 201, response.content
    stored = StoredFile.objects.get()
    body = response.json()
    assert body == {
        "id": str(Upload.objects.get().pk),
        "use": "attachment",
        "sha256": hashlib.sha256(data).hexdigest(),
        "mime_type": expected.spec.mime_type,
        "size": len(data),
        "download_url": body["download_url"],
    }
    assert body["download_url"].startswith(f"{settings.CATALOG_BASE_URL}/files/{body['id']}/")
    assert list_objects(file_storage) == [stored.key]
    assert download(client, path_of(body["download_url"]), api_keys["publish_a"]) == (data, expected.spec.mime_type)


class TestLocalHeaders:
    @pytest.fixture
    def package(self, users, local_storage: Storage) -> StoredFile:
        stored = accept_upload(
            samples.scorm(), name="Урок «Дроби».zip", declared_type=None, use=FileUse.PACKAGE, organization=users.org_a
        ).stored_file
        attach(stored, provider=users.org_a, publish=True)
        return stored

    def test_package_is_an_attachment_in_a_sandbox(self, client, package: StoredFile) -> None:
        response = client.get(download_url(package))

        assert response.status_code == 200
        assert body_of(response) == samples.scorm()
        assert response["Content-Disposition"] == (
            "attachment; filename=\"file.zip\"; filename*=UTF-8''" + quote("Урок «Дроби».zip")
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert response["Content-Type"] == "application/zip"

    def test_accept_header_does_not_matter(self, client, package: StoredFile) -> None:
        assert client.get(download_url(package), HTTP_ACCEPT="application/zip").status_code == 200


def test_download_name_keeps_the_detected_extension(users) -> None:
    stored = accept_upload(
        samples.pdf(), name="../../отчёт", declared_type=None, use=FileUse.ATTACHMENT, organization=users.org_a
    ).stored_file
    assert download_name(stored) == "отчёт.pdf"


class TestWhoMayDownload:
    @pytest.fixture
    def draft_file(self, users) -> StoredFile:
        stored = accept_upload(
            samples.pdf(), name="черновик.pdf", declared_type=None, use=FileUse.ATTACHMENT, organization=users.org_a
        ).stored_file
        attach(stored, provider=users.org_a, publish=False)
        return stored

    def test_unpublished_file_is_hidden_from_the_public(self, client, api_keys, draft_file: StoredFile) -> None:
        response = client.get(download_url(draft_file))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert client.get(download_url(draft_file), **api_keys["publish_b"]).status_code == 404

    def test_uploader_and_editors_may_download(self, client, api_keys, users, draft_file: StoredFile) -> None:
        through_upload = upload_download_url(Upload.objects.get(stored_file=draft_file))
        assert client.get(through_upload, **api_keys["read_a"]).status_code == 200
        assert client.get(through_upload, **api_keys["publish_b"]).status_code == 404
        # An API key never reaches an unpublished file by its row id, not even its own.
        assert client.get(download_url(draft_file), **api_keys["read_a"]).status_code == 404
        client.force_login(users.methodist)
        assert client.get(download_url(draft_file)).status_code == 200
        assert client.get(through_upload).status_code == 200
        client.force_login(users.vendor_a)
        assert client.get(download_url(draft_file)).status_code == 200
        assert client.get(through_upload).status_code == 200
        client.force_login(users.vendor_b)
        assert client.get(download_url(draft_file)).status_code == 404
        assert client.get(through_upload).status_code == 404

    def test_published_file_is_public(self, client, api_keys, users, draft_file: StoredFile) -> None:
        attach(draft_file, provider=users.org_b, publish=True)
        assert client.get(download_url(draft_file)).status_code == 200
        through_upload = upload_download_url(Upload.objects.get(stored_file=draft_file))
        assert client.get(through_upload).status_code == 200
        assert client.get(through_upload, **api_keys["publish_b"]).status_code == 200

    def test_unknown_file_is_a_404(self, client) -> None:
        assert client.get("/files/999999/x.pdf").status_code == 404
        assert client.get("/files/7d444840-9dc0-11d1-b245-5ffdce74fad2/x.pdf").status_code == 404


@pytest.mark.s3
def test_s3_redirects_to_a_presigned_url_with_attachment_headers(client, users, s3_storage: Storage) -> None:
    data = samples.pdf(padding=50_000)
    stored = accept_upload(
        data, name="Задачи на дроби.pdf", declared_type=None, use=FileUse.ATTACHMENT, organization=users.org_a
    ).stored_file
    attach(stored, provider=users.org_a, publish=True)

    response = client.get(download_url(stored))

    assert response.status_code == 302
    assert response["X-Content-Type-Options"] == "nosniff"
    location = response["Location"]
    assert "X-Amz-Signature=" in location and "response-content-disposition=" in location
    downloaded = httpx.get(location)
    assert downloaded.status_code == 200
    assert downloaded.content == data
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["content-disposition"] == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''" + quote("Задачи на дроби.pdf")
    )
