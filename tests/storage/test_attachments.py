"""storage.attachments: upload ids an organisation sends, resolved with a reason per id, and the descriptions
of files and images that the API and JSON-LD show."""

from __future__ import annotations

import io
import uuid
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import Storage
from PIL import Image as PILImage

from content_repo.resources.models import ResourceFile
from storage.attachments import (
    FILE_USES,
    THUMBNAIL_USES,
    UploadNotUsable,
    UploadProblemCode,
    describe_image,
    describe_stored_file,
    describe_stored_files,
    resolve_upload,
    resolve_uploads,
)
from storage.covers import cover_image_from_upload
from storage.filetypes import FileUse
from storage.models import StoredFile, Upload
from storage.uploads import accept_upload, record_upload
from tests.factories import make_resource
from tests.storage import samples

pytestmark = pytest.mark.django_db


def uploaded(organization, data: bytes = b"", *, name: str = "урок.pdf", use: FileUse = FileUse.ATTACHMENT) -> Upload:
    return accept_upload(
        data or samples.pdf(), name=name, declared_type=None, use=use, organization=organization
    ).upload


def pending(organization, **values: object) -> Upload:
    return Upload.objects.create(organization=organization, channel=Upload.Channel.DIRECT, **values)


class TestResolveUploads:
    def test_every_id_gets_its_outcome_in_order(self, users, django_assert_num_queries) -> None:
        lesson = uploaded(users.org_a)
        package = uploaded(users.org_a, samples.scorm(), name="курс.zip", use=FileUse.PACKAGE)
        cover = uploaded(users.org_a, samples.image("PNG"), name="обложка.png", use=FileUse.COVER_IMAGE)
        foreign = uploaded(users.org_b, samples.pdf(padding=512))
        waiting = pending(users.org_a)
        refused = pending(users.org_a, status=Upload.Status.REJECTED, rejection_code="pdf_javascript")
        unknown = uuid.uuid4()
        sent: list[object] = [
            str(lesson.pk), "не-uuid", str(foreign.pk), package.pk, str(waiting.pk), 42, str(refused.pk),
            str(unknown), f" {str(cover.pk).upper()} ",
        ]  # fmt: skip

        with django_assert_num_queries(1):
            resolution = resolve_uploads(users.org_a, sent, uses=FILE_USES)

        assert not resolution.ok
        assert [(r.upload_id, r.stored_file) for r in resolution.resolved] == [
            (str(lesson.pk), lesson.stored_file),
            (str(package.pk), package.stored_file),
        ]
        assert [(p.upload_id, p.code) for p in resolution.problems] == [
            ("не-uuid", UploadProblemCode.INVALID),
            (str(foreign.pk), UploadProblemCode.NOT_FOUND),  # like an unknown id: existence is not disclosed
            (str(waiting.pk), UploadProblemCode.NOT_COMPLETED),
            ("42", UploadProblemCode.INVALID),
            (str(refused.pk), UploadProblemCode.REJECTED),
            (str(unknown), UploadProblemCode.NOT_FOUND),
            (f" {str(cover.pk).upper()} ", UploadProblemCode.WRONG_USE),
        ]
        messages = {p.code: p.message for p in resolution.problems}
        assert messages[UploadProblemCode.NOT_FOUND] == (
            f"Загрузка {unknown} не найдена среди загрузок вашей организации."
        )
        assert "complete_url" in messages[UploadProblemCode.NOT_COMPLETED]
        assert "pdf_javascript" in messages[UploadProblemCode.REJECTED]
        assert messages[UploadProblemCode.WRONG_USE] == (
            f"Загрузка {cover.pk} сделана с назначением cover_image (обложка), а здесь нужно "
            "attachment (вложение) или package (пакет)."
        )

    def test_thumbnail_needs_a_cover_image(self, users) -> None:
        cover = uploaded(users.org_a, samples.image("PNG"), name="обложка.png", use=FileUse.COVER_IMAGE)
        lesson = uploaded(users.org_a)

        assert resolve_upload(users.org_a, str(cover.pk), uses=THUMBNAIL_USES).stored_file == cover.stored_file
        with pytest.raises(UploadNotUsable) as caught:
            resolve_upload(users.org_a, str(lesson.pk), uses=THUMBNAIL_USES)
        assert caught.value.problem.code == UploadProblemCode.WRONG_USE
        assert "cover_image (обложка)" in caught.value.problem.message

    def test_editor_upload_of_a_file_on_own_resource_is_usable(self, users) -> None:
        stored = uploaded(users.org_a).stored_file
        by_methodist = record_upload(
            stored,
            organization=None,
            user=users.methodist,
            channel=Upload.Channel.ADMIN,
            use=FileUse.ATTACHMENT,
            name="от методиста.pdf",
        )
        ResourceFile.objects.create(resource=make_resource(provider=users.org_b), file=stored)

        assert resolve_uploads(users.org_b, [str(by_methodist.pk)], uses=FILE_USES).ok
        problem = resolve_uploads(users.org_a, [str(by_methodist.pk)], uses=FILE_USES).problems[0]
        assert problem.code == UploadProblemCode.NOT_FOUND


class TestDescribe:
    def test_each_organisation_is_shown_its_own_upload(self, users) -> None:
        own_a = uploaded(users.org_a, name="урок.pdf")
        own_b = uploaded(users.org_b, name="конспект.pdf")
        stored = own_a.stored_file
        assert own_b.stored_file == stored

        for organization, upload, name in [(users.org_a, own_a, "урок.pdf"), (users.org_b, own_b, "конспект.pdf")]:
            description = describe_stored_file(stored, organization=organization)
            assert description.as_json() == {
                "id": str(upload.pk),
                "mime_type": "application/pdf",
                "size": stored.size,
                "sha256": stored.sha256,
                "download_url": f"{settings.CATALOG_BASE_URL}/files/{upload.pk}/{quote(name)}",
            }

    def test_media_object_for_json_ld(self, users) -> None:
        upload = uploaded(users.org_a)
        stored = upload.stored_file
        assert describe_stored_file(stored, organization=users.org_a).as_media_object() == {
            "@type": "MediaObject",
            "identifier": str(upload.pk),
            "contentUrl": f"{settings.CATALOG_BASE_URL}/files/{upload.pk}/{quote('урок.pdf')}",
            "encodingFormat": "application/pdf",
            "contentSize": str(stored.size),
            "sha256": stored.sha256,
        }

    def test_without_a_usable_upload_the_row_address_is_shown(self, users) -> None:
        stored = uploaded(users.org_a).stored_file
        description = describe_stored_file(stored, organization=users.org_b)
        assert description.id is None
        assert description.download_url == f"{settings.CATALOG_BASE_URL}/files/{stored.pk}/{quote('урок.pdf')}"

    def test_own_upload_is_preferred_to_an_editors(self, users) -> None:
        stored = uploaded(users.org_a).stored_file
        by_methodist = record_upload(
            stored, organization=None, user=users.methodist, channel=Upload.Channel.ADMIN,
            use=FileUse.ATTACHMENT, name="м.pdf",
        )  # fmt: skip
        ResourceFile.objects.create(resource=make_resource(provider=users.org_b), file=stored)
        assert describe_stored_file(stored, organization=users.org_b).id == str(by_methodist.pk)
        later_own = uploaded(users.org_b)
        assert describe_stored_file(stored, organization=users.org_b).id == str(later_own.pk)
        assert describe_stored_file(stored).id == str(by_methodist.pk)  # no provider: the editor's upload

    def test_many_files_cost_one_query(self, users, django_assert_num_queries) -> None:
        files = [uploaded(users.org_a, samples.pdf(padding=256 * (i + 1))).stored_file for i in range(5)]
        with django_assert_num_queries(1):
            descriptions = describe_stored_files(files, organization=users.org_a)
        assert [d.sha256 for d in descriptions] == [f.sha256 for f in files]
        assert all(d.id is not None for d in descriptions)

    def test_images_carry_their_size(self, users) -> None:
        cover = uploaded(users.org_a, samples.image("PNG", (64, 32)), name="о.png", use=FileUse.COVER_IMAGE)
        body = describe_stored_file(cover.stored_file, organization=users.org_a).as_json()
        assert (body["mime_type"], body["width"], body["height"]) == ("image/png", 64, 32)


def test_image_renditions_are_served_by_signed_urls(client, users, file_storage: Storage) -> None:
    caches["default"].clear()  # Wagtail caches renditions by image id; ids repeat across rolled-back tests
    cover = uploaded(users.org_a, samples.image("PNG", (640, 360)), name="обложка.png", use=FileUse.COVER_IMAGE)
    image = cover_image_from_upload(cover.stored_file, title="Дроби")

    description = describe_image(image)

    assert (description.id, description.width, description.height) == (image.pk, 640, 360)
    for url, size in [(description.thumbnail_url, (320, 180)), (description.url, (640, 360))]:
        assert url.startswith(f"{settings.CATALOG_BASE_URL}/images/")
        response = client.get(urlsplit(url).path)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert PILImage.open(io.BytesIO(b"".join(response.streaming_content))).size == size
    path = urlsplit(description.thumbnail_url).path
    forged = path.replace("fill-320x180", "fill-3200x1800")
    assert client.get(forged).status_code == 403
    assert StoredFile.objects.count() == 1
