"""Content-addressed de-duplication without disclosure: an organisation that uploads bytes another one already
uploaded gets its own upload id, status and download URL, and reaches the file only through its own upload."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import httpx
import pytest
from django.core.files.storage import Storage
from django.urls import reverse

from content_repo.resources.models import ResourceFile
from storage.filetypes import FileUse
from storage.models import StoredFile, Upload
from storage.serving import download_url
from storage.uploads import accept_upload
from tests.factories import make_resource
from tests.storage import samples
from tests.storage.conftest import list_objects
from tests.storage.test_api import presign, upload
from tests.storage.test_serving import body_of, path_of

pytestmark = pytest.mark.django_db

LESSON = samples.pdf(padding=4096)


def fields_of(body: dict) -> str:
    return " ".join(str(value) for value in body.values())


def test_second_organisation_learns_nothing_of_the_first(client, api_keys, users, file_storage: Storage) -> None:
    first = upload(client, api_keys["publish_a"], ("урок.pdf", LESSON, None))
    second = upload(client, api_keys["publish_b"], ("конспект.pdf", LESSON, None))

    assert (first.status_code, second.status_code) == (201, 201)  # 200 would say "someone has these bytes"
    a, b = first.json(), second.json()
    stored = StoredFile.objects.get()
    upload_a = Upload.objects.get(organization=users.org_a)
    upload_b = Upload.objects.get(organization=users.org_b)
    assert (a["id"], b["id"]) == (str(upload_a.pk), str(upload_b.pk))
    assert a["id"] not in fields_of(b) and f"/files/{stored.pk}/" not in fields_of(b)
    assert "урок" not in fields_of(b)  # nor the first uploader's file name
    assert {k: b[k] for k in ("sha256", "mime_type", "size")} == {
        "sha256": hashlib.sha256(LESSON).hexdigest(),
        "mime_type": "application/pdf",
        "size": len(LESSON),
    }
    assert list_objects(file_storage) == [stored.key]  # still stored once

    # Each organisation downloads through its own upload, and only through it.
    for own, other, key in [(a, b, "publish_a"), (b, a, "publish_b")]:
        response = client.get(path_of(own["download_url"]), **api_keys[key])
        assert response.status_code in (200, 302)
        assert client.get(path_of(other["download_url"]), **api_keys[key]).status_code == 404
        assert client.get(download_url(stored), **api_keys[key]).status_code == 404


def test_batch_answers_per_organisation(client, api_keys, users) -> None:
    upload(client, api_keys["publish_a"], ("урок.pdf", LESSON, None))

    response = upload(client, api_keys["publish_b"], ("a.pdf", LESSON, None), ("b.pdf", LESSON, None))

    assert response.status_code == 207
    results = response.json()["results"]
    assert [item["status"] for item in results] == [201, 200]  # new for B, then B's own again
    assert results[0]["file"] == results[1]["file"]
    assert results[0]["file"]["id"] == str(Upload.objects.get(organization=users.org_b).pk)


def test_streamed_download_through_an_upload_is_the_file(client, api_keys, local_storage: Storage) -> None:
    upload(client, api_keys["publish_a"], ("урок.pdf", LESSON, None))
    b = upload(client, api_keys["publish_b"], ("конспект.pdf", LESSON, None)).json()

    response = client.get(path_of(b["download_url"]), **api_keys["publish_b"])

    assert body_of(response) == LESSON
    # Named as B named it: the row keeps the first uploader's name, which is not B's business.
    assert response["Content-Disposition"].endswith("''" + quote("конспект.pdf"))
    assert b["download_url"].endswith("/" + quote("конспект.pdf"))


@pytest.mark.s3
def test_direct_upload_of_known_bytes_is_a_new_upload(client, api_keys, users, s3_storage: Storage) -> None:
    upload(client, api_keys["publish_a"], ("урок.pdf", LESSON, None))
    ticket = presign(client, api_keys["publish_b"], LESSON).json()
    assert httpx.put(ticket["url"], content=LESSON, headers=ticket["headers"]).status_code == 200

    response = client.post(ticket["complete_url"], **api_keys["publish_b"])

    assert response.status_code == 201
    assert response.json()["id"] == ticket["upload_id"] == str(Upload.objects.get(organization=users.org_b).pk)
    assert StoredFile.objects.count() == 1
    assert list_objects(s3_storage) == [StoredFile.objects.get().key]


def test_vendor_staff_see_only_their_side_of_a_shared_file(client, users) -> None:
    stored = accept_upload(
        LESSON, name="секрет-а.pdf", declared_type=None, use=FileUse.ATTACHMENT, organization=users.org_a
    ).stored_file
    ResourceFile.objects.create(resource=make_resource(provider=users.org_a, title="Черновик А"), file=stored)
    accept_upload(LESSON, name="наш.pdf", declared_type=None, use=FileUse.ATTACHMENT, organization=users.org_b)
    client.force_login(users.vendor_b)

    listing = client.get(reverse("files:index")).content.decode()
    card = client.get(reverse("files:inspect", args=[stored.pk])).content.decode()

    for page in (listing, card):
        assert users.org_b.name in page and "наш.pdf" in page
        assert users.org_a.name not in page and "Черновик А" not in page and "секрет-а" not in page
    client.force_login(users.methodist)
    card = client.get(reverse("files:inspect", args=[stored.pk])).content.decode()
    assert users.org_a.name in card and users.org_b.name in card and "Черновик А" in card
    assert "секрет-а.pdf" in card
