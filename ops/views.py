"""The probes: ``/healthz`` (the process answers), ``/readyz`` (its dependencies answer) and ``/metrics``.

They are answered by :class:`ops.middleware.ObservabilityMiddleware` before any other layer, so a load balancer
asking by IP address is not refused by the ``ALLOWED_HOSTS`` check, and a probe costs no session, quota or log
line.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import health, metrics

JSON_OPTIONS = {"ensure_ascii": False}


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and serving: nothing else is asked."""
    return _no_store(JsonResponse({"status": "ok"}, json_dumps_params=JSON_OPTIONS))


def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database, search backend, storage and task queue answer; 503 naming those that do not.

    Why a check failed (error text with hosts, users, buckets) is shown only to whoever may read the metrics;
    anyone else learns which dependency failed. The answer is this process's cached one (``health.READINESS``).
    """
    body = health.as_json(health.READINESS.get(), with_detail=may_read_metrics(request))
    status = 503 if body["failed"] else 200
    return _no_store(JsonResponse(body, status=status, json_dumps_params=JSON_OPTIONS))


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        return _no_store(
            JsonResponse(
                {"detail": "Метрики доступны с этой машины или с токеном METRICS_TOKEN"},
                status=403,
                json_dumps_params=JSON_OPTIONS,
            )
        )
    body, content_type = metrics.render()
    return _no_store(HttpResponse(body, content_type=content_type))


def may_read_metrics(request: HttpRequest) -> bool:
    """With ``METRICS_TOKEN``: the bearer token. Without: a loopback peer whose request no proxy forwarded."""
    token = settings.METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics_view}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined] # a 503 probe is an answer, not a server error
    return response
