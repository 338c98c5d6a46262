"""Errors as application/problem+json (RFC 9457) with a stable `type`, a Russian title and per-field errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_BASE = "https://catalog.edu.ru/problems/"
TITLES = {
    "invalid_query_parameter": "Неизвестный или неверный параметр запроса",
    "validation_error": "Данные не прошли проверку",
    "not_found": "Не найдено",
    "not_authenticated": "Требуется ключ API",
    "authentication_failed": "Неверный ключ API",
    "permission_denied": "Недостаточно прав",
    "throttled": "Превышена квота запросов",
    "method_not_allowed": "Метод не поддерживается",
    "not_acceptable": "Формат ответа не поддерживается",
    "unsupported_media_type": "Формат тела запроса не поддерживается",
    "parse_error": "Тело запроса не разобрано",
    "conflict": "Конфликт состояния",
}


class InvalidQueryParameter(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_query_parameter"

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__({parameter: [message]})
        self.parameter = parameter


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Действие невозможно в текущем состоянии ресурса"


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, InvalidQueryParameter):
        return "invalid_query_parameter"
    if isinstance(exc, exceptions.ValidationError):
        return "validation_error"
    return exc.default_code if isinstance(exc.default_code, str) else "error"


def _field_errors(detail: Any) -> dict[str, list[str]] | None:
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    return None


def problem_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = _code(exc)
    errors = _field_errors(exc.detail)
    if errors:
        first_field, first_messages = next(iter(errors.items()))
        detail = f"{first_field}: {first_messages[0]}"
    elif isinstance(exc.detail, list):
        detail = "; ".join(str(d) for d in exc.detail)
    else:
        detail = str(exc.detail)
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": TITLES.get(code, "Ошибка"),
        "status": response.status_code,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    problem = Response(body, status=response.status_code, headers=dict(response.items()))
    problem.content_type = "application/problem+json"
    return problem
