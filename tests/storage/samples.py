"""Minimal valid files of every accepted type and hostile files for every rule, built in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import ExifTags, Image

OOXML_MAIN = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "epub": "application/epub+zip",
}
SCORM_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="lesson-5-fractions" version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Дроби, 5 класс</title>
    <item identifier="i1" identifierref="r1"><title>Урок</title></item></organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>
""".encode()
CC_MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="cc-1" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion></metadata>
  <organizations/><resources/>
</manifest>
"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<manifest>&b;</manifest>
"""


# A fixed timestamp: the same sample is byte-for-byte the same whenever it is built (ZIP stores the time).
ZIP_TIME = (2025, 9, 1, 8, 30, 0)


def zip_bytes(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    """A ZIP with ``entries`` in order (a plain name is deflated, a ZipInfo is written as given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries:
            if isinstance(entry, str):
                entry = zipfile.ZipInfo(entry, date_time=ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()


def content_types(main_type: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/main.xml" ContentType="{main_type}.main+xml"/></Types>'
    ).encode()


def ooxml(kind: str, *, extra: list[tuple[zipfile.ZipInfo | str, bytes]] | None = None) -> bytes:
    part, mime = OOXML_MAIN[kind]
    return zip_bytes(
        [("[Content_Types].xml", content_types(mime)), ("_rels/.rels", b"<Relationships/>"), (part, b"<x/>")]
        + (extra or [])
    )


def stored_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_STORED
    return info


def odf(kind: str) -> bytes:
    inner = "META-INF/container.xml" if kind == "epub" else "content.xml"
    return zip_bytes([(stored_entry("mimetype"), ODF_MIMETYPES[kind].encode()), (inner, b"<x/>")])


def pdf(
    padding: int = 0,
    *,
    catalog: bytes = b"",
    page: bytes = b"",
    objects: dict[int, bytes] | None = None,
    compressed: dict[int, bytes] | None = None,
    object_stream_padding: int = 0,
    object_stream_data: bytes | None = None,
) -> bytes:
    """A one-page PDF written byte by byte, as an attacker would write it.

    ``catalog`` and ``page`` are added to those dictionaries (objects 1 and 3), ``objects`` are numbered
    objects from 4 on written as they are, ``compressed`` go into a FlateDecode object stream (then the
    cross-reference is a stream too); ``object_stream_padding`` appends that many spaces to the object
    stream before compression, ``object_stream_data`` replaces its compressed bytes. ``padding`` adds a
    stream of that many binary bytes (a picture, say).
    """
    body: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> " + page + b" >>",
        **(objects or {}),
    }
    if padding:
        payload = bytes(range(256)) * (padding // 256)
        body[max(body) + 1] = b"<< /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream"
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, text in sorted(body.items()):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + text + b"\nendobj\n")
    if compressed is None:
        return _classic_xref(out, offsets)
    return _object_stream_xref(out, offsets, compressed, object_stream_padding, object_stream_data)


def _classic_xref(out: io.BytesIO, offsets: dict[int, int]) -> bytes:
    start = out.tell()
    size = max(offsets) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start))
    return out.getvalue()


def _object_stream_xref(
    out: io.BytesIO, offsets: dict[int, int], compressed: dict[int, bytes], padding: int, data: bytes | None
) -> bytes:
    stream_number = max([*offsets, *compressed]) + 1
    header = b""
    contents = b""
    index: dict[int, int] = {}
    for position, (number, text) in enumerate(sorted(compressed.items())):
        header += b"%d %d " % (number, len(contents))
        index[number] = position
        contents += text + b"\n"
    packed = data if data is not None else zlib.compress(header + contents + b" " * padding)
    offsets[stream_number] = out.tell()
    out.write(
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (stream_number, len(compressed), len(header), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    xref_number = stream_number + 1
    start = out.tell()
    rows = b""
    for number in range(xref_number + 1):
        if number == xref_number:
            rows += b"\x01" + start.to_bytes(4, "big") + b"\x00"
        elif number in offsets:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00"
        elif number in index:
            rows += b"\x02" + stream_number.to_bytes(4, "big") + bytes([index[number]])
        else:
            rows += b"\x00" + bytes(4) + b"\xff"
    table = zlib.compress(rows)
    out.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, len(table))
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    )
    return out.getvalue()


def encrypted_pdf(*, user_password: str, javascript: bool = False) -> bytes:
    """A PDF encrypted with AES-256 and object streams (written by qpdf), with or without an open script."""
    import pikepdf

    document = pikepdf.open(io.BytesIO(pdf()))
    if javascript:
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        document.Root.OpenAction = document.make_indirect(script)
    out = io.BytesIO()
    document.save(
        out,
        encryption=pikepdf.Encryption(owner="владелец", user=user_password, R=6),
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return out.getvalue()


def mp3() -> bytes:
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + frame * 3


def ogg() -> bytes:
    vorbis_id = b"\x01vorbis" + b"\x00" * 4 + b"\x02" + struct.pack("<I", 44100) + b"\x00" * 12 + b"\xb8\x01"
    header = b"OggS\x00\x02" + b"\x00" * 8 + b"\x01\x00\x00\x00" + b"\x00" * 8 + b"\x01" + bytes([len(vorbis_id)])
    return header + vorbis_id


def mp4() -> bytes:
    ftyp = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00" + b"isommp41"
    return ftyp + struct.pack(">I", 8) + b"free" + struct.pack(">I", 8) + b"mdat"


def webm() -> bytes:
    return bytes.fromhex(
        "1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878102428581021853806701ffffffffffffff"
    )


def text() -> bytes:
    return "Дроби. 5 класс.\nСложение дробей с одинаковыми знаменателями.\n".encode()


def scorm(manifest: bytes = SCORM_MANIFEST) -> bytes:
    return zip_bytes([("imsmanifest.xml", manifest), ("index.html", b"<html><body>lesson</body></html>")])


def image(fmt: str, size: tuple[int, int] = (40, 20), *, exif: Image.Exif | None = None) -> bytes:
    picture = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    options: dict[str, object] = {"exif": exif} if exif is not None else {}
    picture.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def jpeg_with_gps_and_orientation() -> bytes:
    """A 40×20 JPEG whose EXIF says 'rotate 90°' and carries GPS coordinates (Moscow)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Школьная камера"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 45.0, 21.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (37.0, 37.0, 4.0)
    return image("JPEG", exif=exif)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims 10 gigapixels; the rows compress to almost nothing."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = compressor.compress(row * 64) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def zip_bomb_docx(uncompressed: int = 50 * 1024 * 1024) -> bytes:
    """A DOCX with one entry of zeros compressed about 1000:1."""
    return ooxml("docx", extra=[("word/media/zeros.bin", b"\x00" * uncompressed)])


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (0o120777 << 16) | 0
    return info, target.encode()


def mark_encrypted(data: bytes, name: str) -> bytes:
    """Set the 'encrypted' flag of entry ``name`` in its local header and central directory record
    (zipfile clears flag bits on write, so the bytes are patched)."""
    patched = bytearray(data)
    encoded = name.encode()
    for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        position = patched.find(signature)
        while position != -1:
            length = struct.unpack_from("<H", patched, position + name_at - (4 if signature == b"PK\x03\x04" else 18))[
                0
            ]
            if bytes(patched[position + name_at : position + name_at + length]) == encoded:
                patched[position + flags_at] |= 0x1
            position = patched.find(signature, position + 4)
    return bytes(patched)


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
MACH_O = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 64
SHELL = b"#!/bin/sh\nrm -rf ~\n"
HTML = b"<!DOCTYPE html>\n<html><head><script>alert(document.cookie)</script></head><body></body></html>\n"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>\n"
)
