"""Images: decode under a pixel limit, verify, apply orientation and re-encode without metadata."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from storage.exceptions import FileRejected, RejectionCode
from storage.filetypes import FileType

PILLOW_FORMATS: dict[FileType, str] = {FileType.JPEG: "JPEG", FileType.PNG: "PNG", FileType.WEBP: "WEBP"}
JPEG_MODES = frozenset({"RGB", "L", "CMYK"})


@dataclass(frozen=True)
class SanitizedImage:
    """A re-encoded image: no EXIF, GPS, XMP or comments; orientation already applied."""

    content: bytes
    width: int
    height: int


def sanitize_image(stream: IO[bytes], file_type: FileType, max_pixels: int) -> SanitizedImage:
    """Decode ``stream`` as ``file_type`` and return it re-encoded, or raise ``FileRejected``."""
    pillow_format = PILLOW_FORMATS[file_type]
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here any bomb warning is a rejection.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        _verify(stream, pillow_format, max_pixels)
        image = _load(stream, pillow_format, max_pixels)
    with image:
        upright = ImageOps.exif_transpose(image)
        return SanitizedImage(_encode(upright, pillow_format, image), upright.width, upright.height)


def _open(stream: IO[bytes], pillow_format: str, max_pixels: int) -> Image.Image:
    stream.seek(0)
    image = Image.open(stream, formats=[pillow_format])
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    if width * height * frames > max_pixels:
        image.close()
        raise FileRejected(
            RejectionCode.IMAGE_BOMB,
            f"Изображение слишком велико: {width}×{height}×{frames} пикселей (не более {max_pixels}).",
        )
    return image


def _verify(stream: IO[bytes], pillow_format: str, max_pixels: int) -> None:
    try:
        with _open(stream, pillow_format, max_pixels) as image:
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _bomb(e) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as e:
        raise _corrupt(e) from e


def _load(stream: IO[bytes], pillow_format: str, max_pixels: int) -> Image.Image:
    try:
        image = _open(stream, pillow_format, max_pixels)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _bomb(e) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as e:
        raise _corrupt(e) from e
    return image


def _encode(image: Image.Image, pillow_format: str, original: Image.Image) -> bytes:
    source_info = dict(original.info)
    options: dict[str, object] = {}
    if source_info.get("icc_profile"):
        options["icc_profile"] = source_info["icc_profile"]
    if pillow_format == "JPEG":
        if image.mode not in JPEG_MODES:
            image = image.convert("RGB")
        options.update(quality=90, optimize=True)
    elif pillow_format == "WEBP":
        options.update(quality=90, lossless=bool(source_info.get("lossless")))
    elif "transparency" in source_info and image.mode in {"P", "L", "RGB"}:
        options["transparency"] = source_info["transparency"]
    # Pillow may carry EXIF/XMP/comments over from ``info``; only what is set above is written.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format=pillow_format, **options)
    return out.getvalue()


def _bomb(error: Exception) -> FileRejected:
    return FileRejected(RejectionCode.IMAGE_BOMB, f"Изображение похоже на «бомбу распаковки»: {error}.")


def _corrupt(error: Exception) -> FileRejected:
    return FileRejected(RejectionCode.IMAGE_CORRUPT, f"Изображение повреждено или обрезано: {error}.")
