"""JSON from outside, read strictly: the check every body, feed line and document goes through.

Strict UTF-8 JSON (``NaN`` and ``Infinity`` refused), nesting at most ``MAX_DEPTH`` levels, and no lone UTF-16
surrogate or NUL in any key or string — PostgreSQL can store neither, so they would otherwise fail deep in a
save. A refusal names where it happened (``parts[0].title``). The API's default parser, the bulk endpoint's
lines and the vendor feed reader all call :func:`load_json`.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_DEPTH", "UNSTORABLE_CHARACTER", "InvalidJSON", "check_json_value", "load_json", "printable"]

UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` safe to echo in an answer: NUL and surrogates shown as U+FFFD."""
    return UNSTORABLE_CHARACTER.sub("\ufffd", text)


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
            raise InvalidJSON("", f"текст не в кодировке UTF-8 (байт {e.start + 1})") from e
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


def _check_string(path: str, value: str) -> None:
    if match := UNSTORABLE_CHARACTER.search(value):
        character = match.group()
        raise InvalidJSON(path, f"недопустимый символ U+{ord(character):04X} в позиции {match.start() + 1}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} не входит в JSON")
