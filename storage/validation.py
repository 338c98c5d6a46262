"""Upload validation: the type comes from the content, never from the name or the declared type.

``validate_upload`` reads the upload once, hashing and spooling it as it goes, sniffs the head with libmagic
(plus explicit checks for executables and active content), looks inside ZIP containers, parses PDFs for
scripts and attachments (``storage.pdf``), decodes and re-encodes images, and returns a ``ValidatedFile``
holding the bytes to store. Any broken rule raises ``FileRejected`` with a stable code (see
``storage.exceptions.RejectionCode`` and docs/storage.md).
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from storage.archives import inspect_archive
from storage.conf import StoragePolicy, storage_policy
from storage.exceptions import FileRejected, RejectionCode
from storage.filetypes import (
    GENERIC_DECLARED_TYPES,
    MAGIC_MIME_TYPES,
    FileKind,
    FileType,
    FileUse,
    allowed_types,
)
from storage.images import sanitize_image
from storage.pdf import inspect_pdf
from storage.sniffing import (
    HEAD_SIZE,
    looks_like_zip,
    reject_active_content,
    reject_executable,
    sniff_mime_type,
)

__all__ = ["FileRejected", "FileUse", "ValidatedFile", "validate_upload"]

CHUNK_SIZE = 1024 * 1024
SPOOL_MAX_MEMORY = 16 * 1024 * 1024
EXTENSION_PATTERN = re.compile(r"^[a-z0-9]{1,10}$")

Upload = bytes | bytearray | memoryview | IO[bytes]


@dataclass(frozen=True)
class ValidatedFile:
    """An accepted upload. ``content``, ``sha256`` and ``size`` describe the bytes to store.

    For images these are the re-encoded bytes (metadata stripped); ``upload_sha256`` and ``upload_size``
    always describe the bytes that were received.
    """

    file_type: FileType
    sha256: str
    size: int
    content: IO[bytes]
    upload_sha256: str
    upload_size: int
    width: int | None = None
    height: int | None = None
    owns_content: bool = field(default=True, repr=False)

    @property
    def mime_type(self) -> str:
        return self.file_type.spec.mime_type

    @property
    def extension(self) -> str:
        return self.file_type.spec.extension

    @property
    def is_image(self) -> bool:
        return self.file_type.spec.kind is FileKind.IMAGE

    def close(self) -> None:
        """Release the spooled content; a seekable stream passed in by the caller stays open."""
        if self.owns_content:
            self.content.close()


@dataclass
class _Received:
    content: IO[bytes]
    sha256: str
    size: int
    head: bytes
    magic_type: str
    owns_content: bool = True


def validate_upload(data: Upload, *, declared_name: str, declared_type: str | None, use: FileUse) -> ValidatedFile:
    """Validate an upload for ``use`` and return what may be stored, or raise ``FileRejected``."""
    policy = storage_policy()
    received = _receive(data, use, policy)
    try:
        return _validate_received(received, declared_name, declared_type, use, policy)
    except BaseException:
        if received.owns_content:
            received.content.close()
        raise


def _validate_received(
    received: _Received, declared_name: str, declared_type: str | None, use: FileUse, policy: StoragePolicy
) -> ValidatedFile:
    if looks_like_zip(received.head):
        summary = inspect_archive(received.content, policy, verify_entries=use is FileUse.PACKAGE)
        file_type = _require_allowed(summary.file_type, use, received.magic_type)
    else:
        file_type = _require_allowed(MAGIC_MIME_TYPES.get(received.magic_type), use, received.magic_type)
        if file_type.spec.kind is not FileKind.IMAGE:
            _reject_appended_zip(received.content)
    _check_size(received.size, file_type.spec.kind, policy)
    _check_declared(file_type, declared_name, declared_type)
    if file_type is FileType.PDF:
        inspect_pdf(received.content, policy)
    received.content.seek(0)
    if file_type.spec.kind is FileKind.IMAGE:
        return _sanitized(received, file_type, policy)
    return ValidatedFile(
        file_type=file_type,
        sha256=received.sha256,
        size=received.size,
        content=received.content,
        upload_sha256=received.sha256,
        upload_size=received.size,
        owns_content=received.owns_content,
    )


def _receive(data: Upload, use: FileUse, policy: StoragePolicy) -> _Received:
    """Read the upload once: sniff the head before reading the rest, hash everything, keep it readable.

    A seekable stream (an uploaded temporary file, a ``BytesIO``) is read in place and used as the content,
    so big files are not copied; anything else is spooled (in memory up to 16 MiB, then to a temporary file).
    """
    if isinstance(data, bytes | bytearray | memoryview):
        stream: IO[bytes] = io.BytesIO(data)
        owned = True
    else:
        stream, owned = data, False
    in_place = _seekable(stream)
    if in_place:
        stream.seek(0)
    first = stream.read(CHUNK_SIZE)
    if not first:
        raise FileRejected(RejectionCode.EMPTY_FILE, "Файл пуст.")
    head = bytes(first[:HEAD_SIZE])
    magic_type = sniff_mime_type(head)
    reject_executable(head, magic_type)
    reject_active_content(head, magic_type)
    limit = _preliminary_limit(head, magic_type, use, policy)
    content: IO[bytes] = stream if in_place else tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY)
    try:
        digest, size = _hash_rest(stream, first, None if in_place else content, limit)
    except BaseException:
        if not in_place:
            content.close()
        raise
    content.seek(0)
    return _Received(content, digest, size, head, magic_type, owns_content=owned or not in_place)


def _hash_rest(stream: IO[bytes], first: bytes, copy_to: IO[bytes] | None, limit: int) -> tuple[str, int]:
    digest = hashlib.sha256(first)
    size = len(first)
    if copy_to is not None:
        copy_to.write(first)
    while size <= limit and (chunk := stream.read(CHUNK_SIZE)):
        size += len(chunk)
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    if size > limit:
        raise _too_large(limit)
    return digest.hexdigest(), size


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def _preliminary_limit(head: bytes, magic_type: str, use: FileUse, policy: StoragePolicy) -> int:
    """The size limit known from the head alone, so an oversize upload is cut off while reading."""
    if looks_like_zip(head):
        kinds = {t.spec.kind for t in allowed_types(use) if t.spec.zip_based}
        if not kinds:
            raise _not_allowed(use, "application/zip")
        return max(policy.max_size(kind) for kind in kinds)
    file_type = _require_allowed(MAGIC_MIME_TYPES.get(magic_type), use, magic_type)
    return policy.max_size(file_type.spec.kind)


def _require_allowed(file_type: FileType | None, use: FileUse, magic_type: str) -> FileType:
    if file_type is None or file_type not in allowed_types(use):
        raise _not_allowed(use, file_type.spec.mime_type if file_type else magic_type)
    return file_type


def _not_allowed(use: FileUse, detected: str) -> FileRejected:
    names = ", ".join(sorted(t.spec.extension.upper() for t in allowed_types(use)))
    return FileRejected(
        RejectionCode.TYPE_NOT_ALLOWED,
        f"Тип файла {detected} не разрешён для этого назначения; допустимы: {names}.",
    )


def _too_large(limit: int) -> FileRejected:
    return FileRejected(RejectionCode.TOO_LARGE, f"Файл больше допустимого размера ({limit} байт).")


def _check_size(size: int, kind: FileKind, policy: StoragePolicy) -> None:
    if size > policy.max_size(kind):
        raise _too_large(policy.max_size(kind))


def _reject_appended_zip(content: IO[bytes]) -> None:
    """A ZIP directory at the end of a non-ZIP file makes a polyglot (e.g. a PDF that is also a ZIP)."""
    if zipfile.is_zipfile(content):
        raise FileRejected(
            RejectionCode.POLYGLOT, "Файл одновременно является ZIP-архивом (файл-полиглот) и не принимается."
        )


def _check_declared(file_type: FileType, declared_name: str, declared_type: str | None) -> None:
    """The declared type and the name's extension may be absent, but must not contradict the content."""
    spec = file_type.spec
    declared = (declared_type or "").split(";", 1)[0].strip().lower()
    if declared not in GENERIC_DECLARED_TYPES and not spec.matches_declared_type(declared):
        raise FileRejected(
            RejectionCode.TYPE_MISMATCH,
            f"Заявленный тип {declared} не совпадает с содержимым файла ({spec.mime_type}).",
        )
    extension = PurePosixPath(declared_name.replace("\\", "/")).suffix.lower().lstrip(".")
    if EXTENSION_PATTERN.match(extension) and extension not in spec.extensions:
        raise FileRejected(
            RejectionCode.TYPE_MISMATCH,
            f"Расширение .{extension} не соответствует содержимому файла ({spec.mime_type}).",
        )


def _sanitized(received: _Received, file_type: FileType, policy: StoragePolicy) -> ValidatedFile:
    image = sanitize_image(received.content, file_type, policy.max_image_pixels)
    if received.owns_content:
        received.content.close()
    return ValidatedFile(
        file_type=file_type,
        sha256=hashlib.sha256(image.content).hexdigest(),
        size=len(image.content),
        content=io.BytesIO(image.content),
        upload_sha256=received.sha256,
        upload_size=received.size,
        width=image.width,
        height=image.height,
    )
