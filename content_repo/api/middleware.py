"""The error boundary of the site, first in `MIDDLEWARE`: no request under /api/ ever gets an HTML page or a
traceback, and no page anywhere gets a 500 because the database is busy.

Under /api/ it refuses, before any view runs, what Django would otherwise refuse with an HTML page or let
through to a 500: a non-numeric `Content-Length`, a JSON body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`, more
query parameters than `DATA_UPLOAD_MAX_NUMBER_FIELDS`, a write to an address without its trailing slash (a
308 to the right one). An exception that escapes a view there becomes a problem+json answer
(`errors.problem_for_exception`: 4xx, 503 or a logged 500 with an error id), and an error page produced by
another middleware is rewritten as one.

Everywhere else, a database lock that could not be had (or a read-only database) is a plain 503 with
`Retry-After` instead of a 500.

It also runs what a view asked to do after the answer has been sent (`after_response`), such as counting a
key's usage, so that work never delays or fails the answer.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve
from rest_framework import exceptions

from .errors import (
    BadRequest,
    PayloadTooLarge,
    ServiceUnavailable,
    TooManyParameters,
    database_unavailable,
    problem_for_exception,
    problem_response,
    problem_response_for,
    server_error,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
CONTENT_LENGTH = re.compile(r"[0-9]{1,19}")
# Bodies with their own, larger limits checked by their views: JSON Lines batches, multipart uploads.
STREAMED_BODIES = ("application/x-ndjson", "multipart/form-data")


class ErrorBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        got_request_exception.connect(remember_exception, dispatch_uid="content_repo.api.remember_exception")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request._after_response = []  # type: ignore[attr-defined]
        if request.path_info.startswith(API_PREFIX):
            response = refuse_early(request) or self.get_response(request)
            response = api_error_page_as_problem(request, response)
        else:
            response = self.get_response(request)
            if response.status_code == 500 and (unavailable := _remembered_unavailable(request)):
                response = plain_unavailable(str(unavailable.detail), unavailable.retry_after)
        for action in request._after_response:  # type: ignore[attr-defined]
            # Django's response.close() runs these after the server has sent the answer.
            response._resource_closers.append(_logged(action))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path_info.startswith(API_PREFIX):
            return problem_for_exception(exception, request)
        if unavailable := database_unavailable(exception):
            return plain_unavailable(str(unavailable.detail), unavailable.retry_after)
        return None


def after_response(request: HttpRequest, action: Callable[[], None]) -> None:
    """Run `action` once the answer has been sent (at once when the middleware is not in the chain)."""
    pending = getattr(request, "_after_response", None)
    if pending is None:
        action()
    else:
        pending.append(action)


def refuse_early(request: HttpRequest) -> HttpResponse | None:
    """The problem answer to an API request no view should see, or None."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if length and not CONTENT_LENGTH.fullmatch(length):
        detail = f"заголовок Content-Length: ожидается число байт, получено {length[:20]!r}"
        return problem_response_for(BadRequest(detail))
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    content_type = request.META.get("CONTENT_TYPE", "")
    if length and limit is not None and int(length) > limit and not content_type.startswith(STREAMED_BODIES):
        return problem_response_for(PayloadTooLarge(f"тело запроса больше {limit} байт"))
    try:
        request.GET  # noqa: B018 - parsing the query string is what raises TooManyFieldsSent
    except TooManyFieldsSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return problem_response_for(TooManyParameters(f"больше {limit} параметров в запросе"))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return _redirect_to_slash(request)
    return None


def api_error_page_as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An error page another layer produced under /api/ (HTML or plain text), rewritten as problem+json."""
    if response.status_code < 400 or "json" in response.get("Content-Type", ""):
        return response
    exception = getattr(request, "_unhandled_exception", None)
    if exception is not None:
        return problem_for_exception(exception, request)
    if response.status_code >= 500:
        body = server_error(RuntimeError(f"error page {response.status_code} under /api/"), request)
        return problem_response(body, 500)
    problem = problem_response_for(_exception_for_status(response.status_code, request))
    problem.status_code = response.status_code
    return problem


def plain_unavailable(detail: str, retry_after: int) -> HttpResponse:
    response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def remember_exception(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Keep the exception Django turns into a 500 page, so the boundary can answer for it properly."""
    if request is not None:
        request._unhandled_exception = sys.exc_info()[1]  # type: ignore[attr-defined]


def _remembered_unavailable(request: HttpRequest) -> ServiceUnavailable | None:
    exception = getattr(request, "_unhandled_exception", None)
    return database_unavailable(exception) if exception is not None else None


def _exception_for_status(status_code: int, request: HttpRequest) -> exceptions.APIException:
    if status_code == 404:
        return exceptions.NotFound("Нет такого адреса API; список адресов — /api/v1/docs/")
    if status_code == 405:
        return exceptions.MethodNotAllowed(request.method or "")
    if status_code == 403:
        return exceptions.PermissionDenied()
    if status_code == 413:
        return PayloadTooLarge()
    return BadRequest()


def _redirect_to_slash(request: HttpRequest) -> HttpResponse | None:
    """A write to an address that exists only with a trailing slash: 308, which keeps the method and the
    body (Django's APPEND_SLASH can only answer 301, and fails with an exception in DEBUG)."""
    path = request.path_info
    if path.endswith("/") or _resolves(path) or not _resolves(path + "/"):
        return None
    response = HttpResponseRedirect(request.get_full_path(force_append_slash=True))
    response.status_code = 308
    return response


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _logged(action: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            action()
        except Exception:  # noqa: BLE001 - response.close() would swallow it silently: log it instead
            logger.exception("a task after the response failed")

    return run
