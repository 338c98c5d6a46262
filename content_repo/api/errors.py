"""Errors as application/problem+json (RFC 9457) with a stable `type`, a Russian title and per-field errors.

`problem_exception_handler` is DRF's exception handler; `problem_for_exception` gives the same answer for an
exception that escaped a view elsewhere (the error middleware). Nothing under /api/ answers an HTML page:

- a client's mistake is a 4xx naming the parameter or field;
- a database that cannot take the request now — a lock that could not be had within the busy timeout, a
  serialization failure, a read-only database — is a 503 with `Retry-After`;
- anything else is a 500 whose body carries an error id; the traceback is logged under that id.
"""

from __future__ import annotations

import logging
import math
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from content_repo.intake.safe_json import printable

logger = logging.getLogger(__name__)

PROBLEM_BASE = "https://catalog.edu.ru/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {
    "invalid_query_parameter": "Неизвестный или неверный параметр запроса",
    "too_many_parameters": "Слишком много параметров запроса",
    "validation_error": "Данные не прошли проверку",
    "bad_request": "Неверный запрос",
    "not_found": "Не найдено",
    "not_authenticated": "Требуется ключ API",
    "authentication_failed": "Неверный ключ API",
    "permission_denied": "Недостаточно прав",
    "throttled": "Превышена квота запросов",
    "method_not_allowed": "Метод не поддерживается",
    "not_acceptable": "Формат ответа не поддерживается",
    "unsupported_media_type": "Формат тела запроса не поддерживается",
    "parse_error": "Тело запроса не разобрано",
    "payload_too_large": "Тело запроса слишком велико",
    "conflict": "Конфликт состояния",
    "database_busy": "Сервис временно перегружен",
    "read_only": "Каталог временно доступен только для чтения",
    "server_error": "Внутренняя ошибка сервера",
}
# Seconds a client should wait: a lock is usually free again within moments, a read-only database is
# maintenance (a restore, a replica being promoted).
BUSY_RETRY_AFTER = 5
READ_ONLY_RETRY_AFTER = 60
# SQLSTATE codes of PostgreSQL errors that mean "try again later", not "your request is wrong".
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
READ_ONLY_SQLSTATES = {"25006"}  # read-only SQL transaction (a standby, default_transaction_read_only)


# NUL and the UTF-16 surrogates: valid in a Python str, yet a lone surrogate cannot be encoded in an answer.
class InvalidQueryParameter(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_query_parameter"

    def __init__(self, parameter: str, message: str) -> None:
        parameter = printable(parameter[:100])
        super().__init__({parameter: [message]})
        self.parameter = parameter


class TooManyParameters(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "too_many_parameters"


class BadRequest(exceptions.APIException):
    """A request Django refused as malformed or suspicious (a header, the Host, the form encoding)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"
    default_detail = "Запрос не может быть обработан: он составлен неверно"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Действие невозможно в текущем состоянии ресурса"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "Тело запроса слишком велико"


class ServiceUnavailable(exceptions.APIException):
    """503 with `Retry-After`: the database cannot take the request now (busy or read-only)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "database_busy"

    def __init__(self, detail: str, code: str, retry_after: int) -> None:
        super().__init__(detail, code)
        self.default_code = code  # the problem's `code` is read from default_code
        self.retry_after = retry_after


def database_unavailable(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 for a database error that means "not now" (locked, busy, read-only), else None.

    Read from the driver's error: SQLite's result code (`sqlite_errorname`, SQLITE_BUSY and SQLITE_LOCKED
    with their extended codes, SQLITE_READONLY…) or PostgreSQL's SQLSTATE.
    """
    if not isinstance(exc, DatabaseError):
        return None
    cause = exc.__cause__
    sqlite_error = getattr(cause, "sqlite_errorname", "") or ""
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlite_error.startswith("SQLITE_READONLY") or sqlstate in READ_ONLY_SQLSTATES:
        return ServiceUnavailable(
            "Каталог сейчас доступен только для чтения; изменения временно не принимаются",
            "read_only",
            READ_ONLY_RETRY_AFTER,
        )
    if sqlite_error.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or sqlstate in RETRYABLE_SQLSTATES:
        return ServiceUnavailable(
            f"База данных занята другими записями; повторите запрос через {BUSY_RETRY_AFTER} с",
            "database_busy",
            BUSY_RETRY_AFTER,
        )
    return None


def as_api_exception(exc: BaseException) -> exceptions.APIException | None:
    """The API exception a Django or database exception stands for, or None for an unexpected error."""
    if isinstance(exc, exceptions.Throttled):
        return _throttled_in_russian(exc)
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge("Тело запроса больше допустимого размера")
    if isinstance(exc, TooManyFieldsSent):
        return TooManyParameters("Слишком много параметров в запросе (больше 1000)")
    if isinstance(exc, SuspiciousOperation):
        return BadRequest()
    return database_unavailable(exc)


def problem_body(exc: exceptions.APIException, status_code: int) -> dict[str, Any]:
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
        "status": status_code,
        "detail": printable(detail),
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_exception_handler(exc, context):
    """DRF's exception handler: every error as problem+json; an unexpected one as a logged 500."""
    api_exc = as_api_exception(exc)
    if api_exc is None:
        set_rollback()
        request = context.get("request")
        return _problem(Response(server_error(exc, getattr(request, "_request", request)), status=500))
    response = exception_handler(api_exc, context)  # also rolls the view's transaction back
    if response is None:  # pragma: no cover - exception_handler answers every APIException
        return None
    if isinstance(api_exc, ServiceUnavailable):
        response["Retry-After"] = str(api_exc.retry_after)
    problem = Response(problem_body(api_exc, response.status_code), status=response.status_code)
    for header, value in response.items():
        problem[header] = value
    return _problem(problem)


def problem_for_exception(exc: BaseException, request: HttpRequest) -> HttpResponse:
    """The problem+json answer to an exception that escaped outside DRF's handling (plain Django)."""
    api_exc = as_api_exception(exc)
    if api_exc is None:
        return problem_response(server_error(exc, request), 500)
    return problem_response_for(api_exc)


def problem_response_for(exc: exceptions.APIException) -> HttpResponse:
    response = problem_response(problem_body(exc, exc.status_code), exc.status_code)
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, exceptions.Throttled) and (wait := getattr(exc, "wait", None)) is not None:
        response["Retry-After"] = str(math.ceil(wait))
    return response


def problem_response(body: dict[str, Any], status_code: int) -> HttpResponse:
    """A problem+json response without DRF (for middleware)."""
    return JsonResponse(
        body, status=status_code, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def server_error(exc: BaseException, request: HttpRequest | None) -> dict[str, Any]:
    """Log an unexpected error with its traceback under a new id; the body of the 500 problem naming it."""
    error_id = uuid.uuid4().hex[:12]
    method = getattr(request, "method", "?")
    path = getattr(request, "path", "?")
    logger.error("unexpected error %s on %s %s", error_id, method, path, exc_info=(type(exc), exc, exc.__traceback__))
    return {
        "type": PROBLEM_BASE + "server_error",
        "title": TITLES["server_error"],
        "status": 500,
        "detail": f"Непредвиденная ошибка сервера; сообщите администратору каталога её номер: {error_id}",
        "code": "server_error",
        "error_id": error_id,
    }


def wait_in_russian(seconds: float) -> str:
    """`3725` → «1 ч 2 мин 5 с» (abbreviations, so no plural forms are needed)."""
    total = max(1, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} ч" if hours else "", f"{minutes} мин" if minutes else "", f"{secs} с" if secs else ""]
    return " ".join(part for part in parts if part)


def _throttled_in_russian(exc: exceptions.Throttled) -> exceptions.Throttled:
    # DRF appends an English (or gettext-translated) "Expected available in …" to any detail: replace it.
    wait = getattr(exc, "wait", None)
    russian = exceptions.Throttled(wait=wait)
    when = f"через {wait_in_russian(wait)}" if wait is not None else "позже"
    russian.detail = ErrorDetail(f"Превышена квота запросов; повторите {when}", code="throttled")
    return russian


def _problem(response: Response) -> Response:
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, InvalidQueryParameter):
        return "invalid_query_parameter"
    if isinstance(exc, exceptions.ValidationError):
        return "validation_error"
    return exc.default_code if isinstance(exc.default_code, str) else "error"


def _field_errors(detail: Any) -> dict[str, list[str]] | None:
    if isinstance(detail, dict):
        return {
            printable(str(k)): [printable(str(m)) for m in (v if isinstance(v, list) else [v])]
            for k, v in detail.items()
        }
    return None
