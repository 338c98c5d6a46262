"""Uploads by organisations: who brought which file, direct uploads to S3, and who may attach what.

``storage.services`` knows bytes and keys; this module adds the people: an ``Upload`` row records the
organisation (and user) behind each accepted file, a direct upload is tracked from its presigned URL to its
verification, and ``attachable_by`` is the rule the resources API and the admin apply when files get attached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from storage.exceptions import FileRejected
from storage.filetypes import FileUse
from storage.models import StoredFile, Upload
from storage.services import (
    PresignedUpload,
    StoreResult,
    create_presigned_upload,
    get_storage,
    store_file,
    verify_uploaded_object,
)
from storage.validation import Upload as UploadData

if TYPE_CHECKING:
    from content_repo.publishers.models import Organization


class DirectUploadUnsupported(Exception):
    """The configured storage cannot hand out presigned URLs (a local folder)."""


class UploadNotPending(Exception):
    """``complete`` was called on a direct upload that was already rejected."""

    def __init__(self, upload: Upload) -> None:
        super().__init__(f"upload {upload.pk} is {upload.status}")
        self.upload = upload


@dataclass(frozen=True)
class DirectUpload:
    """A pending direct upload and where to PUT its bytes."""

    upload: Upload
    presigned: PresignedUpload


def supports_direct_upload() -> bool:
    """Whether the configured storage is an S3 API (presigned PUT URLs)."""
    return getattr(get_storage(), "connection", None) is not None


def accept_upload(
    data: UploadData,
    *,
    name: str,
    declared_type: str | None,
    use: FileUse,
    organization: Organization | None,
    user: Any = None,
    channel: Upload.Channel = Upload.Channel.API,
) -> StoreResult:
    """Validate and store one file and record who uploaded it; a rejected file leaves no row and no object."""
    result = store_file(data, name=name, declared_type=declared_type, use=use)
    record_upload(result.stored_file, organization=organization, user=user, channel=channel, use=use, name=name)
    return result


def record_upload(
    stored_file: StoredFile,
    *,
    organization: Organization | None,
    user: Any,
    channel: Upload.Channel,
    use: FileUse,
    name: str,
) -> Upload:
    """Remember that ``organization`` (or ``user``) uploaded ``stored_file`` (one row per uploader and file)."""
    upload, _ = Upload.objects.get_or_create(
        organization=organization,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        stored_file=stored_file,
        status=Upload.Status.COMPLETED,
        defaults={
            "channel": channel,
            "use": use.value,
            "original_name": name[:255],
            "completed_at": timezone.now(),
        },
    )
    return upload


def start_direct_upload(
    *,
    name: str,
    declared_type: str,
    size: int,
    sha256: str,
    use: FileUse,
    organization: Organization | None,
    user: Any = None,
) -> DirectUpload:
    """A pending upload and its presigned PUT URL (raises ``DirectUploadUnsupported`` on local storage)."""
    if not supports_direct_upload():
        raise DirectUploadUnsupported("the configured storage does not support presigned uploads")
    presigned = create_presigned_upload(declared_type=declared_type, size=size, use=use)
    upload = Upload.objects.create(
        organization=organization,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        channel=Upload.Channel.DIRECT,
        use=use.value,
        original_name=name[:255],
        declared_type=declared_type,
        expected_size=size,
        expected_sha256=sha256.lower(),
        incoming_key=presigned.key,
        expires_at=presigned.expires_at,
    )
    return DirectUpload(upload, presigned)


def complete_direct_upload(upload: Upload) -> StoredFile:
    """Verify a direct upload (size, SHA-256, sniffed type) and store it; the ``incoming/`` object is gone after.

    Completing twice answers with the same file; completing a rejected upload raises ``UploadNotPending``.
    A broken rule marks the upload ``REJECTED`` with the rule's code and raises ``FileRejected``.
    """
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.status == Upload.Status.COMPLETED and upload.stored_file is not None:
            return upload.stored_file
        if upload.status != Upload.Status.PENDING:
            raise UploadNotPending(upload)
        try:
            result = verify_uploaded_object(
                upload.incoming_key,
                expected_size=upload.expected_size or 0,
                expected_sha256=upload.expected_sha256,
                name=upload.original_name,
                declared_type=upload.declared_type or None,
                use=upload.file_use,
            )
        except FileRejected as e:
            upload.status = Upload.Status.REJECTED
            upload.rejection_code = e.code
            upload.completed_at = timezone.now()
            upload.save(update_fields=["status", "rejection_code", "completed_at"])
            # Raised after the block commits, so the row keeps the verdict.
            rejection = e
        else:
            upload.status = Upload.Status.COMPLETED
            upload.stored_file = result.stored_file
            upload.completed_at = timezone.now()
            upload.save(update_fields=["status", "stored_file", "completed_at"])
            return result.stored_file
    raise rejection


def attachable_by(organization: Organization, stored_file: StoredFile) -> bool:
    """An organisation may attach a file it uploaded, or one already attached to its own resources."""
    return attachable_files(organization).filter(pk=stored_file.pk).exists()


def attachable_files(organization: Organization) -> QuerySet[StoredFile]:
    """The files ``organization`` may attach to its resources."""
    uploaded = Q(uploads__organization=organization, uploads__status=Upload.Status.COMPLETED)
    attached = Q(attachments__resource__provider=organization)
    return StoredFile.objects.filter(uploaded | attached).distinct()
