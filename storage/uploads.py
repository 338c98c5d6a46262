"""Uploads by organisations: who brought which file, direct uploads to S3, and who may attach what.

``storage.services`` knows bytes and keys; this module adds the people: an ``Upload`` row records the
organisation (and user) behind each accepted file, a direct upload is tracked from its presigned URL to its
verification, and ``attachable_by`` is the rule the resources API and the admin apply when files get attached.

Stored files are shared by content (one ``StoredFile`` per SHA-256), so what an organisation is shown of a
file is always its own ``Upload``: its id (a UUID) is the file id of the API, and ``/files/<upload id>/…``
is the download URL. Another organisation that uploads the same bytes gets its own upload and never learns
the first one's ids (see ``uploads_usable_by``).
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
    StoreOutcome,
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
class AcceptedUpload:
    """An accepted file and the uploader's own record of it; ``outcome`` is ``EXISTING`` when the same
    organisation (or, without one, the same user) had already uploaded these bytes."""

    upload: Upload
    outcome: StoreOutcome

    @property
    def stored_file(self) -> StoredFile:
        assert self.upload.stored_file is not None
        return self.upload.stored_file


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
) -> AcceptedUpload:
    """Validate and store one file and record who uploaded it; a rejected file leaves no row and no object.

    The same bytes uploaded again by the same organisation give its earlier upload back (``EXISTING``);
    whether another organisation holds them changes nothing in the answer.
    """
    stored = store_file(data, name=name, declared_type=declared_type, use=use).stored_file
    uploader = user if getattr(user, "is_authenticated", False) else None
    earlier = _own_uploads(organization, uploader).filter(stored_file=stored).order_by("created_at").first()
    if earlier is not None:
        return AcceptedUpload(earlier, StoreOutcome.EXISTING)
    upload = Upload.objects.create(
        organization=organization,
        uploaded_by=uploader,
        stored_file=stored,
        status=Upload.Status.COMPLETED,
        channel=channel,
        use=use.value,
        original_name=name[:255],
        completed_at=timezone.now(),
    )
    return AcceptedUpload(upload, StoreOutcome.CREATED)


def _own_uploads(organization: Organization | None, user: Any) -> QuerySet[Upload]:
    completed = Upload.objects.filter(status=Upload.Status.COMPLETED)
    if organization is not None:
        return completed.filter(organization=organization)
    return completed.filter(organization__isnull=True, uploaded_by=user)


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


def uploads_usable_by(organization: Organization) -> QuerySet[Upload]:
    """The uploads whose ids ``organization`` may send and download through: its own, and those made in the
    admin for no organisation (a methodist's) of files attached to its resources. Never another
    organisation's upload, even of the same bytes."""
    own = Q(organization=organization)
    editors = Q(organization__isnull=True, stored_file__attachments__resource__provider=organization)
    return Upload.objects.filter(own | editors).distinct()
