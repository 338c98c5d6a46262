"""Storing validated files: content-addressed keys, de-duplication, direct uploads and garbage collection.

Every function takes the storage from ``storages["default"]`` at call time, so settings (and tests
overriding ``STORAGES``) decide where the bytes go: a local folder or any S3 API via django-storages.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from storage.conf import storage_policy
from storage.exceptions import FileRejected, RejectionCode
from storage.filetypes import FileUse, allowed_types
from storage.models import StoredFile
from storage.validation import Upload, ValidatedFile, validate_upload

logger = logging.getLogger(__name__)

FILES_PREFIX = "files"
INCOMING_PREFIX = "incoming"
ORPHAN_GRACE = timedelta(hours=1)
STALE_UPLOAD_AGE = timedelta(days=1)


class StoreOutcome(Enum):
    """Whether ``store_file`` wrote new content or found the same content already stored."""

    CREATED = "created"
    EXISTING = "existing"


@dataclass(frozen=True)
class StoreResult:
    stored_file: StoredFile
    outcome: StoreOutcome


@dataclass(frozen=True)
class PresignedUpload:
    """Where and how a client uploads a file directly to S3 before ``verify_uploaded_object``."""

    key: str
    url: str
    method: str
    headers: dict[str, str]
    expires_at: datetime


@dataclass
class OrphanReport:
    """Objects no row references, stale direct uploads, and rows whose object is missing."""

    objects_without_row: list[str] = field(default_factory=list)
    stale_uploads: list[str] = field(default_factory=list)
    rows_without_object: list[StoredFile] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not (self.objects_without_row or self.stale_uploads or self.rows_without_object)


def get_storage() -> Storage:
    """The configured default storage (looked up at call time)."""
    return storages["default"]


def storage_key(sha256: str, extension: str) -> str:
    """The content-addressed key ``files/ab/cd/<sha256>.<ext>``."""
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
    return f"{FILES_PREFIX}/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def store_file(data: Upload, *, name: str, declared_type: str | None, use: FileUse) -> StoreResult:
    """Validate an upload and store it once per distinct content; nothing is stored if it is rejected."""
    validated = validate_upload(data, declared_name=name, declared_type=declared_type, use=use)
    try:
        return save_validated(validated, original_name=name)
    finally:
        validated.close()


def save_validated(validated: ValidatedFile, *, original_name: str) -> StoreResult:
    """Write validated content under its content key and record it (de-duplicated by SHA-256)."""
    existing = StoredFile.objects.filter(sha256=validated.sha256).first()
    if existing is not None:
        _ensure_object(existing.key, validated)
        return StoreResult(existing, StoreOutcome.EXISTING)
    key = storage_key(validated.sha256, validated.extension)
    _ensure_object(key, validated)
    try:
        with transaction.atomic():
            row = StoredFile.objects.create(
                sha256=validated.sha256,
                key=key,
                size=validated.size,
                mime_type=validated.mime_type,
                original_name=original_name[:255],
                width=validated.width,
                height=validated.height,
            )
    except IntegrityError:
        # A concurrent upload of the same content won the race; its row points at the same object.
        return StoreResult(StoredFile.objects.get(sha256=validated.sha256), StoreOutcome.EXISTING)
    return StoreResult(row, StoreOutcome.CREATED)


def _ensure_object(key: str, validated: ValidatedFile) -> None:
    """Write the object unless an identical one (same key, same size) is already there."""
    storage = get_storage()
    if storage.exists(key):
        if storage.size(key) == validated.size:
            return
        logger.warning("stored object %s has a wrong size, writing it again", key)
        storage.delete(key)
    validated.content.seek(0)
    saved = storage.save(key, File(validated.content, name=key))
    if saved != key:
        # FileSystemStorage renames when a concurrent writer created the key first: same bytes, keep one.
        storage.delete(saved)


def open_stored(stored: StoredFile) -> File[Any]:
    """Open the stored object for reading (the caller closes it)."""
    return get_storage().open(stored.key, "rb")


def delete_stored(stored: StoredFile) -> None:
    """Delete the row, then its object once the transaction commits (a referenced file is protected)."""
    key = stored.key
    with transaction.atomic():
        stored.delete()
        transaction.on_commit(lambda: get_storage().delete(key))


def create_presigned_upload(
    *, declared_type: str, size: int, use: FileUse, expires_in: int | None = None
) -> PresignedUpload:
    """A presigned PUT URL to a fresh ``incoming/`` key; S3 storages only.

    The content type and length are part of the signature, so the client must send exactly those headers.
    """
    storage = get_storage()
    limit = max(storage_policy().max_size(t.spec.kind) for t in allowed_types(use))
    if size <= 0:
        raise FileRejected(RejectionCode.EMPTY_FILE, "Файл пуст.")
    if size > limit:
        raise FileRejected(RejectionCode.TOO_LARGE, f"Файл больше допустимого размера ({limit} байт).")
    expiry = expires_in or storage_policy().presigned_url_expiry
    key = f"{INCOMING_PREFIX}/{uuid.uuid4().hex}"
    url = _s3_client(storage).generate_presigned_url(
        "put_object",
        Params={
            "Bucket": storage.bucket_name,  # type: ignore[attr-defined]
            "Key": key,
            "ContentType": declared_type,
            "ContentLength": size,
        },
        ExpiresIn=expiry,
        HttpMethod="PUT",
    )
    return PresignedUpload(
        key=key,
        url=url,
        method="PUT",
        headers={"Content-Type": declared_type, "Content-Length": str(size)},
        expires_at=timezone.now() + timedelta(seconds=expiry),
    )


def _s3_client(storage: Storage) -> Any:
    connection = getattr(storage, "connection", None)
    if connection is None:
        raise NotImplementedError("This storage backend does not support presigned uploads")
    return connection.meta.client


def verify_uploaded_object(
    key: str,
    *,
    expected_size: int,
    expected_sha256: str,
    name: str,
    declared_type: str | None,
    use: FileUse,
) -> StoreResult:
    """Check an object uploaded directly (size, hash, sniffed type) and store it under its content key.

    The ``incoming/`` object is deleted in every case: moved on success, discarded on failure.
    """
    storage = get_storage()
    if not key.startswith(f"{INCOMING_PREFIX}/") or not storage.exists(key):
        raise FileRejected(RejectionCode.UPLOAD_MISSING, "Загруженный файл не найден в хранилище.")
    try:
        if storage.size(key) != expected_size:
            raise FileRejected(RejectionCode.UPLOAD_MISMATCH, "Размер загруженного файла не совпадает с заявленным.")
        with storage.open(key, "rb") as uploaded:
            # The opened object is validated in place and read again by save_validated: keep it open.
            validated = validate_upload(_raw(uploaded), declared_name=name, declared_type=declared_type, use=use)
            try:
                if validated.upload_sha256 != expected_sha256.lower():
                    raise FileRejected(
                        RejectionCode.UPLOAD_MISMATCH, "SHA-256 загруженного файла не совпадает с заявленным."
                    )
                return save_validated(validated, original_name=name)
            finally:
                validated.close()
    finally:
        storage.delete(key)


def _raw(opened: File[Any]) -> IO[bytes]:
    return opened.file if opened.file is not None else opened  # type: ignore[return-value]


def find_orphans(*, now: datetime | None = None) -> OrphanReport:
    """Objects under ``files/`` that no row references, ``incoming/`` uploads older than a day,
    and rows whose object is missing. Objects younger than an hour are left alone (uploads in flight)."""
    storage = get_storage()
    now = now or timezone.now()
    report = OrphanReport()
    known = set(StoredFile.objects.values_list("key", flat=True))
    present = set(_walk(storage, FILES_PREFIX))
    for key in sorted(present - known):
        if storage.get_modified_time(key) < now - ORPHAN_GRACE:
            report.objects_without_row.append(key)
    for key in sorted(_walk(storage, INCOMING_PREFIX)):
        if storage.get_modified_time(key) < now - STALE_UPLOAD_AGE:
            report.stale_uploads.append(key)
    report.rows_without_object = list(StoredFile.objects.exclude(key__in=present).order_by("pk"))
    return report


def delete_orphans(report: OrphanReport) -> list[StoredFile]:
    """Delete the orphan objects and unreferenced rows of ``report``; return the rows kept (referenced)."""
    storage = get_storage()
    for key in report.objects_without_row + report.stale_uploads:
        storage.delete(key)
    kept: list[StoredFile] = []
    for row in report.rows_without_object:
        try:
            row.delete()
        except ProtectedError:
            kept.append(row)
    return kept


def _walk(storage: Storage, prefix: str) -> list[str]:
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    found = [f"{prefix}/{name}" for name in files]
    for directory in directories:
        found.extend(_walk(storage, f"{prefix}/{directory}"))
    return found
