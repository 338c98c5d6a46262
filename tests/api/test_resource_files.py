"""Files reach the API: a vendor attaches its uploads to a resource (single and bulk, both formats) and everyone
reads them back in JSON and JSON-LD; another organisation's upload is refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage

from content_repo.resources.models import Resource
from storage.filetypes import FileUse
from storage.uploads import accept_upload
from tests.storage import samples

from .conftest import LESSON
from .helpers import feed_item, post_feed, problem

pytestmark = pytest.mark.django_db


def upload(organization, data: bytes, name: str, use: FileUse = FileUse.ATTACHMENT) -> str:
    return str(accept_upload(data, name=name, declared_type=None, use=use, organization=organization).upload.pk)


def png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 360), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def approve(callers, resource_id) -> dict:
    assert callers.review.post(f"/api/v1/resources/{resource_id}/approve/", {}, format="json").status_code == 200
    return callers.anonymous.get(f"/api/v1/resources/{resource_id}/").json()


def test_a_vendor_attaches_files_and_a_cover_which_everyone_reads_back(callers) -> None:
    org = callers.users.org_a
    worksheet = upload(org, samples.pdf(), "рабочий лист.pdf")
    cover = upload(org, png(), "обложка.png", FileUse.COVER_IMAGE)
    document = LESSON | {
        "files": [{"upload": worksheet, "title": "Рабочий лист", "role": "worksheet"}],
        "thumbnail": cover,
    }

    created = callers.publish_a.post("/api/v1/resources/", document, format="json")

    assert created.status_code == 201, created.content
    resource = approve(callers, created.json()["id"])
    [attached] = resource["files"]
    assert (attached["id"], attached["title"], attached["role"]) == (worksheet, "Рабочий лист", "worksheet")
    assert attached["mime_type"] == "application/pdf" and attached["size"] == len(samples.pdf())
    assert attached["download_url"].startswith("http://") and "/files/" in attached["download_url"]
    assert resource["thumbnail"]["thumbnail_url"].startswith("http://") and resource["thumbnail"]["width"] == 640
    path = "/" + attached["download_url"].split("/", 3)[3]
    download = callers.anonymous.get(path)
    assert download.status_code == 200 and b"".join(download.streaming_content) == samples.pdf()

    node = callers.anonymous.get(f"/api/v1/resources/{created.json()['id']}/?format=jsonld").json()
    [media] = node["associatedMedia"]
    assert media["@type"] == "MediaObject"
    assert (media["contentUrl"], media["encodingFormat"]) == (attached["download_url"], "application/pdf")
    assert (media["contentSize"], media["sha256"], media["name"]) == (
        str(attached["size"]),
        attached["sha256"],
        "Рабочий лист",
    )
    assert node["thumbnailUrl"] == resource["thumbnail"]["thumbnail_url"]


def test_a_patch_keeps_files_it_does_not_mention_and_replaces_those_it_does(callers) -> None:
    org = callers.users.org_a
    first, second = upload(org, samples.pdf(), "1.pdf"), upload(org, samples.ooxml("docx"), "2.docx")
    created = callers.publish_a.post(
        "/api/v1/resources/", LESSON | {"files": [{"upload": first, "title": "Лист"}]}, format="json"
    ).json()
    url = f"/api/v1/resources/{created['id']}/"

    callers.publish_a.patch(url, {"title": "Новое название"}, format="json")
    assert [
        f["title"] for f in callers.publish_a.get(f"/api/v1/submissions/{created['id']}/").json()["values"]["files"]
    ] == ["Лист"]

    response = callers.publish_a.patch(
        url, {"files": [{"upload": second, "title": "Ответы", "role": "answer_key"}]}, format="json"
    )
    assert response.status_code == 200, response.content
    resource = approve(callers, created["id"])
    assert [(f["title"], f["role"], f["id"]) for f in resource["files"]] == [("Ответы", "answer_key", second)]


def test_another_organisations_upload_or_a_wrong_use_is_refused_and_nothing_is_saved(callers) -> None:
    foreign = upload(callers.users.org_b, samples.pdf(), "чужой.pdf")
    own_pdf = upload(callers.users.org_a, samples.ooxml("docx"), "свой.docx")
    document = LESSON | {
        "files": [{"upload": foreign}, {"upload": "not-an-id", "role": "poster"}],
        "thumbnail": own_pdf,  # an attachment, not a cover image
    }

    body = problem(callers.publish_a.post("/api/v1/resources/", document, format="json"), 400)

    assert sorted(body["errors"]) == ["files[0].upload", "files[1].role", "files[1].upload", "thumbnail"]
    assert "не найдена" in body["errors"]["files[0].upload"][0]
    assert Resource.objects.count() == 0


def test_bulk_lines_attach_files_in_both_formats(callers) -> None:
    org = callers.users.org_a
    sheet, cover = upload(org, samples.pdf(), "лист.pdf"), upload(org, png(), "c.png", FileUse.COVER_IMAGE)
    jsonld = feed_item(
        "f-1",
        "Дроби",
        associatedMedia=[{"@type": "MediaObject", "identifier": sheet, "name": "Лист", "additionalType": "worksheet"}],
        thumbnail={"@type": "ImageObject", "identifier": cover},
    )
    catalog = LESSON | {"external_id": "f-2", "files": [{"upload": sheet, "title": "Тот же лист"}]}
    foreign = feed_item(
        "f-3",
        "Чужой файл",
        associatedMedia=[{"identifier": upload(callers.users.org_b, samples.ooxml("docx"), "b.docx")}],
    )

    results = post_feed(callers.publish_a, jsonld, catalog, foreign).json()["results"]

    assert [(r["line"], r["status"]) for r in results] == [(1, "created"), (2, "created"), (3, "rejected")]
    assert list(results[2]["errors"]) == ["associatedMedia[0].identifier"]
    first = Resource.objects.get(pk=results[0]["id"])
    assert [(f.title, f.role) for f in first.files.all()] == [("Лист", "worksheet")]
    assert first.thumbnail is not None and first.thumbnail.width == 640
    second = Resource.objects.get(pk=results[1]["id"])
    assert second.files.get().file_id == first.files.get().file_id  # one stored file, attached twice


def test_the_documented_request_fields_are_the_fields_the_intake_reads() -> None:
    from content_repo.api.inputs import ResourceInputSerializer
    from content_repo.intake.documents import CATALOG_FIELDS

    assert set(ResourceInputSerializer().fields) == set(CATALOG_FIELDS)
