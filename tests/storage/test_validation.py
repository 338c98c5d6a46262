"""validate_upload: every accepted type, every rejection rule, with real files built by the tests."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.test import override_settings
from PIL import ExifTags, Image

from storage.exceptions import FileRejected
from storage.filetypes import FileType, FileUse
from storage.validation import ValidatedFile, validate_upload
from tests.storage import samples

ATTACHMENTS = [
    ("урок.pdf", "application/pdf", samples.pdf(), FileType.PDF),
    ("урок.docx", None, samples.ooxml("docx"), FileType.DOCX),
    ("урок.pptx", None, samples.ooxml("pptx"), FileType.PPTX),
    ("урок.xlsx", None, samples.ooxml("xlsx"), FileType.XLSX),
    ("урок.odt", None, samples.odf("odt"), FileType.ODT),
    ("урок.ods", None, samples.odf("ods"), FileType.ODS),
    ("урок.odp", None, samples.odf("odp"), FileType.ODP),
    ("книга.epub", "application/epub+zip", samples.odf("epub"), FileType.EPUB),
    ("конспект.txt", "text/plain; charset=utf-8", samples.text(), FileType.TXT),
    ("песня.mp3", "audio/mpeg", samples.mp3(), FileType.MP3),
    ("звук.ogg", "audio/ogg", samples.ogg(), FileType.OGG),
    ("опыт.mp4", "video/mp4", samples.mp4(), FileType.MP4),
    ("опыт.webm", "video/webm", samples.webm(), FileType.WEBM),
]


def validate(data: bytes, name: str, use: FileUse = FileUse.ATTACHMENT, declared: str | None = None) -> ValidatedFile:
    return validate_upload(data, declared_name=name, declared_type=declared, use=use)


def rejection(data: bytes, name: str, use: FileUse = FileUse.ATTACHMENT, declared: str | None = None) -> str:
    with pytest.raises(FileRejected) as caught:
        validate(data, name, use, declared)
    assert caught.value.message  # a Russian sentence naming the rule
    return caught.value.code


@pytest.mark.parametrize(("name", "declared", "data", "expected"), ATTACHMENTS, ids=[a[3].name for a in ATTACHMENTS])
def test_accepts_attachment_types_unchanged(name: str, declared: str | None, data: bytes, expected: FileType) -> None:
    validated = validate(data, name, declared=declared)
    assert validated.file_type is expected
    assert validated.content.read() == data
    assert validated.size == len(data)
    assert validated.sha256 == validated.upload_sha256
    assert validated.extension == expected.spec.extension


def test_stream_upload_is_hashed_and_spooled() -> None:
    data = samples.pdf(padding=3 * 1024 * 1024)
    validated = validate_upload(io.BytesIO(data), declared_name="big.pdf", declared_type=None, use=FileUse.ATTACHMENT)
    assert validated.size == len(data)
    assert validated.content.read() == data
    assert validated.sha256 == hashlib.sha256(data).hexdigest()


def test_docx_is_recognised_whatever_the_entry_order() -> None:
    part, mime = samples.OOXML_MAIN["docx"]
    data = samples.zip_bytes([(part, b"<x/>"), ("[Content_Types].xml", samples.content_types(mime))])
    assert validate(data, "урок.docx").file_type is FileType.DOCX


def test_scorm_package_with_manifest_is_accepted() -> None:
    validated = validate(samples.scorm(), "урок.zip", FileUse.PACKAGE, "application/zip")
    assert validated.file_type is FileType.SCORM


def test_common_cartridge_is_recognised() -> None:
    data = samples.zip_bytes([("imsmanifest.xml", samples.CC_MANIFEST)])
    assert validate(data, "курс.imscc", FileUse.PACKAGE).file_type is FileType.COMMON_CARTRIDGE


def test_gps_exif_is_stripped_and_orientation_applied() -> None:
    original = samples.jpeg_with_gps_and_orientation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    validated = validate(original, "обложка.jpg", FileUse.COVER_IMAGE, "image/jpeg")

    stored = validated.content.read()
    reopened = Image.open(io.BytesIO(stored))
    exif = reopened.getexif()
    assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert ExifTags.Base.Make not in exif
    assert ExifTags.Base.Orientation not in exif
    assert (validated.width, validated.height) == (20, 40) == reopened.size
    assert b"Exif" not in stored
    assert validated.sha256 != validated.upload_sha256
    assert validated.size == len(stored)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_other_cover_formats_are_reencoded(fmt: str) -> None:
    validated = validate(samples.image(fmt), f"cover.{fmt.lower()}", FileUse.COVER_IMAGE)
    assert validated.file_type.name == fmt
    assert (validated.width, validated.height) == (40, 20)


HOSTILE = [
    ("empty", b"", "пусто.pdf", FileUse.ATTACHMENT, None, "empty_file"),
    ("elf_as_pdf", samples.ELF, "отчёт.pdf", FileUse.ATTACHMENT, "application/pdf", "executable"),
    ("pe_as_docx", samples.PE, "урок.docx", FileUse.ATTACHMENT, None, "executable"),
    ("macho_as_mp4", samples.MACH_O, "опыт.mp4", FileUse.ATTACHMENT, None, "executable"),
    ("shebang_as_txt", samples.SHELL, "readme.txt", FileUse.ATTACHMENT, "text/plain", "executable"),
    ("html_as_docx", samples.HTML, "урок.docx", FileUse.ATTACHMENT, None, "active_content"),
    ("svg_cover", samples.SVG, "обложка.svg", FileUse.COVER_IMAGE, "image/svg+xml", "active_content"),
    ("svg_as_png", samples.SVG, "обложка.png", FileUse.COVER_IMAGE, "image/png", "active_content"),
    (
        "script_in_text",
        b"Notes\n<script>alert(1)</script>\n",
        "a.txt",
        FileUse.ATTACHMENT,
        None,
        "active_content",
    ),
    ("png_bomb", samples.png_bomb(), "обложка.png", FileUse.COVER_IMAGE, None, "image_bomb"),
    ("zip_bomb", samples.zip_bomb_docx(), "урок.docx", FileUse.ATTACHMENT, None, "archive_bomb"),
    (
        "zip_slip",
        samples.ooxml("docx", extra=[("../../etc/cron.d/evil", b"x")]),
        "урок.docx",
        FileUse.ATTACHMENT,
        None,
        "archive_unsafe_path",
    ),
    (
        "zip_absolute",
        samples.scorm() and samples.zip_bytes([("imsmanifest.xml", samples.SCORM_MANIFEST), ("/etc/passwd", b"x")]),
        "урок.zip",
        FileUse.PACKAGE,
        None,
        "archive_unsafe_path",
    ),
    (
        "zip_symlink",
        samples.zip_bytes([("imsmanifest.xml", samples.SCORM_MANIFEST), samples.symlink_entry("data", "/etc")]),
        "урок.zip",
        FileUse.PACKAGE,
        None,
        "archive_symlink",
    ),
    (
        "zip_encrypted",
        samples.mark_encrypted(samples.ooxml("docx", extra=[("word/secret.xml", b"<x/>")]), "word/secret.xml"),
        "урок.docx",
        FileUse.ATTACHMENT,
        None,
        "archive_encrypted",
    ),
    (
        "docx_with_macros",
        samples.ooxml("docx", extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
        "урок.docx",
        FileUse.ATTACHMENT,
        None,
        "active_content",
    ),
    (
        "pdf_declared_zip_content",
        samples.ooxml("docx"),
        "урок.pdf",
        FileUse.ATTACHMENT,
        "application/pdf",
        "type_mismatch",
    ),
    ("pdf_named_docx", samples.pdf(), "урок.docx", FileUse.ATTACHMENT, None, "type_mismatch"),
    ("pdf_zip_polyglot", samples.pdf() + samples.scorm(), "урок.pdf", FileUse.ATTACHMENT, None, "polyglot"),
    (
        "plain_zip_attachment",
        samples.zip_bytes([("a.txt", b"x")]),
        "a.zip",
        FileUse.ATTACHMENT,
        None,
        "type_not_allowed",
    ),
    ("png_attachment", samples.image("PNG"), "a.png", FileUse.ATTACHMENT, None, "type_not_allowed"),
    ("pdf_cover", samples.pdf(), "a.pdf", FileUse.COVER_IMAGE, None, "type_not_allowed"),
    ("gif_cover", samples.image("GIF"), "a.gif", FileUse.COVER_IMAGE, None, "type_not_allowed"),
    (
        "zip_without_manifest",
        samples.zip_bytes([("index.html", b"x")]),
        "a.zip",
        FileUse.PACKAGE,
        None,
        "type_not_allowed",
    ),
    (
        "broken_manifest",
        samples.scorm(b"<manifest><organizations></manifest"),
        "урок.zip",
        FileUse.PACKAGE,
        None,
        "manifest_invalid",
    ),
    (
        "manifest_entities",
        samples.scorm(samples.BILLION_LAUGHS),
        "урок.zip",
        FileUse.PACKAGE,
        None,
        "manifest_invalid",
    ),
    ("manifest_wrong_root", samples.scorm(b"<html/>"), "урок.zip", FileUse.PACKAGE, None, "manifest_invalid"),
    (
        "truncated_jpeg",
        samples.image("JPEG", (400, 300))[:-600],
        "a.jpg",
        FileUse.COVER_IMAGE,
        None,
        "image_corrupt",
    ),
    ("corrupt_zip", samples.ooxml("docx")[:-30], "урок.docx", FileUse.ATTACHMENT, None, "archive_corrupt"),
    (
        "pdf_javascript_in_object_stream",
        samples.pdf(catalog=b"/OpenAction 4 0 R", compressed={4: b"<< /S /J#61vaScript /JS (app.alert\\(1\\)) >>"}),
        "урок.pdf",
        FileUse.ATTACHMENT,
        "application/pdf",
        "pdf_javascript",
    ),
    (
        "pdf_launch",
        samples.pdf(page=b"/AA << /O << /S /Launch /F (cmd.exe) >> >>"),
        "урок.pdf",
        FileUse.ATTACHMENT,
        None,
        "pdf_launch",
    ),
    (
        "pdf_embedded_file",
        samples.pdf(catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>", objects={4: b"<< /F (a) >>"}),
        "урок.pdf",
        FileUse.ATTACHMENT,
        None,
        "pdf_embedded_file",
    ),
    (
        "package_with_a_program",
        samples.zip_bytes([("imsmanifest.xml", samples.SCORM_MANIFEST), ("bin/setup.exe", b"x")]),
        "урок.zip",
        FileUse.PACKAGE,
        None,
        "archive_executable",
    ),
    (
        "docx_with_an_elf",
        samples.ooxml("docx", extra=[("word/media/image1.png", samples.ELF)]),
        "урок.docx",
        FileUse.ATTACHMENT,
        None,
        "archive_executable",
    ),
]


@pytest.mark.parametrize(
    ("data", "name", "use", "declared", "code"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_rejects_hostile_files(data: bytes, name: str, use: FileUse, declared: str | None, code: str) -> None:
    assert rejection(data, name, use, declared) == code


def test_png_bomb_under_pillow_limit_is_still_refused_by_our_limit() -> None:
    with override_settings(WAGTAILIMAGES_MAX_IMAGE_PIXELS=1000):
        assert rejection(samples.image("PNG", (100, 100)), "a.png", FileUse.COVER_IMAGE) == "image_bomb"
    assert validate(samples.image("PNG", (100, 100)), "a.png", FileUse.COVER_IMAGE).width == 100


def test_oversize_file_is_refused_while_reading() -> None:
    data = samples.pdf(padding=4 * 1024 * 1024)
    stream = io.BytesIO(data)
    with override_settings(STORAGE_POLICY={"MAX_SIZES": {"document": 2 * 1024 * 1024}}):
        with pytest.raises(FileRejected) as caught:
            validate_upload(stream, declared_name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT)
    assert caught.value.code == "too_large"
    assert stream.tell() < len(data)  # stopped reading past the limit


def test_too_many_archive_entries() -> None:
    data = samples.ooxml("docx", extra=[(f"word/media/{i}.xml", b"<x/>") for i in range(10)])
    with override_settings(STORAGE_POLICY={"ARCHIVE_MAX_ENTRIES": 5}):
        assert rejection(data, "урок.docx") == "archive_bomb"


def test_generic_declared_type_does_not_contradict() -> None:
    assert validate(samples.pdf(), "без расширения", declared="application/octet-stream").file_type is FileType.PDF


class OneWayStream(io.RawIOBase):
    """A non-seekable upload (a socket-like body)."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        return self._inner.readinto(buffer)


def test_seekable_stream_is_used_in_place_and_left_open() -> None:
    stream = io.BytesIO(samples.pdf())
    validated = validate_upload(stream, declared_name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT)
    assert validated.content is stream
    validated.close()
    assert not stream.closed


def test_non_seekable_stream_is_spooled() -> None:
    data = samples.ooxml("docx")
    validated = validate_upload(OneWayStream(data), declared_name="a.docx", declared_type=None, use=FileUse.ATTACHMENT)
    assert validated.file_type is FileType.DOCX
    assert validated.content.read() == data
    validated.close()
    assert validated.content.closed
