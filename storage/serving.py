"""Serving stored files: who may download a file, and a response that never renders it on our origin.

A file is public once it is attached to a published (``live``) resource. Before that only its uploaders (the
organisation of an API key, or a vendor's staff in the admin) and editors who may see every file (superusers,
methodists, anyone with ``storage.view_storedfile``) get it; everyone else gets a 404, as for a missing file.

On S3 the answer is a redirect to a short-lived presigned GET URL whose response headers are fixed by the
signature (``attachment`` disposition, the detected content type); the bucket is another origin. On local
storage the view streams the object with ``Content-Disposition: attachment``, ``nosniff`` and a sandboxing
Content-Security-Policy, so even an HTML page inside a package cannot run as the catalog.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from storage.conf import storage_policy
from storage.filetypes import FileType
from storage.models import StoredFile
from storage.services import get_storage, open_stored
from storage.uploads import attachable_files, supports_direct_upload

if TYPE_CHECKING:
    from content_repo.publishers.models import Organization

SANDBOX_POLICY = "sandbox; default-src 'none'"
SPEC_BY_MIME = {t.spec.mime_type: t.spec for t in FileType}


def download_url(stored: StoredFile) -> str:
    """The catalog's URL of a file (``/files/<id>/<name>``), which applies the access rules."""
    return reverse("storage:download", kwargs={"pk": stored.pk, "name": download_name(stored)})


def download_name(stored: StoredFile) -> str:
    """The original base name with an extension that matches the detected type (``урок.pdf``)."""
    base = PurePosixPath(stored.original_name.replace("\\", "/")).name.strip() or stored.sha256[:12]
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


def visible_to(stored: StoredFile, *, organization: Organization | None = None, user: Any = None) -> bool:
    """Whether the requester (an API key's organisation, or an admin user) may download ``stored``."""
    if is_public(stored):
        return True
    if organization is not None and attachable_files(organization).filter(pk=stored.pk).exists():
        return True
    return user is not None and _user_sees(user, stored)


def _user_sees(user: Any, stored: StoredFile) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.has_perm("storage.view_storedfile") or user.has_perm("resources.review_resource"):
        return True
    from content_repo.publishers.models import organizations_of

    return any(attachable_files(org).filter(pk=stored.pk).exists() for org in organizations_of(user))


def file_response(stored: StoredFile) -> HttpResponseBase:
    """A redirect to a presigned GET URL (S3) or the streamed object (local storage), as an attachment."""
    name = download_name(stored)
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
