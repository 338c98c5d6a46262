"""OpenAPI generation: every operation documents its problem+json errors, 304 and the JSON-LD form."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter

from .renderers import JSONLDRenderer

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Ошибка в формате RFC 9457 (application/problem+json)",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "error_id": {"type": "string", "description": "номер непредвиденной ошибки (500) в журнале сервера"},
        "errors": {
            "type": "object",
            "description": "ошибки по полям или параметрам",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
JSONLD_SCHEMA = {
    "type": "object",
    "description": "Документ JSON-LD (schema.org): `@context` и узел или `@graph`",
    "required": ["@context"],
    "additionalProperties": True,
}
UNAVAILABLE = "база данных занята или доступна только для чтения; повторить после Retry-After"
READ_ERRORS = {
    "400": "неверный или неизвестный параметр запроса",
    "401": "ключ API неверен или отозван",
    "404": "не найдено",
    "406": "формат ответа не поддерживается",
    "429": "превышена квота запросов (заголовок Retry-After)",
    "503": UNAVAILABLE,
}
WRITE_ERRORS = {
    "400": "данные не прошли проверку (ошибки по полям в errors)",
    "401": "нужен ключ API",
    "403": "ключу не выдано нужное право",
    "404": "не найдено (или ресурс другой организации)",
    "406": "формат ответа не поддерживается",
    "409": "действие невозможно в текущем состоянии ресурса",
    "413": "тело запроса больше предела",
    "415": "формат тела запроса не поддерживается",
    "429": "превышена квота запросов (заголовок Retry-After)",
    "503": UNAVAILABLE,
}


class CatalogAutoSchema(AutoSchema):
    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        problem = {"application/problem+json": {"schema": self._component("ProblemDetails", PROBLEM_SCHEMA)}}
        reading = self.method in ("GET", "HEAD")
        errors = dict(READ_ERRORS if reading else WRITE_ERRORS)
        if reading and any(str(code).startswith("2") for code in responses) and self.view.permission_classes:
            errors.setdefault("403", "ключу не выдано нужное право")
        for code, description in errors.items():
            responses.setdefault(code, {"description": description, "content": {}})
        for code, response in responses.items():
            # Every error goes through the problem+json handler, whatever a view documented for it.
            if str(code)[0] in "45" and isinstance(response, dict):
                response.setdefault("content", {}).update(problem)
        if reading:
            responses.setdefault("304", {"description": "не изменилось (If-None-Match / If-Modified-Since)"})
        return responses

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = response.get("content", {})
        if JSONLDRenderer.media_type in content:
            content[JSONLDRenderer.media_type] = {"schema": self._component("JsonLdDocument", JSONLD_SCHEMA)}
        return response

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if JSONLDRenderer in getattr(self.view, "renderer_classes", []):
            parameters.append(
                OpenApiParameter(
                    "format",
                    str,
                    enum=["json", "jsonld"],
                    description="jsonld — документ JSON-LD (schema.org), как при Accept: application/ld+json",
                )
            )
        return parameters


def only_api_v1(endpoints):
    """Document the public API only (not the Wagtail admin's internal endpoints)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


# Integer bounds Django derives from the database backend (SQLite and PostgreSQL differ): not API contract.
DATABASE_INTEGER_LIMITS = {32767, 2147483647, 9223372036854775807}


def database_independent_integers(result, generator, request, public):
    """Drop backend-derived integer maxima, so the committed schema is the same on SQLite and PostgreSQL."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "integer" and node.get("maximum") in DATABASE_INTEGER_LIMITS:
                del node["maximum"]
                if node.get("format") == "int64":
                    del node["format"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
