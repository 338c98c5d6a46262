"""JSON bodies of the API, read with limits: the default parser of every view (REST_FRAMEWORK settings).

A body is refused before any view sees it when it is larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` (413), or when
the intake's strict JSON check refuses it (`content_repo.intake.safe_json`: not UTF-8 JSON, too deep, a lone
surrogate or NUL anywhere) — the same check the bulk endpoint's lines and the feeds go through.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from content_repo.intake.safe_json import InvalidJSON, load_json

from .errors import PayloadTooLarge


class CatalogJSONParser(JSONParser):
    """DRF's JSON parser with the limits above; errors are 400 `parse_error` naming the field, or 413."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = b"" if stream is None else stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(f"тело запроса больше {limit} байт")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as e:
            raise ParseError(f"тело запроса не в кодировке {encoding}") from e
        try:
            return load_json(text)
        except InvalidJSON as e:
            raise ParseError({e.path: [e.message]} if e.path else e.message) from e
