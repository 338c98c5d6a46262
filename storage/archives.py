"""ZIP containers: safety limits from the central directory and classification by their contents.

Office documents, OpenDocument, EPUB and learning packages are all ZIP archives. libmagic guesses their
subtype from the first entry only, so the subtype is decided here from ``[Content_Types].xml``, the
``mimetype`` entry or ``imsmanifest.xml`` (decompressed with a cap). The limits come from the central
directory; of every other entry only the first bytes are decompressed (is it a program? another ZIP?),
except for packages, which are decompressed whole, and nested ZIPs, which are checked by the same rules.
"""

from __future__ import annotations

import stat
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO

from lxml import etree

from storage.conf import StoragePolicy
from storage.exceptions import FileRejected, RejectionCode
from storage.filetypes import FileType
from storage.sniffing import executable_kind, looks_like_zip

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
MEMBER_HEAD_SIZE = 64
NESTED_SPOOL_MEMORY = 16 * 1024 * 1024

# Programs and scripts that an operating system runs when the file is opened (Windows Script Host, shells,
# installers, libraries, Java and Android packages). ``.js`` is not here: SCORM, Common Cartridge and EPUB
# are web content and need it, and a browser runs it only inside the package player's sandbox.
EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe", "dll", "com", "scr", "pif", "cpl", "sys", "drv", "ocx", "xll",
        "msi", "msp", "mst", "msix", "msixbundle", "appx", "appxbundle", "application", "gadget", "msc",
        "bat", "cmd", "ps1", "psm1", "psd1", "vbs", "vbe", "jse", "wsf", "wsh", "wsc", "hta", "sct",
        "lnk", "url", "scf", "reg", "inf", "chm", "settingcontent-ms",
        "jar", "class", "apk", "xapk", "aab", "dex",
        "so", "dylib", "elf", "sh", "bash", "csh", "ksh", "zsh", "command", "run", "appimage",
        "dmg", "pkg", "deb", "rpm",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ArchiveSummary:
    """What the archive checks found."""

    file_type: FileType | None
    entry_count: int
    total_size: int


@dataclass
class _Budget:
    """Entries and unpacked bytes left for an archive and every archive nested in it."""

    entries: int
    size: int

    def spend(self, entries: list[zipfile.ZipInfo], policy: StoragePolicy) -> int:
        self.entries -= len(entries)
        if self.entries < 0:
            raise FileRejected(
                RejectionCode.ARCHIVE_BOMB,
                f"В архиве слишком много файлов: вместе с вложенными архивами — не более {policy.archive_max_entries}.",
            )
        unpacked = sum(info.file_size for info in entries)
        self.size -= unpacked
        if self.size < 0:
            raise FileRejected(
                RejectionCode.ARCHIVE_BOMB,
                f"Распакованный размер архива превышает {policy.archive_max_total_size} байт.",
            )
        return unpacked


def inspect_archive(stream: IO[bytes], policy: StoragePolicy, *, verify_entries: bool) -> ArchiveSummary:
    """Check a ZIP against the archive rules and tell which ZIP-based type it is (``None``: plain ZIP).

    Every entry is looked at: its name and its first bytes must not be a program, and an entry that is
    itself a ZIP is checked by the same rules (``archive_max_depth`` levels, one budget of entries and bytes
    for all levels). ``verify_entries`` also decompresses every entry (bounded by its declared size) to prove
    the declared sizes; it is used for packages, which are unpacked later, and skipped for documents, which
    are served as-is.
    """
    archive = _open_zip(stream)
    with archive:
        entries = archive.infolist()
        budget = _Budget(policy.archive_max_entries, policy.archive_max_total_size)
        total = _check_entries(entries, stream, policy, budget)
        _check_members(archive, policy, budget, depth=1, drain=verify_entries, path="")
        return ArchiveSummary(_classify(archive, policy), len(entries), total)


def _open_zip(stream: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
        raise FileRejected(RejectionCode.ARCHIVE_CORRUPT, "Архив повреждён: не читается оглавление ZIP.") from e


def _check_entries(entries: list[zipfile.ZipInfo], stream: IO[bytes], policy: StoragePolicy, budget: _Budget) -> int:
    for info in entries:
        _check_entry(info, policy)
    total = budget.spend(entries, policy)
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


def _check_members(
    archive: zipfile.ZipFile, policy: StoragePolicy, budget: _Budget, *, depth: int, drain: bool, path: str
) -> None:
    """Names and first bytes of every entry; nested ZIPs are checked whole, other entries drained if asked."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = path + info.filename
        _check_member_name(name)
        try:
            with archive.open(info) as member:
                head = member.read(MEMBER_HEAD_SIZE)
                _check_member_head(name, head)
                if looks_like_zip(head):
                    _check_nested(member, head, policy, budget, depth=depth, path=name)
                elif drain:
                    while member.read(1024 * 1024):
                        pass
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as e:
            raise FileRejected(RejectionCode.ARCHIVE_CORRUPT, f"Архив повреждён: не распаковывается {name!r}.") from e


def _check_member_name(name: str) -> None:
    base = name.replace("\\", "/").rpartition("/")[2]
    extension = base.rpartition(".")[2].lower() if "." in base.lstrip(".") else ""
    if extension in EXECUTABLE_EXTENSIONS:
        raise FileRejected(
            RejectionCode.ARCHIVE_EXECUTABLE,
            f"В архиве есть программа или сценарий {name!r} (.{extension}); такие файлы в пакетах не принимаются.",
        )


def _check_member_head(name: str, head: bytes) -> None:
    label = executable_kind(head)
    if label is not None:
        raise FileRejected(
            RejectionCode.ARCHIVE_EXECUTABLE,
            f"В архиве есть исполняемый файл {name!r} ({label}); такие файлы в пакетах не принимаются.",
        )


def _check_nested(
    member: IO[bytes], head: bytes, policy: StoragePolicy, budget: _Budget, *, depth: int, path: str
) -> None:
    """An entry that is a ZIP: unpack it (bounded by its declared size) and apply every rule inside."""
    if depth >= policy.archive_max_depth:
        raise FileRejected(
            RejectionCode.ARCHIVE_BOMB,
            f"Слишком глубокая вложенность архивов у {path!r} (не более {policy.archive_max_depth} уровней).",
        )
    with tempfile.SpooledTemporaryFile(max_size=NESTED_SPOOL_MEMORY) as nested:
        nested.write(head)
        while chunk := member.read(1024 * 1024):
            nested.write(chunk)
        nested.seek(0)
        try:
            inner = zipfile.ZipFile(nested)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as e:
            raise FileRejected(
                RejectionCode.ARCHIVE_CORRUPT, f"Архив повреждён: вложенный архив {path!r} не читается."
            ) from e
        with inner:
            _check_entries(inner.infolist(), nested, policy, budget)
            _check_members(inner, policy, budget, depth=depth + 1, drain=False, path=path + " → ")


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
