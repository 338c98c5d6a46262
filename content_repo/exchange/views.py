"""HTTP views of the exchange: thin — they read the request and call the services."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .oai.provider import respond

OAI_CONTENT_TYPE = "text/xml; charset=utf-8"


@csrf_exempt  # OAI-PMH allows POST with form arguments; nothing it does depends on a session
@require_http_methods(["GET", "HEAD", "POST"])
def oai_endpoint(request: HttpRequest) -> HttpResponse:
    """``/oai/``: every verb of OAI-PMH 2.0, by GET query or POST form."""
    arguments = request.POST if request.method == "POST" else request.GET
    body = respond(arguments.lists(), request.build_absolute_uri(request.path))
    response = HttpResponse(body, content_type=OAI_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response
