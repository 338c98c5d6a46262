"""`Authorization: Bearer <key>` authentication: the request acts as the key's service user."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from .keys import find_key


class ApiKeyAuthentication(BaseAuthentication):
    """No header: anonymous. A malformed, unknown or revoked key: 401, never a silent fall-back."""

    def authenticate(self, request):
        parts = str(request.META.get("HTTP_AUTHORIZATION", "")).split()
        if not parts or parts[0].lower() != "bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Заголовок Authorization: ожидается «Bearer <ключ>»")
        if not parts[1].isascii():
            raise exceptions.AuthenticationFailed("Ключ API состоит из латинских букв, цифр, «_» и «-»")
        api_key = find_key(parts[1])
        if api_key is None:
            raise exceptions.AuthenticationFailed("Ключ API неизвестен или отозван")
        return (api_key.user, api_key)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Ключ API организации: `Authorization: Bearer cat_…`. Без ключа — только чтение.",
        }
