"""JSON bodies of the API, read with limits: the default parser of every view (REST_FRAMEWORK settings).

A body is refused before any view sees it when it is larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` (413), is not
strict UTF-8 JSON (NaN and Infinity included), nests deeper than `MAX_DEPTH`, or holds a lone UTF-16 surrogate
or a NUL character in any key or string — PostgreSQL can store neither, so they would otherwise fail deep in
a save. `load_json` is the same check for a JSON text read elsewhere (a line of a JSON Lines body).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .errors import UNSTORABLE_CHARACTER, PayloadTooLarge, printable

MAX_DEPTH = 32


class InvalidJSON(ValueError):
    """A JSON text that was refused; `path` names the place (`parts[0].title`, or "" for the whole text)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def load_json(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse strict JSON and check every key and string; raise InvalidJSON naming where it went wrong."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidJSON("", f"тело не в кодировке UTF-8 (байт {e.start + 1})") from e
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as e:
        raise InvalidJSON("", f"вложенность глубже {max_depth} уровней") from e
    except ValueError as e:  # JSONDecodeError and the refused constants
        raise InvalidJSON("", f"JSON не разобран: {e}") from e
    check_json_value(value, max_depth=max_depth)
    return value


def check_json_value(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Walk a parsed JSON value (without recursion): nesting depth and storable strings."""
    stack: list[tuple[str, Any, int]] = [("", value, 1)]
    while stack:
        path, node, depth = stack.pop()
        if isinstance(node, str):
            _check_string(path, node)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise InvalidJSON(path, f"вложенность глубже {max_depth} уровней")
        if isinstance(node, dict):
            for key, item in node.items():
                key_path = _join(path, printable(key[:100]))
                _check_string(key_path, key)
                stack.append((key_path, item, depth + 1))
        else:
            stack.extend((f"{path}[{index}]", item, depth + 1) for index, item in enumerate(node))


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


def _check_string(path: str, value: str) -> None:
    if match := UNSTORABLE_CHARACTER.search(value):
        character = match.group()
        raise InvalidJSON(path, f"недопустимый символ U+{ord(character):04X} в позиции {match.start() + 1}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} не входит в JSON")
