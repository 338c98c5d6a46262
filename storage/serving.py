"""Serving stored files: who may download a file, and a response that never renders it on our origin.

Two addresses lead to a file. ``/files/<upload id>/<name>`` is the one the API hands out: it goes through an
organisation's own upload, so it names nothing another organisation could recognise. ``/files/<id>/<name>``
(the stored file's row id) is the admin's.

A file is public once it is attached to a published (``live``) resource: both addresses serve it to anyone.
Before that, through an upload: the organisation the upload belongs to (its API keys and its staff in the
admin), the user who made it, and editors who may see every file (superusers, methodists, anyone with
``storage.view_storedfile``); through the row id: only those editors and the staff of an organisation that
uploaded or attached the file — an API key gets nothing there, so a key of an organisation that uploaded
the same bytes cannot reach another's file by its row id. Everyone else gets a 404, as for a missing file.

On S3 the answer is a redirect to a short-lived presigned GET URL whose response headers are fixed by the
signature (``attachment`` disposition, the detected content type); the bucket is another origin. On local
storage the view streams the object with ``Content-Disposition: attachment``, ``nosniff`` and a sandboxing
Content-Security-Policy, so even an HTML page inside a package cannot run as the catalog.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from storage.conf import storage_policy
from storage.filetypes import FileType
from storage.models import StoredFile, Upload
from storage.services import get_storage, open_stored
from storage.uploads import attachable_files, supports_direct_upload, uploads_usable_by

if TYPE_CHECKING:
    from content_repo.publishers.models import Organization

SANDBOX_POLICY = "sandbox; default-src 'none'"
SPEC_BY_MIME = {t.spec.mime_type: t.spec for t in FileType}


def download_url(stored: StoredFile) -> str:
    """The admin's URL of a file (``/files/<id>/<name>``), which applies the access rules."""
    return reverse("storage:download", kwargs={"pk": stored.pk, "name": download_name(stored)})


def upload_download_url(upload: Upload) -> str:
    """The API's URL of an uploaded file (``/files/<upload id>/<name>``), which applies the access rules."""
    assert upload.stored_file is not None, "only a completed upload has a file"
    return reverse(
        "storage:upload-download",
        kwargs={"upload_id": upload.pk, "name": download_name(upload.stored_file, upload.original_name)},
    )


def absolute_url(path: str) -> str:
    """``path`` on the catalog's public address (``settings.CATALOG_BASE_URL``)."""
    return settings.CATALOG_BASE_URL.rstrip("/") + path


def download_name(stored: StoredFile, original: str | None = None) -> str:
    """The original base name with an extension that matches the detected type (``урок.pdf``).

    ``original`` is the name an upload gave (the row keeps the first uploader's, which is not another
    organisation's business)."""
    given = stored.original_name if original is None else original
    base = PurePosixPath(given.replace("\\", "/")).name.strip() or stored.sha256[:12]
    spec = SPEC_BY_MIME.get(stored.mime_type)
    extensions = spec.extensions if spec else (stored.extension,)
    suffix = PurePosixPath(base).suffix.lower().lstrip(".")
    if suffix not in extensions:
        base = f"{base}.{stored.extension}"
    return "".join(ch for ch in base if ch.isprintable() and ch not in '/"') or f"file.{stored.extension}"


def attachment_disposition(name: str) -> str:
    """``attachment; filename="ASCII fallback"; filename*=UTF-8''<percent-encoded name>`` (RFC 6266)."""
    stem, _, extension = name.rpartition(".")
    fallback = "".join(ch for ch in stem if ch.isascii() and (ch.isalnum() or ch in "-_ .")).strip() or "file"
    return f"attachment; filename=\"{fallback}.{extension}\"; filename*=UTF-8''{quote(name, safe='')}"


def is_public(stored: StoredFile) -> bool:
    """Attached to at least one published resource."""
    return stored.attachments.filter(resource__live=True).exists()


def visible_to(stored: StoredFile, *, user: Any = None) -> bool:
    """Whether an admin user (or anyone, for a public file) may download ``stored`` by its row id."""
    if is_public(stored):
        return True
    return _is_active(user) and (_is_editor(user) or _staff_sees(user, stored))


def upload_visible_to(upload: Upload, *, organization: Organization | None = None, user: Any = None) -> bool:
    """Whether the requester (an API key's organisation, or an admin user) may download through ``upload``."""
    if upload.status != Upload.Status.COMPLETED or upload.stored_file is None:
        return False
    if is_public(upload.stored_file):
        return True
    if organization is not None:
        return uploads_usable_by(organization).filter(pk=upload.pk).exists()
    if not _is_active(user):
        return False
    if _is_editor(user) or upload.uploaded_by_id == user.pk:
        return True
    from content_repo.publishers.models import organizations_of

    return any(uploads_usable_by(org).filter(pk=upload.pk).exists() for org in organizations_of(user))


def _is_active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _is_editor(user: Any) -> bool:
    return bool(
        user.is_superuser or user.has_perm("storage.view_storedfile") or user.has_perm("resources.review_resource")
    )


def _staff_sees(user: Any, stored: StoredFile) -> bool:
    from content_repo.publishers.models import organizations_of

    return any(attachable_files(org).filter(pk=stored.pk).exists() for org in organizations_of(user))


def file_response(stored: StoredFile, original: str | None = None) -> HttpResponseBase:
    """A redirect to a presigned GET URL (S3) or the streamed object (local storage), as an attachment named
    after ``original`` (an upload's name) or the row's name."""
    name = download_name(stored, original)
    disposition = attachment_disposition(name)
    if supports_direct_upload():
        s3: Any = get_storage()  # django-storages' S3Storage.url takes response parameters and an expiry
        url = s3.url(
            stored.key,
            parameters={"ResponseContentDisposition": disposition, "ResponseContentType": stored.mime_type},
            expire=storage_policy().download_url_expiry,
        )
        response: HttpResponseBase = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
    else:
        response = FileResponse(open_stored(stored), as_attachment=True, filename=name, content_type=stored.mime_type)
        response["Content-Disposition"] = disposition
        response["Content-Security-Policy"] = SANDBOX_POLICY
        response["Cache-Control"] = "private, max-age=0"
    response["X-Content-Type-Options"] = "nosniff"
    return response
