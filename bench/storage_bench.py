"""Validation throughput against a plain read-and-hash of the same files, in the same run.

Run: ``.venv/bin/python bench/storage_bench.py [--size-mb 8] [--rounds 5]``. Prints MB/s for both and their
ratio; the target for documents is a ratio of at least 0.8. No server and no database are needed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "content_repo.settings")

import django  # noqa: E402

django.setup()

from PIL import Image  # noqa: E402

from storage.filetypes import FileUse  # noqa: E402
from storage.validation import validate_upload  # noqa: E402

CHUNK = 1024 * 1024


def make_pdf(size: int) -> bytes:
    """A one-page PDF whose one stream holds incompressible bytes (like an embedded scan)."""
    payload = os.urandom(size)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> >>",
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /Length %d >>\nstream\n" % size
        + payload
        + b"\nendstream",
    ]
    out = io.BytesIO(b"%PDF-1.7\n")
    out.seek(0, 2)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start))
    return out.getvalue()


def make_textbook(size: int, pages: int = 300) -> bytes:
    """A textbook-like PDF written by qpdf: ``pages`` pages of text, a picture and a link each, one shared
    font, object streams and a compressed cross-reference (about 5 objects per page)."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Widths=Array(range(250, 506)))
    )
    for index in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1].obj
        lines = b" ".join(b"(Line %d: fractions, page %d) Tj 0 -14 Td" % (line, index) for line in range(45))
        picture = pikepdf.Stream(pdf, os.urandom(size // pages))
        picture.Type, picture.Subtype, picture.Filter = Name.XObject, Name.Image, Name.DCTDecode
        page.Contents = pikepdf.Stream(pdf, b"BT /F1 12 Tf 72 770 Td " + lines + b" ET")
        page.Resources = Dictionary(Font=Dictionary(F1=font), XObject=Dictionary(Im1=picture))
        link = Dictionary(
            Subtype=Name.Link, Rect=[72, 72, 200, 90], A=Dictionary(S=Name.URI, URI=String("https://resh.edu.ru/"))
        )
        page.Annots = Array([pdf.make_indirect(link)])
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def make_docx(size: int) -> bytes:
    """A DOCX with a large stored picture and some deflated XML."""
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/word/document.xml" ContentType="{mime}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", "<w:document>" + "<w:p>Дроби</w:p>" * 2000 + "</w:document>")
        for index in range(4):
            info = zipfile.ZipInfo(f"word/media/image{index}.jpeg")
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, os.urandom(size // 4))
    return buffer.getvalue()


def make_jpeg(width: int, height: int) -> bytes:
    noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def make_scorm(size: int) -> bytes:
    """A SCORM package: a manifest, pages and scripts, and media files that take most of the size."""
    manifest = (
        '<?xml version="1.0"?><manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">'
        "<organizations/><resources/></manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for index in range(200):
            archive.writestr(f"pages/p{index}.html", "<html><body>" + "<p>Дроби</p>" * 200 + "</body></html>")
            archive.writestr(f"scripts/s{index}.js", "function step(){return 1;}\n" * 100)
        for index in range(8):
            info = zipfile.ZipInfo(f"media/video{index}.mp4")
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, os.urandom(size // 8))
    return buffer.getvalue()


def read_and_hash(path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    digest.hexdigest()


def validate(path: Path, name: str, use: FileUse) -> None:
    with path.open("rb") as stream:
        validate_upload(stream, declared_name=name, declared_type=None, use=use).close()


def best_times(plain: Callable[[], None], checked: Callable[[], None], rounds: int) -> tuple[float, float]:
    """The best time of each, measured in alternation so that both see the same load on a shared machine."""
    plain_times, checked_times = [], []
    for _ in range(rounds):
        for action, times in ((plain, plain_times), (checked, checked_times)):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
    return min(plain_times), min(checked_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    size = int(args.size_mb * 1024 * 1024)
    cases = [
        ("PDF, скан", "урок.pdf", FileUse.ATTACHMENT, make_pdf(size)),
        ("PDF, 300 стр.", "учебник.pdf", FileUse.ATTACHMENT, make_textbook(size)),
        ("DOCX", "урок.docx", FileUse.ATTACHMENT, make_docx(size)),
        ("SCORM", "курс.zip", FileUse.PACKAGE, make_scorm(size)),
        ("JPEG 3000×2000", "обложка.jpg", FileUse.COVER_IMAGE, make_jpeg(3000, 2000)),
    ]
    print(f"{'файл':<16}{'МБ':>8}{'чтение+SHA-256, МБ/с':>24}{'проверка, МБ/с':>18}{'доля':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for label, name, use, data in cases:
            path = Path(folder) / name
            path.write_bytes(data)
            megabytes = len(data) / 1024 / 1024
            plain, checked = best_times(
                lambda p=path: read_and_hash(p), lambda p=path, n=name, u=use: validate(p, n, u), args.rounds
            )
            print(
                f"{label:<16}{megabytes:>8.1f}{megabytes / plain:>24.0f}{megabytes / checked:>18.0f}"
                f"{plain / checked:>8.2f}"
            )


if __name__ == "__main__":
    main()
