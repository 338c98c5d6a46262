"""Turning response bytes into text: which character set a page really uses.

Russian sites still serve windows-1251 pages, sometimes without saying so in the headers. The order
follows what browsers do: the ``charset`` of ``Content-Type``, then a ``<meta charset>`` or
``http-equiv`` declaration near the top of the document, then a guess, then UTF-8.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

from charset_normalizer import from_bytes

__all__ = ["decode_body", "declared_charset", "meta_charset"]

# Browsers look for the meta declaration in the first 1024 bytes; we allow a little more for pages
# with long <head> comments.
_META_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _known_codec(name: str | None) -> str | None:
    """Return the Python codec name for a declared charset, or ``None`` if Python does not know it."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_charset(content_type: str | None) -> str | None:
    """The charset parameter of a ``Content-Type`` header, if present and known."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return _known_codec(charset if isinstance(charset, str) else None)


def meta_charset(content: bytes) -> str | None:
    """The charset of a ``<meta charset>`` or ``<meta http-equiv="Content-Type">`` tag near the top."""
    match = _META_CHARSET.search(content[:_META_SNIFF_BYTES])
    return _known_codec(match.group(1).decode("ascii")) if match else None


def decode_body(content: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode a body and return ``(text, codec_name)``; never raises on undecodable bytes."""
    for codec in (declared_charset(content_type), meta_charset(content)):
        if codec:
            return content.decode(codec, errors="replace"), codec
    try:
        # Valid UTF-8 is almost never an accident, and the guesser can misread short UTF-8 texts.
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(content).best()
    codec = _known_codec(best.encoding) if best is not None else None
    if codec:
        return content.decode(codec, errors="replace"), codec
    return content.decode("utf-8", errors="replace"), "utf-8"
