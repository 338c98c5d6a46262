"""What may be uploaded, for which use, and how each type is recognised and named."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FileUse(Enum):
    """Where an uploaded file is going to be used; each use has its own allow-list."""

    COVER_IMAGE = "cover_image"
    ATTACHMENT = "attachment"
    PACKAGE = "package"


class FileKind(Enum):
    """Families of types that share a size limit and a validation path."""

    IMAGE = "image"
    DOCUMENT = "document"
    TEXT = "text"
    AUDIO = "audio"
    VIDEO = "video"
    PACKAGE = "package"


@dataclass(frozen=True)
class TypeSpec:
    """One accepted type: canonical MIME type, file extensions (first one is used for keys) and aliases."""

    mime_type: str
    extensions: tuple[str, ...]
    kind: FileKind
    zip_based: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def extension(self) -> str:
        return self.extensions[0]

    def matches_declared_type(self, declared: str) -> bool:
        return declared == self.mime_type or declared in self.aliases


class FileType(Enum):
    """Every type the catalog accepts for some use."""

    JPEG = TypeSpec("image/jpeg", ("jpg", "jpeg", "jpe"), FileKind.IMAGE, aliases=("image/jpg", "image/pjpeg"))
    PNG = TypeSpec("image/png", ("png",), FileKind.IMAGE, aliases=("image/x-png",))
    WEBP = TypeSpec("image/webp", ("webp",), FileKind.IMAGE)
    PDF = TypeSpec("application/pdf", ("pdf",), FileKind.DOCUMENT, aliases=("application/x-pdf",))
    DOCX = TypeSpec(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
        FileKind.DOCUMENT,
        zip_based=True,
    )
    PPTX = TypeSpec(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
        FileKind.DOCUMENT,
        zip_based=True,
    )
    XLSX = TypeSpec(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
        FileKind.DOCUMENT,
        zip_based=True,
    )
    ODT = TypeSpec("application/vnd.oasis.opendocument.text", ("odt",), FileKind.DOCUMENT, zip_based=True)
    ODS = TypeSpec("application/vnd.oasis.opendocument.spreadsheet", ("ods",), FileKind.DOCUMENT, zip_based=True)
    ODP = TypeSpec("application/vnd.oasis.opendocument.presentation", ("odp",), FileKind.DOCUMENT, zip_based=True)
    EPUB = TypeSpec("application/epub+zip", ("epub",), FileKind.DOCUMENT, zip_based=True)
    TXT = TypeSpec("text/plain", ("txt", "text"), FileKind.TEXT)
    MP3 = TypeSpec("audio/mpeg", ("mp3",), FileKind.AUDIO, aliases=("audio/mp3", "audio/x-mpeg", "audio/mpeg3"))
    OGG = TypeSpec("audio/ogg", ("ogg", "oga"), FileKind.AUDIO, aliases=("application/ogg", "audio/x-ogg"))
    MP4 = TypeSpec("video/mp4", ("mp4", "m4v"), FileKind.VIDEO)
    WEBM = TypeSpec("video/webm", ("webm",), FileKind.VIDEO, aliases=("audio/webm",))
    SCORM = TypeSpec(
        "application/zip",
        ("zip",),
        FileKind.PACKAGE,
        zip_based=True,
        aliases=("application/x-zip-compressed", "application/x-zip", "application/vnd.scorm+zip"),
    )
    COMMON_CARTRIDGE = TypeSpec(
        "application/vnd.ims.imscc+zip",
        ("imscc", "zip"),
        FileKind.PACKAGE,
        zip_based=True,
        aliases=("application/zip", "application/x-zip-compressed", "application/x-zip"),
    )

    @property
    def spec(self) -> TypeSpec:
        return self.value


ALLOWED_TYPES: dict[FileUse, frozenset[FileType]] = {
    # A cover is a still picture: GIF is left out (animation frames multiply the decoding cost).
    FileUse.COVER_IMAGE: frozenset({FileType.JPEG, FileType.PNG, FileType.WEBP}),
    FileUse.ATTACHMENT: frozenset(
        {
            FileType.PDF,
            FileType.DOCX,
            FileType.PPTX,
            FileType.XLSX,
            FileType.ODT,
            FileType.ODS,
            FileType.ODP,
            FileType.EPUB,
            FileType.TXT,
            FileType.MP3,
            FileType.OGG,
            FileType.MP4,
            FileType.WEBM,
        }
    ),
    FileUse.PACKAGE: frozenset({FileType.SCORM, FileType.COMMON_CARTRIDGE}),
}

# What libmagic reports for the non-ZIP types (ZIP-based types are classified by looking inside).
MAGIC_MIME_TYPES: dict[str, FileType] = {
    "image/jpeg": FileType.JPEG,
    "image/png": FileType.PNG,
    "image/webp": FileType.WEBP,
    "application/pdf": FileType.PDF,
    "text/plain": FileType.TXT,
    "audio/mpeg": FileType.MP3,
    "audio/ogg": FileType.OGG,
    "application/ogg": FileType.OGG,
    "video/mp4": FileType.MP4,
    "video/webm": FileType.WEBM,
    "audio/webm": FileType.WEBM,
}

# Declared types that say nothing about the content, so they cannot contradict it.
GENERIC_DECLARED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})


def allowed_types(use: FileUse) -> frozenset[FileType]:
    """The types accepted for ``use``."""
    return ALLOWED_TYPES[use]
