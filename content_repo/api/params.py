"""Query parameter policy of the whole API: every endpoint declares the parameters it takes, values are read
by the typed readers here, and a bad value is a 400 naming the parameter — never a 500 further down.

- `check_query_parameters` refuses unknown names, overlong values, control characters and lone surrogates
  (PostgreSQL can store neither NUL nor a surrogate);
- `integer`, `int_list`, `str_list`, `date_time` read one parameter each: integers are ASCII digits only
  (Python's `int()` would take «٣» and «1_000»), dates are checked for existence and range;
- `Codes`, `Integers`, `Integer`, `Choice`, `DateTime` declare a filter parameter once: how it is read and how
  the OpenAPI schema documents it (with its bounds, so clients and schemathesis see them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.request import Request

from .errors import InvalidQueryParameter

COMMON_PARAMETERS = frozenset({"page_size", "cursor", "format"})
FORMATS = ("json", "jsonld")  # `?format=`: the renderers of the API
MAX_VALUE_LENGTH = 1000  # characters of one raw value (a comma-separated list included)
MAX_LIST_VALUES = 50  # values of one multi-valued filter, repeated or comma-separated
MAX_CODE_LENGTH = 200  # one code of such a list
MAX_INTEGER = 2**53 - 1  # the largest integer every JSON client holds exactly
MAX_DATE_LENGTH = 40
# C0 controls other than tab, line feed and carriage return, and UTF-16 surrogates (never valid text).
FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
ASCII_INTEGER = re.compile(r"[+-]?[0-9]{1,20}")
# How codes are spelled (vocabularies, curriculum, organisations): what a code filter's schema allows.
CODE_PATTERN = r"^[A-Za-z0-9_.:\-]+$"


def check_query_parameters(
    request: Request, allowed: set[str] | frozenset[str], formats: tuple[str, ...] = FORMATS
) -> None:
    """Refuse a parameter the endpoint does not take, and values no reader should ever see.

    ``formats``: the values of ``?format=`` the endpoint renders (an endpoint with its own renderer, such as
    the coverage report's CSV, adds its format).
    """
    for name, values in request.query_params.lists():
        check_text(name, name)
        for value in values:
            check_text(name, value)
            if len(value) > MAX_VALUE_LENGTH:
                raise InvalidQueryParameter(name, f"значение длиннее {MAX_VALUE_LENGTH} символов")
    for value in request.query_params.getlist("format"):
        if value not in formats:
            raise InvalidQueryParameter("format", f"допустимы: {', '.join(formats)}; получено {value[:20]!r}")
    unknown = sorted(set(request.query_params) - set(allowed) - COMMON_PARAMETERS)
    if unknown:
        raise InvalidQueryParameter(
            unknown[0][:100],
            f"неизвестный параметр; допустимы: {', '.join(sorted(set(allowed) | COMMON_PARAMETERS))}",
        )


def check_text(name: str, value: str) -> None:
    """A 400 naming `name` if `value` holds a control character or a lone surrogate."""
    if match := FORBIDDEN_CHARACTER.search(value):
        character = match.group()
        raise InvalidQueryParameter(
            name[:100], f"недопустимый символ U+{ord(character):04X} в позиции {match.start() + 1}"
        )


def integer(request: Request, name: str, *, default: int, minimum: int = 0, maximum: int = MAX_INTEGER) -> int:
    """One integer parameter; absent or empty gives `default`."""
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    return parse_integer(name, raw.strip(), minimum, maximum)


def int_list(request: Request, name: str, *, minimum: int = 0, maximum: int = MAX_INTEGER) -> list[int]:
    return [parse_integer(name, raw, minimum, maximum) for raw in _values(request, name)]


def str_list(request: Request, name: str) -> list[str]:
    """Codes of one filter, each at most MAX_CODE_LENGTH characters."""
    values = _values(request, name)
    for value in values:
        if len(value) > MAX_CODE_LENGTH:
            raise InvalidQueryParameter(name, f"значение длиннее {MAX_CODE_LENGTH} символов")
    return values


def choice(request: Request, name: str, choices: tuple[str, ...], *, default: str) -> str:
    """One value out of ``choices``; absent or empty gives ``default``, repeated or unknown is a 400."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InvalidQueryParameter(name, "укажите одно значение")
    raw = values[0].strip() if values else ""
    if not raw:
        return default
    if raw not in choices:
        raise InvalidQueryParameter(name, f"допустимы: {', '.join(choices)}; получено {raw[:50]!r}")
    return raw


def date_time(request: Request, name: str) -> datetime | None:
    """An ISO 8601 date or date-time parameter as an aware datetime, or None when absent."""
    raw = request.query_params.get(name)
    return parse_since(raw, name) if raw else None


def parse_integer(name: str, raw: str, minimum: int, maximum: int) -> int:
    if not ASCII_INTEGER.fullmatch(raw):
        raise InvalidQueryParameter(name, f"ожидается целое число от {minimum} до {maximum}, получено {raw[:50]!r}")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidQueryParameter(name, f"допустимо от {minimum} до {maximum}, получено {raw[:50]}")
    return value


def parse_since(raw: str, name: str = "modified_since") -> datetime:
    """A date (midnight, in the catalog's time zone) or a date-time; naive ones are in the catalog's zone."""
    expected = f"ожидается дата или дата-время ISO 8601 (2026-02-01, 2026-02-01T10:00:00+03:00), получено {raw[:50]!r}"
    if len(raw) > MAX_DATE_LENGTH:
        raise InvalidQueryParameter(name, expected)
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is None:
                raise InvalidQueryParameter(name, expected)
            value = datetime(day.year, day.month, day.day)
    except ValueError as e:  # well formed but not a real date: 2026-02-30, 25:00, an offset of 99 hours
        raise InvalidQueryParameter(name, f"такой даты не существует: {raw[:50]!r}") from e
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        value.astimezone(UTC)  # the database stores UTC: 0001-01-01 in Moscow would fall before year 1
    except (OverflowError, ValueError) as e:
        raise InvalidQueryParameter(name, f"дата вне допустимого диапазона: {raw[:50]!r}") from e
    return value


def _values(request: Request, name: str) -> list[str]:
    """Several values of one filter: repeated (?grade=5&grade=6) or comma-separated (?grade=5,6)."""
    values = [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip()]
    if len(values) > MAX_LIST_VALUES:
        raise InvalidQueryParameter(name, f"не больше {MAX_LIST_VALUES} значений")
    return values


@dataclass(frozen=True)
class QueryParameter:
    """A declared filter parameter: its description, how it is read and how the schema documents it."""

    description: str

    def read(self, request: Request, name: str) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def openapi(self, name: str) -> dict[str, Any]:
        parameter = {"name": name, "required": False, "in": "query", "description": self.description}
        schema = self.schema()
        if schema.get("type") == "array":
            parameter |= {"style": "form", "explode": True}
        return parameter | {"schema": schema}


@dataclass(frozen=True)
class Codes(QueryParameter):
    """Codes of a vocabulary or the curriculum; several are joined by OR."""

    def read(self, request: Request, name: str) -> list[str]:
        return str_list(request, name)

    def schema(self) -> dict[str, Any]:
        item = {"type": "string", "pattern": CODE_PATTERN, "minLength": 1, "maxLength": MAX_CODE_LENGTH}
        return {"type": "array", "items": item, "maxItems": MAX_LIST_VALUES}


@dataclass(frozen=True)
class Integers(QueryParameter):
    minimum: int = 0
    maximum: int = MAX_INTEGER

    def read(self, request: Request, name: str) -> list[int]:
        return int_list(request, name, minimum=self.minimum, maximum=self.maximum)

    def schema(self) -> dict[str, Any]:
        item = {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}
        return {"type": "array", "items": item, "maxItems": MAX_LIST_VALUES}


@dataclass(frozen=True)
class Choice(QueryParameter):
    """One value out of a fixed list, with a default."""

    choices: tuple[str, ...] = ()
    default: str = ""

    def read(self, request: Request, name: str) -> str:
        return choice(request, name, self.choices, default=self.default)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices), "default": self.default}


@dataclass(frozen=True)
class Integer(QueryParameter):
    """One integer within bounds, with a default."""

    default: int = 0
    minimum: int = 0
    maximum: int = MAX_INTEGER

    def read(self, request: Request, name: str) -> int:
        return integer(request, name, default=self.default, minimum=self.minimum, maximum=self.maximum)

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum, "default": self.default}


@dataclass(frozen=True)
class DateTime(QueryParameter):
    def read(self, request: Request, name: str) -> datetime | None:
        return date_time(request, name)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}


@dataclass(frozen=True)
class Choices(QueryParameter):
    """Values from a fixed list (statuses); anything else is a 400 naming the value."""

    choices: tuple[str, ...] = ()

    def read(self, request: Request, name: str) -> list[str]:
        values = str_list(request, name)
        unknown = [value for value in values if value not in self.choices]
        if unknown:
            raise InvalidQueryParameter(
                name, f"неизвестное значение {unknown[0][:50]!r}; допустимы: {', '.join(self.choices)}"
            )
        return values

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string", "enum": list(self.choices)}, "maxItems": MAX_LIST_VALUES}
