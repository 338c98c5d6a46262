"""Programs inside packages and documents, and archives nested in archives (storage/archives.py)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from storage.exceptions import FileRejected
from storage.filetypes import FileType, FileUse
from storage.validation import validate_upload
from tests.storage import samples


def package(*extra: tuple[str, bytes]) -> bytes:
    return samples.zip_bytes([("imsmanifest.xml", samples.SCORM_MANIFEST), ("index.html", b"<html></html>"), *extra])


def nested(depth: int, innermost: list[tuple[str, bytes]]) -> bytes:
    """A ZIP holding a ZIP holding … ``depth`` levels down to ``innermost``."""
    data = samples.zip_bytes(innermost)
    for level in range(depth - 1):
        data = samples.zip_bytes([(f"level{level}.zip", data)])
    return data


def check(data: bytes, name: str, use: FileUse) -> str | None:
    try:
        validate_upload(data, declared_name=name, declared_type=None, use=use).close()
    except FileRejected as e:
        assert e.message
        return e.code
    return None


ACCEPTED = {
    "scorm_with_scripts_at_top_and_below": (
        package(("scormfunctions.js", b"function doInit(){}"), ("lib/jquery.min.js", b"/*! jQuery */")),
        "урок.zip",
        FileUse.PACKAGE,
    ),
    "docx_with_an_embedded_workbook": (
        samples.ooxml("docx", extra=[("word/embeddings/Microsoft_Excel_Worksheet.xlsx", samples.ooxml("xlsx"))]),
        "урок.docx",
        FileUse.ATTACHMENT,
    ),
    "package_with_an_archive_two_levels_down": (
        package(("media/archive.zip", nested(2, [("a.txt", b"x")]))),
        "урок.zip",
        FileUse.PACKAGE,
    ),
    "name_that_only_contains_exe": (package(("exercises/exe-task.html", b"<p/>")), "урок.zip", FileUse.PACKAGE),
}


@pytest.mark.parametrize(("data", "name", "use"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_harmless_archives_are_accepted(data: bytes, name: str, use: FileUse) -> None:
    assert check(data, name, use) is None


REFUSED = {
    "exe_in_package": (package(("setup.exe", b"just text")), "урок.zip", FileUse.PACKAGE, "archive_executable"),
    "upper_case_batch_in_package": (
        package(("tools/RUN.BAT", b"@echo off")),
        "урок.zip",
        FileUse.PACKAGE,
        "archive_executable",
    ),
    "double_extension": (package(("урок.pdf.exe", b"x")), "урок.zip", FileUse.PACKAGE, "archive_executable"),
    "jar_in_cartridge": (
        samples.zip_bytes([("imsmanifest.xml", samples.CC_MANIFEST), ("applet.jar", b"x")]),
        "курс.imscc",
        FileUse.PACKAGE,
        "archive_executable",
    ),
    "windows_script_in_epub": (
        samples.zip_bytes(
            [(samples.stored_entry("mimetype"), b"application/epub+zip"), ("OEBPS/open.vbs", b"MsgBox 1")]
        ),
        "книга.epub",
        FileUse.ATTACHMENT,
        "archive_executable",
    ),
    "elf_disguised_as_picture": (
        package(("images/photo.png", samples.ELF)),
        "урок.zip",
        FileUse.PACKAGE,
        "archive_executable",
    ),
    "pe_in_docx_media": (
        samples.ooxml("docx", extra=[("word/media/image1.jpeg", samples.PE)]),
        "урок.docx",
        FileUse.ATTACHMENT,
        "archive_executable",
    ),
    "mach_o_in_pptx": (
        samples.ooxml("pptx", extra=[("ppt/media/clip.bin", samples.MACH_O)]),
        "урок.pptx",
        FileUse.ATTACHMENT,
        "archive_executable",
    ),
    "shell_script_in_package": (
        package(("start", samples.SHELL)),
        "урок.zip",
        FileUse.PACKAGE,
        "archive_executable",
    ),
    "exe_in_nested_archive": (
        package(("media/extras.zip", samples.zip_bytes([("readme.txt", b"x"), ("tool.exe", b"x")]))),
        "урок.zip",
        FileUse.PACKAGE,
        "archive_executable",
    ),
    "pe_in_an_archive_inside_docx": (
        samples.ooxml("docx", extra=[("word/embeddings/object.zip", samples.zip_bytes([("a.dat", samples.PE)]))]),
        "урок.docx",
        FileUse.ATTACHMENT,
        "archive_executable",
    ),
    "nesting_too_deep": (
        package(("media/archive.zip", nested(3, [("a.txt", b"x")]))),
        "урок.zip",
        FileUse.PACKAGE,
        "archive_bomb",
    ),
    "zip_slip_in_nested_archive": (
        package(("media/extras.zip", samples.zip_bytes([("../../evil.txt", b"x")]))),
        "урок.zip",
        FileUse.PACKAGE,
        "archive_unsafe_path",
    ),
    "corrupt_nested_archive": (
        package(("media/extras.zip", samples.zip_bytes([("a.txt", b"x" * 100)])[:-30])),
        "урок.zip",
        FileUse.PACKAGE,
        "archive_corrupt",
    ),
}


@pytest.mark.parametrize(("data", "name", "use", "code"), REFUSED.values(), ids=REFUSED.keys())
def test_programs_and_deep_nesting_are_refused(data: bytes, name: str, use: FileUse, code: str) -> None:
    assert check(data, name, use) == code


def test_nested_entries_share_one_budget() -> None:
    inner = samples.zip_bytes([(f"p{i}.txt", b"x") for i in range(6)])
    data = package(("media/extras.zip", inner))  # 3 entries outside + 6 inside
    with override_settings(STORAGE_POLICY={"ARCHIVE_MAX_ENTRIES": 8}):
        assert check(data, "урок.zip", FileUse.PACKAGE) == "archive_bomb"
    with override_settings(STORAGE_POLICY={"ARCHIVE_MAX_ENTRIES": 9}):
        assert check(data, "урок.zip", FileUse.PACKAGE) is None


def test_nested_unpacked_sizes_share_one_budget() -> None:
    inner = samples.zip_bytes([("big.txt", b"a" * 5000)])
    data = package(("media/extras.zip", inner))
    outer_size = len(samples.SCORM_MANIFEST) + len(b"<html></html>") + len(inner)
    with override_settings(STORAGE_POLICY={"ARCHIVE_MAX_TOTAL_SIZE": outer_size + 4999}):
        assert check(data, "урок.zip", FileUse.PACKAGE) == "archive_bomb"
    with override_settings(STORAGE_POLICY={"ARCHIVE_MAX_TOTAL_SIZE": outer_size + 5000}):
        assert check(data, "урок.zip", FileUse.PACKAGE) is None


def test_package_type_is_still_recognised() -> None:
    validated = validate_upload(
        package(("a.js", b"1")), declared_name="урок.zip", declared_type=None, use=FileUse.PACKAGE
    )
    assert validated.file_type is FileType.SCORM
