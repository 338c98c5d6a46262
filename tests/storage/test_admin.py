"""The admin: Wagtail image uploads validated as covers, renditions on both storages, the «Файлы» viewset."""

from __future__ import annotations

import io

import pytest
from django.core.cache import caches
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection

from content_repo.resources.models import ResourceFile
from storage.covers import NotAttachable, cover_image_from_upload
from storage.filetypes import FileUse
from storage.models import StoredFile, Upload
from storage.uploads import accept_upload
from tests.factories import make_resource
from tests.storage import samples
from tests.storage.conftest import list_objects

pytestmark = pytest.mark.django_db


def add_image(client, data: bytes, name: str, content_type: str = "application/octet-stream"):
    return client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Обложка урока",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile(name, data, content_type),
        },
    )


class TestImageForm:
    def test_png_bomb_is_rejected_with_the_rule_message(self, client, users, file_storage: Storage) -> None:
        client.force_login(users.admin)
        response = add_image(client, samples.png_bomb(), "обложка.png")

        assert response.status_code == 200
        [error] = response.context["form"].errors.as_data()["file"]
        assert error.code == "image_bomb"
        assert "Изображение похоже на «бомбу распаковки»" in response.content.decode()
        assert Image.objects.count() == 0
        assert list_objects(file_storage) == []

    @pytest.mark.parametrize(
        ("data", "name", "code"),
        [
            (samples.SVG, "обложка.svg", "active_content"),
            (samples.image("JPEG")[:200], "обрезана.jpg", "image_corrupt"),
            (samples.image("GIF"), "анимация.gif", "type_not_allowed"),
            (samples.image("JPEG"), "обложка.png", "type_mismatch"),
        ],
        ids=["svg", "truncated_jpeg", "gif", "jpeg_named_png"],
    )
    def test_hostile_images_are_rejected(self, client, users, data: bytes, name: str, code: str) -> None:
        client.force_login(users.admin)
        response = add_image(client, data, name)

        assert response.status_code == 200
        [error] = response.context["form"].errors.as_data()["file"]
        assert error.code == code
        assert escape(error.message) in response.content.decode()
        assert Image.objects.count() == 0

    def test_image_is_stored_reencoded_without_metadata(self, client, users, file_storage: Storage) -> None:
        client.force_login(users.admin)
        response = add_image(client, samples.jpeg_with_gps_and_orientation(), "фото.jpg", "image/jpeg")

        assert response.status_code == 302, response.content.decode()[:2000]
        image = Image.objects.get()
        with image.open_file() as opened:
            content = opened.read()
        assert b"Exif" not in content and b"GPS" not in content
        assert (image.width, image.height) == (20, 40)  # orientation applied
        assert list_objects(file_storage) == [image.file.name]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_renditions_are_made_in_the_same_storage(client, users, file_storage: Storage, fmt: str) -> None:
    # Wagtail caches renditions by image id; ids repeat across rolled-back tests.
    caches["default"].clear()
    client.force_login(users.admin)
    assert add_image(client, samples.image(fmt, (640, 360)), f"обложка.{fmt.lower()}").status_code == 302
    image = Image.objects.get()

    rendition = image.get_rendition("fill-320x180")

    assert (rendition.width, rendition.height) == (320, 180)
    assert sorted(list_objects(file_storage)) == sorted([image.file.name, rendition.file.name])
    with rendition.file.open("rb") as opened:
        assert PILImage.open(io.BytesIO(opened.read())).size == (320, 180)


def test_cover_from_an_uploaded_image(users, file_storage: Storage) -> None:
    stored = accept_upload(
        samples.image("PNG", (640, 360)),
        name="обложка.png",
        declared_type="image/png",
        use=FileUse.COVER_IMAGE,
        organization=users.org_a,
    ).stored_file

    image = cover_image_from_upload(stored, title="Дроби", organization=users.org_a)

    assert (image.width, image.height) == (640, 360)
    assert cover_image_from_upload(stored, title="Дроби") == image  # same bytes, same image
    assert image.get_rendition("fill-320x180").width == 320
    with pytest.raises(NotAttachable):
        cover_image_from_upload(stored, title="Дроби", organization=users.org_b)


class TestFilesViewSet:
    def upload(self, client, data: bytes, name: str, use: str = "attachment"):
        upload = SimpleUploadedFile(name, data, "application/octet-stream")
        return client.post(reverse("files:add"), {"upload": upload, "use": use})

    def test_methodist_uploads_through_the_same_validation(self, client, users, file_storage: Storage) -> None:
        client.force_login(users.methodist)
        response = self.upload(client, samples.HTML, "урок.docx")

        assert response.status_code == 200
        assert "HTML" in response.content.decode()
        assert StoredFile.objects.count() == 0
        assert list_objects(file_storage) == []

        response = self.upload(client, samples.pdf(), "урок.pdf")
        assert response.status_code == 302
        stored = StoredFile.objects.get()
        upload = Upload.objects.get()
        assert (upload.stored_file, upload.channel, upload.uploaded_by) == (stored, "admin", users.methodist)
        assert list_objects(file_storage) == [stored.key]

    def test_pdf_with_a_script_is_refused_with_its_code(self, client, users, file_storage: Storage) -> None:
        client.force_login(users.vendor_a)
        response = self.upload(client, samples.pdf(catalog=b"/OpenAction << /S /JavaScript /JS (1) >>"), "урок.pdf")

        assert response.status_code == 200
        [error] = response.context["form"].errors.as_data()["upload"]
        assert error.code == "pdf_javascript"
        assert "JavaScript" in response.content.decode()
        assert (StoredFile.objects.count(), Upload.objects.count()) == (0, 0)
        assert list_objects(file_storage) == []

    def test_listing_shows_uploader_and_resource(self, client, users) -> None:
        stored = accept_upload(
            samples.pdf(), name="задачи.pdf", declared_type=None, use=FileUse.ATTACHMENT, organization=users.org_a
        ).stored_file
        resource = make_resource(provider=users.org_a, title="Дроби")
        ResourceFile.objects.create(resource=resource, file=stored, sort_order=0)
        client.force_login(users.methodist)

        page = client.get(reverse("files:index")).content.decode()

        assert "задачи.pdf" in page and "application/pdf" in page
        assert users.org_a.name in page and "Дроби" in page

    def test_vendor_sees_only_own_organisation_files(self, client, users) -> None:
        for org, name in [(users.org_a, "a.pdf"), (users.org_b, "b.pdf")]:
            accept_upload(
                samples.pdf(padding=len(name) * 256 + (org == users.org_b) * 256),
                name=name,
                declared_type=None,
                use=FileUse.ATTACHMENT,
                organization=org,
            )
        client.force_login(users.vendor_a)

        page = client.get(reverse("files:index")).content.decode()
        chooser = client.get(reverse("file_chooser:choose")).json()["html"]

        assert "a.pdf" in page and "b.pdf" not in page
        assert "a.pdf" in chooser and "b.pdf" not in chooser

    def test_resource_file_inline_offers_the_chooser(self, client, users) -> None:
        resource = make_resource(provider=users.org_a)
        client.force_login(users.methodist)
        page = client.get(reverse("wagtailsnippets_resources_resource:edit", args=[resource.pk])).content.decode()
        assert reverse("file_chooser:choose") in page


class TestDocumentForm:
    """Wagtail documents go through the attachment rules (``WAGTAILDOCS_DOCUMENT_FORM_BASE``)."""

    SCRIPTED = samples.pdf(compressed={4: b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"})

    def add(self, client, data: bytes, name: str):
        return client.post(
            reverse("wagtaildocs:add"),
            {
                "title": "Конспект",
                "collection": Collection.get_first_root_node().pk,
                "file": SimpleUploadedFile(name, data, "application/pdf"),
            },
        )

    def test_pdf_with_a_script_is_refused(self, client, users, file_storage: Storage) -> None:
        client.force_login(users.methodist)
        response = self.add(client, self.SCRIPTED, "конспект.pdf")

        assert response.status_code == 200
        errors = response.context["form"].errors.as_data()["file"]
        assert errors[0].code == "pdf_javascript"  # (Wagtail adds its own note on the missing extension)
        assert Document.objects.count() == 0
        assert list_objects(file_storage) == []

    def test_multiple_upload_refuses_too(self, client, users) -> None:
        client.force_login(users.methodist)
        response = client.post(
            reverse("wagtaildocs:add_multiple"),
            {"files[]": SimpleUploadedFile("конспект.pdf", self.SCRIPTED, "application/pdf")},
        )

        assert response.status_code == 200
        body = response.json()
        assert body["success"] is False and "JavaScript" in body["error_message"]
        assert Document.objects.count() == 0

    def test_plain_pdf_is_kept_as_uploaded(self, client, users, file_storage: Storage) -> None:
        client.force_login(users.methodist)
        data = samples.pdf(padding=2048)
        assert self.add(client, data, "конспект.pdf").status_code == 302
        document = Document.objects.get()
        with document.open_file() as opened:
            assert opened.read() == data
