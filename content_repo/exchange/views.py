"""HTTP views of the exchange: thin — they read the request and call the services.

``/oai/`` is OAI-PMH (XML, its own error codes); the CASE packages and the dumps live under ``/api/v1/`` and
follow the API's rules (declared parameters, conditional GET, problem+json errors).
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from content_repo.api.views.base import ConditionalGetMixin, DeclaredParametersMixin
from content_repo.curriculum.models import Framework

from .case.export import case_package
from .dumps import DUMP_FILES, dump_file_key, list_manifests
from .oai.provider import respond

OAI_CONTENT_TYPE = "text/xml; charset=utf-8"
_MEDIA_TYPES = {dump.name: dump.media_type for dump in DUMP_FILES} | {"manifest.json": "application/json"}


@csrf_exempt  # OAI-PMH allows POST with form arguments; nothing it does depends on a session
@require_http_methods(["GET", "HEAD", "POST"])
def oai_endpoint(request: HttpRequest) -> HttpResponse:
    """``/oai/``: every verb of OAI-PMH 2.0, by GET query or POST form."""
    arguments = request.POST if request.method == "POST" else request.GET
    body = respond(arguments.lists(), request.build_absolute_uri(request.path))
    response = HttpResponse(body, content_type=OAI_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


class CasePackage(ConditionalGetMixin, DeclaredParametersMixin, APIView):
    """A framework of the curriculum as an IMS CASE 1.1 CFPackage (CFDocument, CFItems, CFAssociations)."""

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="Программа в формате IMS CASE 1.1",
        description="CFPackage: CFDocument, CFItems (humanCodingScheme, fullStatement, educationLevel), "
        "CFAssociations isChildOf и exactMatchOf. Идентификаторы — UUID из кодов узлов, одинаковые на любом "
        "экземпляре каталога; uri — адреса узлов в API.",
    )
    def get(self, request, framework: str):
        found = Framework.objects.filter(code=framework).first()
        if found is None:
            raise NotFound("Нет такой программы; список — /api/v1/curriculum/frameworks/")
        return Response(case_package(found))


class DumpList(ConditionalGetMixin, DeclaredParametersMixin, APIView):
    """The kept dumps of the published catalog, newest first, each with its manifest."""

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="Выгрузки каталога целиком",
        description="Манифесты сохранённых выгрузок (новые первыми): время, число ресурсов, курсор ленты "
        "изменений, файлы JSON Lines и JSON-LD (gzip) с размером, SHA-256 и адресом "
        "/api/v1/dumps/{stamp}/{name}.",
    )
    def get(self, request):
        return Response({"dumps": list_manifests()})


@require_http_methods(["GET", "HEAD"])
def dump_file(request: HttpRequest, stamp: str, name: str) -> FileResponse:
    """One file of a dump, streamed from the file storage."""
    key = dump_file_key(stamp, name)
    if key is None or not default_storage.exists(key):
        raise NotFound("Нет такой выгрузки или файла; список — /api/v1/dumps/")
    response = FileResponse(default_storage.open(key, "rb"), as_attachment=name != "manifest.json", filename=name)
    response["Content-Type"] = _MEDIA_TYPES[name]
    if name.endswith(".gz"):
        response["Content-Type"] = "application/gzip"
    return response
