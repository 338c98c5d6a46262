"""OpenAPI generation: every operation documents its problem+json errors, 304 and the JSON-LD form."""

from __future__ import annotations

import json

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter

from .renderers import JSONLDRenderer
from .webhook_transport import WEBHOOK_URL_PATTERN

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


# --- What a request body may hold, as precisely as the intake checks it ----------------------------------------
#
# The request serializers document field types; the intake checks codes against the vocabularies and the
# curriculum, URLs, durations and the minimum a vendor must send. This hook writes those rules into the schema,
# from the same data files the vocabularies and the curriculum are loaded from, so a client (and schemathesis)
# sees what the server accepts: a schema-valid request is accepted, a schema-violating one refused.

URL_PATTERN = r"^https?://\S+$"
OPTIONAL_URL_PATTERN = r"^(https?://\S+)?$"
# What Django's parse_duration reads of ISO 8601: days and time (no years, months or weeks), bounded.
DURATION_PATTERN = r"^P(?=\d|T\d)(\d{1,6}D)?(T(?=\d)(\d{1,6}H)?(\d{1,6}M)?(\d{1,6}(\.\d{1,6})?S)?)?$"
NOT_BLANK_PATTERN = r"\S"


def data_codes() -> dict[str, list[str]]:
    """The codes the server accepts, read from the data files it loads (vocabularies, curriculum)."""
    from content_repo.curriculum.services import DEFAULT_DATASET
    from content_repo.vocabularies.services import DEFAULT_VOCABULARIES

    vocabularies = json.loads(DEFAULT_VOCABULARIES.read_text(encoding="utf-8"))
    codes = {name: [term["code"] for term in spec["terms"]] for name, spec in vocabularies.items()}
    curriculum = json.loads(DEFAULT_DATASET.read_text(encoding="utf-8"))
    codes["subjects"] = sorted(subject["code"] for subject in curriculum["subjects"])
    codes["levels"] = sorted({level for subject in curriculum["subjects"] for level in subject["levels"]})
    return codes


def precise_request_bodies(result, generator, request, public):
    """Codes as enums, URL and duration patterns, the vendor's minimum, non-empty lists where the server
    wants one (see the comment above)."""
    schemas = result.get("components", {}).get("schemas", {})
    codes = data_codes()
    for name in ("ResourceInputRequest", "PatchedResourceInputRequest"):
        if name in schemas:
            _precise_resource(schemas[name], codes, full=name == "ResourceInputRequest")
    if "WebhookSubscriptionRequest" in schemas:
        properties = schemas["WebhookSubscriptionRequest"]["properties"]
        properties["events"]["minItems"] = 1
        properties["url"] = {"type": "string", "pattern": WEBHOOK_URL_PATTERN.pattern, "maxLength": 1000}
    if "UploadRequestRequest" in schemas:
        schemas["UploadRequestRequest"]["properties"]["file"]["minItems"] = 1
    for name, schema in schemas.items():
        # Every JSON body refuses fields it does not know (RejectUnknownFieldsMixin); form uploads ignore them.
        if name.endswith("Request") and name != "UploadRequestRequest" and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return result


def _precise_resource(schema: dict, codes: dict[str, list[str]], *, full: bool) -> None:
    properties = schema["properties"]
    for field, vocabulary in (
        ("resource_type", "resource_type"),
        ("interactivity", "interactivity"),
        ("language", "language"),
        ("license", "license"),
        ("access", "access"),
    ):
        properties[field] = {"type": "string", "nullable": True, "enum": ["", *codes[vocabulary]]} | {
            key: value for key, value in properties[field].items() if key == "description"
        }
    for field, vocabulary in (("educational_use", "educational_use"), ("subjects", "subjects"), ("levels", "levels")):
        properties[field]["items"] = {"type": "string", "enum": codes[vocabulary]}
    properties["grades"]["items"] = {"type": "integer", "minimum": 1, "maximum": 11}
    properties["url"] = {"type": "string", "pattern": URL_PATTERN, "maxLength": 1000}
    for field in ("embed_url", "license_terms_url"):
        properties[field] = {"type": "string", "pattern": OPTIONAL_URL_PATTERN, "maxLength": 1000}
    properties["duration"] |= {"pattern": DURATION_PATTERN}
    properties["duration"].pop("minLength", None)
    properties["title"]["pattern"] = NOT_BLANK_PATTERN
    properties["external_id"]["pattern"] = NOT_BLANK_PATTERN
    part = properties["parts"]["items"]
    if "$ref" not in part:
        part["properties"]["url"] = {"type": "string", "pattern": URL_PATTERN, "maxLength": 1000}
    schema["additionalProperties"] = False  # an unknown field is refused (a JSON-LD document is read as such)
    if full:
        # The vendor's minimum (the spreadsheet's too): title, url, subject, grades, and a licence or access.
        schema["required"] = sorted(set(schema.get("required", [])) | {"title", "url", "subjects", "grades"})
        properties["subjects"]["minItems"] = properties["grades"]["minItems"] = 1
        schema["anyOf"] = [
            {"required": ["license"], "properties": {"license": {"enum": codes["license"]}}},
            {"required": ["access"], "properties": {"access": {"enum": codes["access"]}}},
        ]
