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
    """A PDF whose one stream holds incompressible bytes (like embedded scans)."""
    payload = os.urandom(size)
    head = b"%%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n2 0 obj\n<< /Length %d >>\nstream\n" % size
    return head + payload + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


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


def read_and_hash(path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    digest.hexdigest()


def validate(path: Path, name: str, use: FileUse) -> None:
    with path.open("rb") as stream:
        validate_upload(stream, declared_name=name, declared_type=None, use=use).close()


def best_time(action: Callable[[], None], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    size = int(args.size_mb * 1024 * 1024)
    cases = [
        ("PDF", "урок.pdf", FileUse.ATTACHMENT, make_pdf(size)),
        ("DOCX", "урок.docx", FileUse.ATTACHMENT, make_docx(size)),
        ("JPEG 3000×2000", "обложка.jpg", FileUse.COVER_IMAGE, make_jpeg(3000, 2000)),
    ]
    print(f"{'файл':<16}{'МБ':>8}{'чтение+SHA-256, МБ/с':>24}{'проверка, МБ/с':>18}{'доля':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for label, name, use, data in cases:
            path = Path(folder) / name
            path.write_bytes(data)
            megabytes = len(data) / 1024 / 1024
            plain = best_time(lambda p=path: read_and_hash(p), args.rounds)
            checked = best_time(lambda p=path, n=name, u=use: validate(p, n, u), args.rounds)
            print(
                f"{label:<16}{megabytes:>8.1f}{megabytes / plain:>24.0f}{megabytes / checked:>18.0f}"
                f"{plain / checked:>8.2f}"
            )


if __name__ == "__main__":
    main()
