"""Hostile JSON bodies: the API's default parser refuses them with a 400 or 413 naming the place, and nothing
is stored. Sent to `POST /api/v1/webhooks/`, which reads its body with the default parser."""

from __future__ import annotations

import json

import pytest

from content_repo.api.models import WebhookSubscription
from content_repo.api.parsers import InvalidJSON, load_json

from .helpers import problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"


def subscription(**fields) -> dict:
    return {"url": "https://vendor-a.example/hooks", "events": ["resource.changed"]} | fields


def post(callers, body: bytes | str, content_type: str = "application/json"):
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return callers.publish_a.generic("POST", URL, raw, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ('{"url": "https://x.example/\\ud800", "events": ["resource.changed"]}', "url", "U+D800 в позиции 19"),
        ('{"url": "https://x.example/", "events": ["resource.changed\\u0000"]}', "events[0]", "U+0000 в позиции 17"),
        ('{"url": "https://x.example/", "events": [], "\\udfff": 1}', "\ufffd", "U+DFFF"),
        ("[" * 40 + "]" * 40, "[0]" * 32, "глубже 32"),
    ],
)
def test_unstorable_or_deep_json_is_refused_naming_the_place(callers, body, field, message):
    answer = problem(post(callers, body), 400)
    assert answer["code"] == "parse_error"
    assert list(answer["errors"]) == [field]
    assert message in answer["errors"][field][0]
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("[" * 1000 + "]" * 1000, "вложенность глубже 32 уровней"),
        ("[" * 100_000, "вложенность глубже 32 уровней"),
        ('{"url": NaN}', "JSON не разобран: NaN не входит в JSON"),
        ('{"url": Infinity}', "JSON не разобран: Infinity не входит в JSON"),
        ('{"url": ', "JSON не разобран: Expecting value: line 1 column 9 (char 8)"),
    ],
)
def test_malformed_json_is_a_400_problem(callers, body, detail):
    answer = problem(post(callers, body), 400)
    assert answer["code"] == "parse_error"
    assert answer["detail"].endswith(detail)
    assert WebhookSubscription.objects.count() == 0


def test_a_body_that_is_not_utf8_is_a_400_problem(callers):
    answer = problem(post(callers, b'{"url": "\xff\xfe"}'), 400)
    assert (answer["code"], answer["detail"]) == ("parse_error", "тело запроса не в кодировке utf-8")


def test_a_body_over_the_limit_is_a_413_problem_before_it_is_read(callers, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(subscription(secret="s" * 2000)).encode()
    answer = problem(post(callers, body), 413)
    assert (answer["code"], answer["detail"]) == ("payload_too_large", "тело запроса больше 1000 байт")
    assert WebhookSubscription.objects.count() == 0


def test_the_parser_enforces_the_limit_without_the_middleware(callers, settings):
    from rest_framework.test import APIRequestFactory

    from content_repo.api.views.webhooks import WebhookList

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(subscription(secret="s" * 2000)).encode()
    request = APIRequestFactory().generic(
        "POST", URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {callers.keys['publish_a']}"
    )
    response = WebhookList.as_view()(request)
    assert response.status_code == 413
    assert WebhookSubscription.objects.count() == 0


def test_a_good_body_still_goes_through(callers):
    response = post(callers, json.dumps(subscription(secret="s" * 32)))
    assert response.status_code == 201, response.content
    assert WebhookSubscription.objects.get().url == "https://vendor-a.example/hooks"


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ('{"a": {"b": [1, "\\ud83d"]}}', "a.b[1]", "недопустимый символ U+D83D в позиции 1"),
        ('{"a": "x\\u0000"}', "a", "недопустимый символ U+0000 в позиции 2"),
        (b'"\xc0\xaf"', "", "текст не в кодировке UTF-8 (байт 2)"),
        ("[" * 33 + "]" * 33, "[0]" * 32, "вложенность глубже 32 уровней"),
    ],
)
def test_load_json_names_the_place_for_other_readers(text, path, message):
    with pytest.raises(InvalidJSON) as refused:
        load_json(text)
    assert (refused.value.path, refused.value.message) == (path, message)


def test_load_json_accepts_the_deepest_allowed_and_real_emoji():
    assert load_json("[" * 32 + "]" * 32) is not None
    assert load_json('{"title": "\\ud83d\\ude42 дроби"}') == {"title": "🙂 дроби"}
