"""ZIP containers: safety limits from the central directory and classification by their contents.

Office documents, OpenDocument, EPUB and learning packages are all ZIP archives. libmagic guesses their
subtype from the first entry only, so the subtype is decided here from ``[Content_Types].xml``, the
``mimetype`` entry or ``imsmanifest.xml``. Only these small entries are decompressed (with a cap); every
other check reads the central directory, which costs a seek to the end of the file.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from typing import IO

from lxml import etree

from storage.conf import StoragePolicy
from storage.exceptions import FileRejected, RejectionCode
from storage.filetypes import FileType

CONTENT_TYPES_ENTRY = "[Content_Types].xml"
MIMETYPE_ENTRY = "mimetype"
MANIFEST_ENTRY = "imsmanifest.xml"
LOCAL_HEADER_SIZE = 30
ENCRYPTED_FLAG = 0x1
UTF8_FLAG = 0x800

OOXML_MAIN_PARTS: dict[str, FileType] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": FileType.DOCX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": FileType.PPTX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileType.XLSX,
}
ODF_MIMETYPES: dict[str, FileType] = {
    "application/vnd.oasis.opendocument.text": FileType.ODT,
    "application/vnd.oasis.opendocument.spreadsheet": FileType.ODS,
    "application/vnd.oasis.opendocument.presentation": FileType.ODP,
    "application/epub+zip": FileType.EPUB,
}
OOXML_MACRO_PART = "vbaproject.bin"
ODF_MACRO_DIRS = ("basic/", "scripts/")
COMMON_CARTRIDGE_MARKER = "imsglobal.org/xsd/imscc"


@dataclass(frozen=True)
class ArchiveSummary:
    """What the archive checks found."""

    file_type: FileType | None
    entry_count: int
    total_size: int


def inspect_archive(stream: IO[bytes], policy: StoragePolicy, *, verify_entries: bool) -> ArchiveSummary:
    """Check a ZIP against the archive rules and tell which ZIP-based type it is (``None``: plain ZIP).

    ``verify_entries`` decompresses every entry (bounded by its declared size) to prove the declared sizes;
    it is used for packages, which are unpacked later, and skipped for documents, which are served as-is.
    """
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
        raise FileRejected(RejectionCode.ARCHIVE_CORRUPT, "Архив повреждён: не читается оглавление ZIP.") from e
    with archive:
        entries = archive.infolist()
        total = _check_entries(entries, stream, policy)
        if verify_entries:
            _verify_entry_sizes(archive, entries)
        return ArchiveSummary(_classify(archive, policy), len(entries), total)


def _check_entries(entries: list[zipfile.ZipInfo], stream: IO[bytes], policy: StoragePolicy) -> int:
    if len(entries) > policy.archive_max_entries:
        raise FileRejected(
            RejectionCode.ARCHIVE_BOMB,
            f"В архиве слишком много файлов: {len(entries)} (не более {policy.archive_max_entries}).",
        )
    total = 0
    for info in entries:
        _check_entry(info, policy)
        total += info.file_size
        if total > policy.archive_max_total_size:
            raise FileRejected(
                RejectionCode.ARCHIVE_BOMB,
                f"Распакованный размер архива превышает {policy.archive_max_total_size} байт.",
            )
    _check_no_overlap(entries, _archive_end(stream))
    return total


def _check_entry(info: zipfile.ZipInfo, policy: StoragePolicy) -> None:
    if not is_safe_member_path(info.filename):
        raise FileRejected(RejectionCode.ARCHIVE_UNSAFE_PATH, f"Недопустимый путь в архиве: {info.filename!r}.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise FileRejected(
            RejectionCode.ARCHIVE_SYMLINK, f"Символические ссылки в архиве запрещены: {info.filename!r}."
        )
    if info.flag_bits & ENCRYPTED_FLAG:
        raise FileRejected(
            RejectionCode.ARCHIVE_ENCRYPTED, f"Зашифрованные файлы в архиве запрещены: {info.filename!r}."
        )
    # Small entries may compress very well (repetitive XML) and cannot hurt; big ones are capped by ratio.
    if (
        info.file_size > policy.archive_ratio_min_size
        and info.file_size > max(info.compress_size, 1) * policy.archive_max_ratio
    ):
        raise FileRejected(
            RejectionCode.ARCHIVE_BOMB,
            f"Подозрительно высокая степень сжатия у {info.filename!r} (более {policy.archive_max_ratio}:1).",
        )


def is_safe_member_path(name: str) -> bool:
    """False for absolute paths, drive letters, ``..`` components and control characters."""
    if not name or "\x00" in name or any(ord(ch) < 32 for ch in name):
        return False
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return False
    return ".." not in normalised.split("/")


def _archive_end(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    return stream.tell()


def _check_no_overlap(entries: list[zipfile.ZipInfo], end: int) -> None:
    # Overlapping entries are how non-recursive zip bombs reuse one compressed block many times.
    ordered = sorted(entries, key=lambda info: info.header_offset)
    for current, following in zip(ordered, ordered[1:] + [None], strict=True):
        minimal_end = current.header_offset + LOCAL_HEADER_SIZE + _name_length(current) + current.compress_size
        limit = following.header_offset if following is not None else end
        if minimal_end > limit:
            raise FileRejected(RejectionCode.ARCHIVE_BOMB, "Записи архива перекрываются (приём «zip-бомбы»).")


def _name_length(info: zipfile.ZipInfo) -> int:
    return len(info.orig_filename.encode("utf-8" if info.flag_bits & UTF8_FLAG else "cp437", "replace"))


def _verify_entry_sizes(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    for info in entries:
        if info.is_dir():
            continue
        try:
            with archive.open(info) as member:
                while member.read(1024 * 1024):
                    pass
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as e:
            raise FileRejected(
                RejectionCode.ARCHIVE_CORRUPT, f"Архив повреждён: не распаковывается {info.filename!r}."
            ) from e


def read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """The entry ``name`` decompressed up to ``limit`` bytes, or ``None`` if there is no such entry."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise FileRejected(RejectionCode.ARCHIVE_BOMB, f"Служебный файл {name!r} слишком велик.")
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as e:
        raise FileRejected(RejectionCode.ARCHIVE_CORRUPT, f"Архив повреждён: не читается {name!r}.") from e
    if len(data) > limit:
        raise FileRejected(RejectionCode.ARCHIVE_BOMB, f"Служебный файл {name!r} слишком велик.")
    return data


def parse_xml_safely(data: bytes, what: str) -> etree._Element:
    """Parse XML with no DTD, no entities and no network; a failure is ``manifest_invalid``."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as e:
        raise FileRejected(RejectionCode.MANIFEST_INVALID, f"{what} не является корректным XML: {e}.") from e
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise FileRejected(RejectionCode.MANIFEST_INVALID, f"{what}: объявления DTD и сущностей запрещены.")
    return root


def _classify(archive: zipfile.ZipFile, policy: StoragePolicy) -> FileType | None:
    limit = policy.manifest_max_size
    mimetype = read_member(archive, MIMETYPE_ENTRY, 256)
    if mimetype is not None:
        if any(name.lower().startswith(ODF_MACRO_DIRS) for name in archive.namelist()):
            raise FileRejected(RejectionCode.ACTIVE_CONTENT, "Документы с макросами и сценариями не принимаются.")
        return ODF_MIMETYPES.get(mimetype.decode("ascii", "replace").strip())
    content_types = read_member(archive, CONTENT_TYPES_ENTRY, limit)
    if content_types is not None:
        return _classify_ooxml(archive, content_types)
    manifest = read_member(archive, MANIFEST_ENTRY, limit)
    if manifest is not None:
        return _classify_package(manifest)
    return None


def _classify_ooxml(archive: zipfile.ZipFile, content_types: bytes) -> FileType | None:
    root = parse_xml_safely(content_types, CONTENT_TYPES_ENTRY)
    declared = {str(node.get("ContentType", "")) for node in root.iter() if node.get("ContentType")}
    has_vba = any(name.lower().endswith(OOXML_MACRO_PART) for name in archive.namelist())
    if has_vba or any("macroenabled" in value.lower() for value in declared):
        raise FileRejected(RejectionCode.ACTIVE_CONTENT, "Документы с макросами (VBA) не принимаются.")
    found = {OOXML_MAIN_PARTS[value] for value in declared if value in OOXML_MAIN_PARTS}
    return found.pop() if len(found) == 1 else None


def _classify_package(manifest: bytes) -> FileType:
    root = parse_xml_safely(manifest, MANIFEST_ENTRY)
    if etree.QName(root).localname != "manifest":
        raise FileRejected(RejectionCode.MANIFEST_INVALID, "imsmanifest.xml: корневой элемент должен быть <manifest>.")
    namespaces = {etree.QName(node).namespace or "" for node in root.iter() if isinstance(node.tag, str)}
    if any(COMMON_CARTRIDGE_MARKER in namespace for namespace in namespaces):
        return FileType.COMMON_CARTRIDGE
    return FileType.SCORM
