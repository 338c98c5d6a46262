"""Query parameter policy: every list declares the parameters it takes; anything else is a 400."""

from __future__ import annotations

from rest_framework.request import Request

from .errors import InvalidQueryParameter

COMMON_PARAMETERS = frozenset({"page_size", "cursor", "format"})


def check_query_parameters(request: Request, allowed: set[str] | frozenset[str]) -> None:
    for name, values in request.query_params.lists():
        if any("\x00" in value for value in values):
            # PostgreSQL cannot store or compare NUL characters: refuse them here, not with a 500 later.
            raise InvalidQueryParameter(name, "недопустимый символ NUL (\\x00)")
    unknown = sorted(set(request.query_params) - set(allowed) - COMMON_PARAMETERS)
    if unknown:
        raise InvalidQueryParameter(
            unknown[0],
            f"неизвестный параметр; допустимы: {', '.join(sorted(set(allowed) | COMMON_PARAMETERS))}",
        )


def int_list(request: Request, name: str, *, minimum: int | None = None, maximum: int | None = None) -> list[int]:
    values = []
    for raw in _values(request, name):
        try:
            value = int(raw)
        except ValueError as e:
            raise InvalidQueryParameter(name, f"ожидается целое число, получено {raw!r}") from e
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise InvalidQueryParameter(name, f"значение {value} вне диапазона {minimum}–{maximum}")
        values.append(value)
    return values


def str_list(request: Request, name: str) -> list[str]:
    return _values(request, name)


def _values(request: Request, name: str) -> list[str]:
    """Several values of one filter: repeated (?grade=5&grade=6) or comma-separated (?grade=5,6)."""
    return [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip()]
