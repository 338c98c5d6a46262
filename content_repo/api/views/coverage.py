"""`GET /api/v1/curriculum/coverage/`: how well published resources cover the programme, per node (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content_repo.alignment.coverage import DEFAULT_MIN_CONFIRMED, programme_coverage
from content_repo.curriculum.models import Subject

from ..errors import InvalidQueryParameter
from ..filters import GRADES, DeclaredFilterBackend
from ..params import Codes, Integer
from ..schema import data_codes
from .base import ConditionalGetMixin, DeclaredParametersMixin

CSV_COLUMNS = [
    "code",
    "title",
    "kind",
    "number",
    "subject",
    "grade",
    "variant",
    "hours",
    "parent",
    "depth",
    "confirmed",
    "suggested",
    "flagged",
    "uri",
]


class CoverageParameters(DeclaredFilterBackend):
    """The parameters of the coverage report (declared once: read here, documented in the schema)."""

    parameters = {
        "subject": Codes("коды предметов (algebra, russian…); без них — вся программа"),
        "grade": GRADES,
        "variant": Codes("варианты программы: базовый, углублённый"),
        "min_confirmed": Integer(
            f"сколько подтверждённых ресурсов нужно узлу, чтобы не попасть в отмеченные (по умолчанию "
            f"{DEFAULT_MIN_CONFIRMED})",
            default=DEFAULT_MIN_CONFIRMED,
            minimum=0,
            maximum=10_000,
        ),
    }

    def filter_queryset(self, request, queryset, view):
        return queryset


def _documented_parameters() -> list[OpenApiParameter]:
    found = []
    for name, parameter in CoverageParameters.parameters.items():
        schema = parameter.schema()
        if name == "subject":
            # A subject the programme does not have is a 400 here (a report of nothing would mislead).
            schema["items"] = {"type": "string", "enum": data_codes()["subjects"]}
        array = schema.get("type") == "array"
        found.append(
            OpenApiParameter(
                name,
                schema,
                description=parameter.description,
                style="form" if array else None,
                explode=True if array else None,
            )
        )
    found.append(OpenApiParameter("format", str, enum=["json", "csv"], description="csv — та же таблица в CSV (UTF-8)"))
    return found


class CoverageCSVRenderer(BaseRenderer):
    """`?format=csv` or `Accept: text/csv`: one row per node, UTF-8 with a BOM (spreadsheets read it as such)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in data["results"]:
            writer.writerow({**row, "flagged": "1" if row["flagged"] else "0"})
        return ("\ufeff" + out.getvalue()).encode("utf-8")


class NodeCoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    uri = serializers.URLField()
    title = serializers.CharField()
    kind = serializers.CharField(help_text="section — раздел, topic — тема, content_section — раздел содержания")
    number = serializers.CharField()
    subject = serializers.CharField()
    grade = serializers.IntegerField()
    variant = serializers.CharField()
    hours = serializers.FloatField(allow_null=True)
    parent = serializers.CharField(allow_null=True, help_text="код раздела")
    depth = serializers.IntegerField(help_text="0 — раздел, 1 — тема раздела…")
    confirmed = serializers.IntegerField(
        help_text="опубликованных ресурсов с подтверждённой привязкой (раздел — с темами)"
    )
    suggested = serializers.IntegerField(help_text="опубликованных ресурсов только с предложенными привязками")
    flagged = serializers.BooleanField(help_text="подтверждённых меньше, чем min_confirmed")


class CoverageSerializer(serializers.Serializer):
    subject = serializers.ListField(child=serializers.CharField())
    grade = serializers.ListField(child=serializers.IntegerField())
    variant = serializers.ListField(child=serializers.CharField())
    min_confirmed = serializers.IntegerField()
    nodes = serializers.IntegerField(help_text="узлов в отчёте")
    flagged = serializers.IntegerField(help_text="из них отмечено")
    results = NodeCoverageSerializer(many=True)


class CoverageView(ConditionalGetMixin, DeclaredParametersMixin, APIView):
    """Coverage of the programme: per node of a subject's plan, the published resources aligned to it."""

    filter_backends = [CoverageParameters]
    renderer_classes = [JSONRenderer, CoverageCSVRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are problem+json whatever format was asked for (a CSV of an error would read as data).
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        operation_id="curriculum_coverage",
        parameters=_documented_parameters(),
        responses={
            200: OpenApiResponse(CoverageSerializer, description="JSON; `?format=csv` — то же таблицей CSV"),
        },
    )
    def get(self, request: Request) -> Response:
        backend = CoverageParameters()
        subjects = backend.value(request, "subject") or list(
            Subject.objects.filter(has_topics=True).order_by("code").values_list("code", flat=True)
        )
        unknown = sorted(set(subjects) - set(Subject.objects.filter(code__in=subjects).values_list("code", flat=True)))
        if unknown:
            raise InvalidQueryParameter("subject", f"неизвестный код предмета: {unknown[0]}")
        grades = backend.value(request, "grade")
        variants = backend.value(request, "variant")
        min_confirmed = backend.value(request, "min_confirmed")
        report = programme_coverage(subjects=subjects, grades=grades, variants=variants, min_confirmed=min_confirmed)
        body = {
            "subject": subjects,
            "grade": grades,
            "variant": variants,
            "min_confirmed": min_confirmed,
            "nodes": len(report.nodes),
            "flagged": report.flagged,
            "results": [asdict(node) for node in report.nodes],
        }
        headers = {}
        if request.accepted_renderer.format == "csv":
            name = "-".join([*backend.value(request, "subject"), *map(str, grades)]) or "all"
            headers["Content-Disposition"] = f'attachment; filename="coverage-{name}.csv"'
        return Response(body, headers=headers)
