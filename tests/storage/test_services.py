"""store_file and friends against a local folder and a real S3-API server."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import httpx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.management import call_command
from django.utils import timezone

from storage.exceptions import FileRejected
from storage.filetypes import FileUse
from storage.models import StoredFile
from storage.services import (
    StoreOutcome,
    create_presigned_upload,
    delete_orphans,
    delete_stored,
    find_orphans,
    open_stored,
    storage_key,
    store_file,
    verify_uploaded_object,
)
from tests.storage import samples
from tests.storage.conftest import list_objects
from tests.storage.test_validation import ATTACHMENTS, HOSTILE

pytestmark = pytest.mark.django_db


def test_storage_key_is_content_addressed() -> None:
    sha = hashlib.sha256(b"x").hexdigest()
    assert storage_key(sha, "pdf") == f"files/{sha[:2]}/{sha[2:4]}/{sha}.pdf"
    with pytest.raises(ValueError):
        storage_key("../../etc", "pdf")


@pytest.mark.parametrize(("name", "declared", "data", "expected"), ATTACHMENTS, ids=[a[3].name for a in ATTACHMENTS])
def test_accepted_types_round_trip_byte_for_byte(file_storage: Storage, name, declared, data, expected) -> None:
    result = store_file(data, name=name, declared_type=declared, use=FileUse.ATTACHMENT)

    row = StoredFile.objects.get()
    assert result.outcome is StoreOutcome.CREATED
    assert row == result.stored_file
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.key == storage_key(row.sha256, expected.spec.extension)
    assert (row.size, row.mime_type, row.original_name) == (len(data), expected.spec.mime_type, name)
    assert list_objects(file_storage) == [row.key]
    with open_stored(row) as stored:
        assert stored.read() == data


def test_package_round_trip(file_storage: Storage) -> None:
    data = samples.scorm()
    row = store_file(data, name="урок.zip", declared_type="application/zip", use=FileUse.PACKAGE).stored_file
    assert list_objects(file_storage) == [row.key]
    with open_stored(row) as stored:
        assert stored.read() == data


def test_cover_image_is_stored_reencoded_with_size(file_storage: Storage) -> None:
    row = store_file(
        samples.jpeg_with_gps_and_orientation(),
        name="cover.jpg",
        declared_type="image/jpeg",
        use=FileUse.COVER_IMAGE,
    ).stored_file
    with open_stored(row) as stored:
        content = stored.read()
    assert hashlib.sha256(content).hexdigest() == row.sha256
    assert (row.width, row.height, row.size) == (20, 40, len(content))
    assert b"Exif" not in content
    assert list_objects(file_storage) == [row.key]


def test_same_content_is_stored_once(file_storage: Storage) -> None:
    data = samples.pdf()
    first = store_file(data, name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT)
    second = store_file(data, name="копия.pdf", declared_type=None, use=FileUse.ATTACHMENT)

    assert (first.outcome, second.outcome) == (StoreOutcome.CREATED, StoreOutcome.EXISTING)
    assert StoredFile.objects.get() == first.stored_file == second.stored_file
    assert list_objects(file_storage) == [first.stored_file.key]


def test_missing_object_is_written_again_for_an_existing_row(file_storage: Storage) -> None:
    data = samples.pdf()
    row = store_file(data, name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT).stored_file
    file_storage.delete(row.key)
    assert store_file(data, name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT).outcome is StoreOutcome.EXISTING
    assert list_objects(file_storage) == [row.key]


REJECTED_ON_BOTH = [h for h in HOSTILE if h[0] in {"elf_as_pdf", "html_as_docx", "zip_bomb", "png_bomb", "empty"}]


@pytest.mark.parametrize(
    ("data", "name", "use", "declared", "code"),
    [h[1:] for h in REJECTED_ON_BOTH],
    ids=[h[0] for h in REJECTED_ON_BOTH],
)
def test_rejected_file_leaves_nothing_behind(file_storage: Storage, data, name, use, declared, code) -> None:
    with pytest.raises(FileRejected) as caught:
        store_file(data, name=name, declared_type=declared, use=use)
    assert caught.value.code == code
    assert StoredFile.objects.count() == 0
    assert list_objects(file_storage) == []


def test_delete_stored_removes_row_and_object(file_storage: Storage, django_capture_on_commit_callbacks) -> None:
    row = store_file(samples.pdf(), name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT).stored_file
    with django_capture_on_commit_callbacks(execute=True):
        delete_stored(row)
    assert StoredFile.objects.count() == 0
    assert list_objects(file_storage) == []


def test_find_orphans_and_gc_command(file_storage: Storage, capsys: pytest.CaptureFixture[str]) -> None:
    kept = store_file(samples.pdf(), name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT).stored_file
    lost = store_file(samples.text(), name="a.txt", declared_type=None, use=FileUse.ATTACHMENT).stored_file
    file_storage.delete(lost.key)
    stray = file_storage.save("files/00/00/" + "0" * 64 + ".pdf", ContentFile(b"%PDF-1.4 stray"))
    stale = file_storage.save("incoming/abandoned", ContentFile(b"half"))

    assert find_orphans().is_clean is False
    assert find_orphans().objects_without_row == []  # too young: may be an upload in flight
    report = find_orphans(now=timezone.now() + timedelta(days=2))
    assert report.objects_without_row == [stray]
    assert report.stale_uploads == [stale]
    assert report.rows_without_object == [lost]

    call_command("storage_gc")
    assert sorted(list_objects(file_storage)) == sorted([kept.key, stray, stale])
    assert StoredFile.objects.count() == 2

    report = find_orphans(now=timezone.now() + timedelta(days=2))
    assert delete_orphans(report) == []
    assert list_objects(file_storage) == [kept.key]
    assert StoredFile.objects.get() == kept


def test_gc_command_lists_without_apply(file_storage: Storage) -> None:
    lost = store_file(samples.pdf(), name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT).stored_file
    file_storage.delete(lost.key)
    out = StringIO()
    call_command("storage_gc", stdout=out)
    assert f"запись без объекта: #{lost.pk} {lost.key}" in out.getvalue()
    assert StoredFile.objects.count() == 1
    call_command("storage_gc", "--apply", stdout=out)
    assert StoredFile.objects.count() == 0


def test_presigned_upload_is_not_supported_by_local_storage(tmp_path, settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    with pytest.raises(NotImplementedError):
        create_presigned_upload(declared_type="application/pdf", size=10, use=FileUse.ATTACHMENT)


@pytest.mark.s3
class TestDirectUpload:
    def put(self, storage: Storage, data: bytes, declared_type: str = "application/pdf") -> str:
        upload = create_presigned_upload(declared_type=declared_type, size=len(data), use=FileUse.ATTACHMENT)
        response = httpx.put(upload.url, content=data, headers=upload.headers)
        assert response.status_code == 200, response.text
        assert list_objects(storage) == [upload.key]
        return upload.key

    def test_verified_upload_is_moved_to_its_content_key(self, s3_storage: Storage) -> None:
        data = samples.pdf(padding=100_000)
        key = self.put(s3_storage, data)
        result = verify_uploaded_object(
            key,
            expected_size=len(data),
            expected_sha256=hashlib.sha256(data).hexdigest(),
            name="урок.pdf",
            declared_type="application/pdf",
            use=FileUse.ATTACHMENT,
        )
        assert result.outcome is StoreOutcome.CREATED
        assert list_objects(s3_storage) == [result.stored_file.key]
        with open_stored(result.stored_file) as stored:
            assert stored.read() == data

    def test_executable_uploaded_directly_is_deleted(self, s3_storage: Storage) -> None:
        data = samples.ELF
        key = self.put(s3_storage, data)
        with pytest.raises(FileRejected) as caught:
            verify_uploaded_object(
                key,
                expected_size=len(data),
                expected_sha256=hashlib.sha256(data).hexdigest(),
                name="урок.pdf",
                declared_type="application/pdf",
                use=FileUse.ATTACHMENT,
            )
        assert caught.value.code == "executable"
        assert list_objects(s3_storage) == []
        assert StoredFile.objects.count() == 0

    @pytest.mark.parametrize("field", ["size", "sha256"])
    def test_mismatched_upload_is_deleted(self, s3_storage: Storage, field: str) -> None:
        data = samples.pdf()
        key = self.put(s3_storage, data)
        with pytest.raises(FileRejected) as caught:
            verify_uploaded_object(
                key,
                expected_size=len(data) + (field == "size"),
                expected_sha256=hashlib.sha256(data + (b"!" if field == "sha256" else b"")).hexdigest(),
                name="урок.pdf",
                declared_type="application/pdf",
                use=FileUse.ATTACHMENT,
            )
        assert caught.value.code == "upload_mismatch"
        assert list_objects(s3_storage) == []
        assert StoredFile.objects.count() == 0

    def test_missing_upload(self, s3_storage: Storage) -> None:
        with pytest.raises(FileRejected) as caught:
            verify_uploaded_object(
                "incoming/nothing",
                expected_size=1,
                expected_sha256="0" * 64,
                name="a.pdf",
                declared_type=None,
                use=FileUse.ATTACHMENT,
            )
        assert caught.value.code == "upload_missing"

    def test_oversize_upload_gets_no_url(self, s3_storage: Storage) -> None:
        with pytest.raises(FileRejected) as caught:
            create_presigned_upload(declared_type="application/pdf", size=10**12, use=FileUse.ATTACHMENT)
        assert caught.value.code == "too_large"

    def test_signature_covers_content_type(self, s3_storage: Storage, s3_server) -> None:
        if s3_server.kind != "s3proxy":
            pytest.skip("only s3proxy checks signatures like AWS does")
        upload = create_presigned_upload(declared_type="application/pdf", size=4, use=FileUse.ATTACHMENT)
        response = httpx.put(upload.url, content=b"<h1>", headers={"Content-Type": "text/html"})
        assert response.status_code == 403
        assert list_objects(s3_storage) == []
