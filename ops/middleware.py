"""First in ``MIDDLEWARE``: the request id, one log line and the metrics of every request, and the probes.

- ``/healthz``, ``/readyz`` and ``/metrics`` are answered here (:mod:`ops.views`), before the host check,
  sessions and quotas, and are neither logged nor counted.
- Every other request gets an id — the ``X-Request-ID`` it came with when plain and short (nginx's
  ``$request_id``), else a new one — returned in the ``X-Request-ID`` header and put on every log line written
  while it runs (and on those of the tasks it enqueues, see :mod:`ops.tasks`).
- When the answer is ready: one line on the ``ops.requests`` logger (method, path, URL pattern, status,
  milliseconds, client address) and the request metrics; a problem+json answer is counted by its ``code``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from content_repo.api.throttling import client_address, trusted_networks

from . import metrics
from .context import HEADER, accepted_request_id, request_id
from .views import PROBES

logger = logging.getLogger("ops.requests")


class ObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        rid = accepted_request_id(request.headers.get(HEADER))
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = rid
            self._account(request, response, time.perf_counter() - started)
        finally:
            request_id.reset(token)
        return response

    def _account(self, request: HttpRequest, response: HttpResponse, seconds: float) -> None:
        endpoint = endpoint_of(request)
        status = response.status_code
        metrics.observe_request(request.method or "", endpoint, status, seconds)
        if status >= 400 and response.get("Content-Type", "").startswith("application/problem+json"):
            code = problem_code(response)
            metrics.observe_problem(endpoint, code, status, with_key="Authorization" in request.headers)
        level = logging.ERROR if status >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s → %s, %d мс",
            request.method,
            request.path,
            status,
            seconds * 1000,
            extra={
                "method": request.method,
                "path": request.path,
                "endpoint": endpoint,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "client": client_address(request.META, trusted_networks(tuple(settings.TRUSTED_PROXIES))),
            },
        )


def endpoint_of(request: HttpRequest) -> str:
    """The URL pattern that answered (``api/v1/resources/<uuid:pk>/``): a bounded set of label values."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return str(match.route)
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def problem_code(response: HttpResponse) -> str:
    data = getattr(response, "data", None)
    if not isinstance(data, dict):
        try:
            data = json.loads(response.content)
        except (ValueError, AttributeError):
            return "unknown"
    code = data.get("code") if isinstance(data, dict) else None
    return str(code) if code else "unknown"
