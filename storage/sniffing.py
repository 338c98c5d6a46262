"""Content sniffing of the first bytes: libmagic plus explicit checks for what must never pass."""

from __future__ import annotations

import re

import magic

from storage.exceptions import FileRejected, RejectionCode

HEAD_SIZE = 64 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

# Executable formats by their first bytes, whatever the name or declared type says.
EXECUTABLE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "ELF"),
    (b"MZ", "PE/MZ (Windows)"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Mach-O universal / Java class"),
    (b"dex\n", "Android DEX"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", "ярлык Windows (.lnk)"),
    (b"#!", "сценарий с shebang"),
)
EXECUTABLE_PREFIXES = tuple(signature for signature, _ in EXECUTABLE_SIGNATURES)
EXECUTABLE_MAGIC_TYPES = frozenset(
    {
        "application/x-executable",
        "application/x-pie-executable",
        "application/x-sharedlib",
        "application/x-dosexec",
        "application/x-msdownload",
        "application/x-mach-binary",
        "application/x-shellscript",
        "text/x-shellscript",
        "application/x-java-applet",
        "application/vnd.microsoft.portable-executable",
    }
)
ACTIVE_MAGIC_TYPES = frozenset(
    {"text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript", "application/javascript"}
)
# Markup that a browser would run, looked for in the head of anything textual.
ACTIVE_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|xml|\?xml)\b",
    re.IGNORECASE,
)


def sniff_mime_type(head: bytes) -> str:
    """The MIME type libmagic finds in ``head``."""
    return str(magic.from_buffer(head, mime=True))


def executable_kind(head: bytes) -> str | None:
    """What executable format ``head`` starts with (``"ELF"``, ``"PE/MZ (Windows)"``…), or None."""
    if not head.startswith(EXECUTABLE_PREFIXES):
        return None
    for signature, label in EXECUTABLE_SIGNATURES:
        if head.startswith(signature):
            return label
    return None


def reject_executable(head: bytes, magic_type: str) -> None:
    """Refuse native executables and scripts, under any name."""
    label = executable_kind(head)
    if label is not None:
        raise FileRejected(RejectionCode.EXECUTABLE, f"Исполняемые файлы не принимаются (обнаружен {label}).")
    if magic_type in EXECUTABLE_MAGIC_TYPES:
        raise FileRejected(RejectionCode.EXECUTABLE, f"Исполняемые файлы не принимаются ({magic_type}).")


def reject_active_content(head: bytes, magic_type: str) -> None:
    """Refuse HTML, SVG and scripts: a browser would run them from our domain."""
    if magic_type in ACTIVE_MAGIC_TYPES:
        raise FileRejected(
            RejectionCode.ACTIVE_CONTENT,
            f"Активное содержимое (HTML, SVG, сценарии) не принимается: обнаружен тип {magic_type}.",
        )
    if magic_type.startswith("text/") or magic_type in {"application/xml", "application/octet-stream"}:
        if ACTIVE_MARKUP.search(head.lstrip(b"\xef\xbb\xbf")[:1024]):
            raise FileRejected(
                RejectionCode.ACTIVE_CONTENT,
                "Активное содержимое (HTML, SVG, сценарии) не принимается: в файле найдена разметка.",
            )


def looks_like_zip(head: bytes) -> bool:
    """True for a ZIP archive (or an empty one)."""
    return head.startswith(ZIP_MAGIC)
