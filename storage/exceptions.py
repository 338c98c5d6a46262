"""Rejection of an uploaded file: a stable machine code and a message for people."""

from __future__ import annotations

from enum import StrEnum


class RejectionCode(StrEnum):
    """Stable machine codes of the upload rules; the API maps them to error codes as they are."""

    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    TYPE_MISMATCH = "type_mismatch"
    POLYGLOT = "polyglot"
    EXECUTABLE = "executable"
    ACTIVE_CONTENT = "active_content"
    IMAGE_BOMB = "image_bomb"
    IMAGE_CORRUPT = "image_corrupt"
    ARCHIVE_CORRUPT = "archive_corrupt"
    ARCHIVE_BOMB = "archive_bomb"
    ARCHIVE_UNSAFE_PATH = "archive_unsafe_path"
    ARCHIVE_SYMLINK = "archive_symlink"
    ARCHIVE_ENCRYPTED = "archive_encrypted"
    ARCHIVE_EXECUTABLE = "archive_executable"
    MANIFEST_MISSING = "manifest_missing"
    MANIFEST_INVALID = "manifest_invalid"
    PDF_JAVASCRIPT = "pdf_javascript"
    PDF_LAUNCH = "pdf_launch"
    PDF_EMBEDDED_FILE = "pdf_embedded_file"
    PDF_RICH_MEDIA = "pdf_rich_media"
    PDF_XFA = "pdf_xfa"
    PDF_AUTO_ACTION = "pdf_auto_action"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_CORRUPT = "pdf_corrupt"
    PDF_TOO_COMPLEX = "pdf_too_complex"
    UPLOAD_MISSING = "upload_missing"
    UPLOAD_MISMATCH = "upload_mismatch"


class FileRejected(Exception):
    """A file broke an upload rule. ``code`` is stable; ``message`` is Russian text naming the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = message
