"""/api/v1/uploads/: multipart and batch uploads, direct uploads to a real S3 server, access by API key."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from storage.models import StoredFile, Upload
from storage.uploads import attachable_by
from tests.storage import samples
from tests.storage.conftest import list_objects
from tests.storage.test_validation import HOSTILE

pytestmark = pytest.mark.django_db

UPLOADS = "/api/v1/uploads/"
PRESIGN = "/api/v1/uploads/presign/"


def upload(client, key: dict[str, str], *files: tuple[str, bytes, str | None], use: str | None = None):
    parts = [SimpleUploadedFile(name, data, declared or "application/octet-stream") for name, data, declared in files]
    body: dict[str, object] = {"file": parts}
    if use:
        body["use"] = use
    return client.post(UPLOADS, body, **key)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"].endswith("/" + code)
    return body


def test_same_bytes_again_give_the_same_upload(client, api_keys, users, file_storage: Storage) -> None:
    first = upload(client, api_keys["publish_a"], ("урок.pdf", samples.pdf(), None))
    again = upload(client, api_keys["publish_a"], ("другое имя.pdf", samples.pdf(), "application/pdf"))

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    stored = StoredFile.objects.get()
    upload_row = Upload.objects.get()
    assert first.json() == {
        "id": str(upload_row.pk),
        "use": "attachment",
        "sha256": stored.sha256,
        "mime_type": "application/pdf",
        "size": stored.size,
        "download_url": f"{settings.CATALOG_BASE_URL}/files/{upload_row.pk}/{quote('урок.pdf')}",
    }
    assert (upload_row.organization, upload_row.stored_file, upload_row.channel) == (users.org_a, stored, "api")


def test_package_and_cover_uses(client, api_keys) -> None:
    package = upload(client, api_keys["publish_a"], ("урок.zip", samples.scorm(), "application/zip"), use="package")
    cover = upload(
        client, api_keys["publish_a"], ("обложка.jpg", samples.jpeg_with_gps_and_orientation(), None), use="cover_image"
    )
    assert package.status_code == 201 and package.json()["mime_type"] == "application/zip"
    assert cover.status_code == 201 and cover.json()["mime_type"] == "image/jpeg"
    assert Upload.objects.get(pk=cover.json()["id"]).stored_file.width == 20
    assert (package.json()["use"], cover.json()["use"]) == ("package", "cover_image")


@pytest.mark.parametrize(
    ("data", "name", "use", "declared", "code"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_every_rejection_is_a_problem_and_stores_nothing(
    client, api_keys, file_storage: Storage, data, name, use, declared, code
) -> None:
    response = upload(client, api_keys["publish_a"], (name, data, declared), use=use.value)

    body = assert_problem(response, 413 if code == "too_large" else 400, code)
    assert body["title"] == "Файл отклонён"
    assert re.search("[а-яё]{3}", body["detail"])  # the Russian sentence naming the rule
    assert StoredFile.objects.count() == 0
    assert Upload.objects.count() == 0
    assert list_objects(file_storage) == []


def test_file_over_the_api_limit_is_refused(client, api_keys, file_storage: Storage) -> None:
    with override_settings(STORAGE_POLICY={"API_UPLOAD_MAX_SIZE": 1024}):
        response = upload(client, api_keys["publish_a"], ("урок.pdf", samples.pdf(padding=4096), None))
    body = assert_problem(response, 413, "too_large")
    assert "/api/v1/uploads/presign/" in body["detail"]
    assert StoredFile.objects.count() == 0
    assert list_objects(file_storage) == []


def test_request_over_the_batch_limit_is_refused_before_parsing(client, api_keys) -> None:
    with override_settings(STORAGE_POLICY={"API_UPLOAD_MAX_SIZE": 1024, "API_UPLOAD_MAX_FILES": 2}):
        response = upload(client, api_keys["publish_a"], ("урок.pdf", samples.pdf(padding=8192), None))
    assert_problem(response, 413, "too_large")
    assert StoredFile.objects.count() == 0


def test_batch_reports_each_file(client, api_keys, file_storage: Storage) -> None:
    response = upload(
        client,
        api_keys["publish_a"],
        ("урок.pdf", samples.pdf(), None),
        ("вирус.pdf", samples.ELF, None),
        ("урок-копия.pdf", samples.pdf(), None),
        ("урок.docx", samples.HTML, None),
        ("конспект.txt", samples.text(), None),
    )

    assert response.status_code == 207, response.content
    results = response.json()["results"]
    assert [(r["index"], r["name"], r["status"]) for r in results] == [
        (0, "урок.pdf", 201),
        (1, "вирус.pdf", 400),
        (2, "урок-копия.pdf", 200),
        (3, "урок.docx", 400),
        (4, "конспект.txt", 201),
    ]
    assert results[0]["file"] == results[2]["file"]
    assert [results[1]["problem"]["code"], results[3]["problem"]["code"]] == ["executable", "active_content"]
    assert StoredFile.objects.count() == 2
    assert sorted(list_objects(file_storage)) == sorted(StoredFile.objects.values_list("key", flat=True))


def test_missing_file_and_bad_use_are_validation_problems(client, api_keys) -> None:
    assert_problem(client.post(UPLOADS, {"use": "attachment"}, **api_keys["publish_a"]), 400, "validation_error")
    response = upload(client, api_keys["publish_a"], ("урок.pdf", samples.pdf(), None), use="poster")
    assert_problem(response, 400, "validation_error")
    response = client.post(UPLOADS, {"file": "not a file"}, **api_keys["publish_a"])
    assert_problem(response, 400, "validation_error")
    assert StoredFile.objects.count() == 0


class TestAccess:
    def test_anonymous_cannot_upload(self, client) -> None:
        response = upload(client, {}, ("урок.pdf", samples.pdf(), None))
        assert_problem(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert StoredFile.objects.count() == 0

    def test_read_key_cannot_upload(self, client, api_keys) -> None:
        assert_problem(upload(client, api_keys["read_a"], ("урок.pdf", samples.pdf(), None)), 403, "permission_denied")
        assert_problem(
            client.post(PRESIGN, {}, content_type="application/json", **api_keys["read_a"]), 403, "permission_denied"
        )
        assert StoredFile.objects.count() == 0

    def test_unknown_key_is_refused(self, client) -> None:
        response = upload(client, {"HTTP_AUTHORIZATION": "Bearer cat_nope_nope"}, ("урок.pdf", samples.pdf(), None))
        assert_problem(response, 401, "authentication_failed")


def presign(client, key: dict[str, str], data: bytes, **overrides: object):
    body = {
        "name": "урок.pdf",
        "content_type": "application/pdf",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    } | overrides
    return client.post(PRESIGN, body, content_type="application/json", **key)


def test_presign_on_local_storage_is_a_clear_conflict(client, api_keys, settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    body = assert_problem(presign(client, api_keys["publish_a"], samples.pdf()), 409, "direct_upload_unavailable")
    assert "S3" in body["detail"] and "/api/v1/uploads/" in body["detail"]
    assert Upload.objects.count() == 0


@pytest.mark.s3
class TestDirectUpload:
    def start(self, client, key, data: bytes, **overrides: object) -> dict:
        response = presign(client, key, data, **overrides)
        assert response.status_code == 201, response.content
        return response.json()

    def put(self, ticket: dict, data: bytes) -> None:
        response = httpx.put(ticket["url"], content=data, headers=ticket["headers"])
        assert response.status_code == 200, response.text

    def test_presign_put_complete(self, client, api_keys, users, s3_storage: Storage) -> None:
        data = samples.pdf(padding=200_000)
        ticket = self.start(client, api_keys["publish_a"], data)
        assert Upload.objects.get().status == "pending"
        self.put(ticket, data)

        response = client.post(ticket["complete_url"], **api_keys["publish_a"])

        assert response.status_code == 201, response.content
        stored = StoredFile.objects.get()
        upload_id = Upload.objects.get().pk
        assert response.json() == {
            "id": str(upload_id),
            "use": "attachment",
            "sha256": hashlib.sha256(data).hexdigest(),
            "mime_type": "application/pdf",
            "size": len(data),
            "download_url": f"{settings.CATALOG_BASE_URL}/files/{upload_id}/{quote('урок.pdf')}",
        }
        assert list_objects(s3_storage) == [stored.key]
        upload_row = Upload.objects.get()
        assert (upload_row.status, upload_row.stored_file, upload_row.organization) == (
            "completed",
            stored,
            users.org_a,
        )
        assert attachable_by(users.org_a, stored) and not attachable_by(users.org_b, stored)
        again = client.post(ticket["complete_url"], **api_keys["publish_a"])
        assert (again.status_code, again.json()) == (200, response.json())

    @pytest.mark.parametrize(
        ("sent", "declared", "code"),
        [
            (samples.pdf() + b"x", {}, "upload_mismatch"),  # more bytes than declared: refused by S3 or by us
            (samples.pdf()[:-1] + b"!", {}, "upload_mismatch"),  # same size, another hash
            (samples.ELF, {"name": "урок.pdf"}, "executable"),
            (
                samples.pdf(catalog=b"/OpenAction 4 0 R", compressed={4: b"<< /S /J#61vaScript /JS (1) >>"}),
                {"name": "урок.pdf"},
                "pdf_javascript",
            ),
            (
                samples.scorm() and samples.zip_bytes([("imsmanifest.xml", samples.SCORM_MANIFEST), ("a.exe", b"x")]),
                {"name": "курс.zip", "content_type": "application/zip", "use": "package"},
                "archive_executable",
            ),
        ],
        ids=["size", "hash", "executable", "pdf_javascript", "package_with_program"],
    )
    def test_failed_verification_deletes_the_object(
        self, client, api_keys, s3_storage: Storage, sent: bytes, declared: dict, code: str
    ) -> None:
        data = sent if declared else samples.pdf()
        ticket = self.start(client, api_keys["publish_a"], data, **declared)
        if len(sent) == len(data):
            self.put(ticket, sent)
        else:
            # The signature covers Content-Length: upload the wrong size with boto3's client directly.
            s3_storage.connection.meta.client.put_object(  # type: ignore[attr-defined]
                Bucket=s3_storage.bucket_name,
                Key=Upload.objects.get().incoming_key,
                Body=sent,  # type: ignore[attr-defined]
            )

        response = client.post(ticket["complete_url"], **api_keys["publish_a"])

        assert_problem(response, 400, code)
        assert list_objects(s3_storage) == []
        assert StoredFile.objects.count() == 0
        assert Upload.objects.get().rejection_code == code
        assert_problem(client.post(ticket["complete_url"], **api_keys["publish_a"]), 409, "upload_already_rejected")

    def test_complete_without_put_is_upload_missing(self, client, api_keys, s3_storage: Storage) -> None:
        ticket = self.start(client, api_keys["publish_a"], samples.pdf())
        assert_problem(client.post(ticket["complete_url"], **api_keys["publish_a"]), 400, "upload_missing")

    def test_another_organisation_cannot_complete(self, client, api_keys, s3_storage: Storage) -> None:
        data = samples.pdf()
        ticket = self.start(client, api_keys["publish_a"], data)
        self.put(ticket, data)
        assert_problem(client.post(ticket["complete_url"], **api_keys["publish_b"]), 404, "not_found")
        assert Upload.objects.get().status == "pending"

    def test_presign_refuses_what_is_known_to_fail(self, client, api_keys, s3_storage: Storage) -> None:
        assert_problem(presign(client, api_keys["publish_a"], b"", size=10**12), 413, "too_large")
        assert_problem(presign(client, api_keys["publish_a"], b"x", sha256="nothex"), 400, "validation_error")
        assert Upload.objects.count() == 0
        assert list_objects(s3_storage) == []
