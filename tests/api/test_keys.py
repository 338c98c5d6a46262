"""API keys: issued once and stored hashed, Bearer authentication, scopes, quotas with 429, usage, admin."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from content_repo.api.keys import count_request, create_api_key, hash_key, revoke
from content_repo.api.models import ApiKey, ApiKeyUsage
from content_repo.resources.models import Resource

from .conftest import LESSON, client_with
from .helpers import problem

pytestmark = pytest.mark.django_db


def test_command_prints_the_key_once_and_stores_only_its_hash(users):
    out = StringIO()
    call_command(
        "create_api_key", org="vendor-a", scopes="read,publish", name="Интеграция", stdout=out, stderr=StringIO()
    )
    key = out.getvalue().strip()
    assert re.fullmatch(r"cat_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", key)
    api_key = ApiKey.objects.get()
    assert (api_key.organization.code, api_key.scopes, api_key.name) == ("vendor-a", ["read", "publish"], "Интеграция")
    assert api_key.key_hash == hash_key(key) and key not in str(api_key.__dict__)
    assert api_key.user.has_usable_password() is False
    assert list(api_key.user.organizations.values_list("code", flat=True)) == ["vendor-a"]
    assert list(api_key.user.groups.values_list("name", flat=True)) == ["Поставщики"]

    with pytest.raises(CommandError, match="review"):
        call_command("create_api_key", org="vendor-a", scopes="review", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="нет организации"):
        call_command("create_api_key", org="nobody", scopes="read", stdout=StringIO(), stderr=StringIO())
    assert ApiKey.objects.count() == 1


def test_bearer_authentication_and_scopes(callers):
    assert callers.read.get("/api/v1/resources/").status_code == 200
    for header in ("Bearer cat_00000000_nope", "Bearer", "Bearer a b", "Bearer не-ключ"):
        client = client_with()
        client.credentials(HTTP_AUTHORIZATION=header)
        body = problem(client.get("/api/v1/resources/"), 401)
        assert body["code"] == "authentication_failed"
    response = callers.anonymous.post("/api/v1/resources/", LESSON, format="json")
    assert problem(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert problem(callers.read.post("/api/v1/resources/", LESSON, format="json"), 403)["code"] == "permission_denied"
    assert Resource.objects.count() == 0


def test_revoked_key_stops_working(callers):
    api_key = ApiKey.objects.get(organization__code="vendor-a", name="портал")
    revoke(api_key)
    assert problem(callers.read.get("/api/v1/resources/"), 401)["code"] == "authentication_failed"


def test_hourly_quota_answers_429_with_retry_after_and_counts_usage(users):
    issued = create_api_key(users.org_a, "read", hourly_quota=3)
    client = client_with(issued.key)
    assert [client.get("/api/v1/organizations/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/organizations/")
    assert problem(response, 429)["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 3600
    usage = ApiKeyUsage.objects.get(key=issued.api_key)
    assert (usage.requests, usage.throttled) == (3, 1)
    issued.api_key.refresh_from_db()
    assert issued.api_key.last_used_at is not None

    next_hour = timezone.now() + timedelta(hours=1)
    assert count_request(issued.api_key, next_hour)[0] is True
    assert ApiKeyUsage.objects.filter(key=issued.api_key).count() == 2


def test_anonymous_requests_are_throttled(settings, db):
    settings.API_ANONYMOUS_RATE = "2/hour"
    client = client_with()
    assert [client.get("/api/v1/organizations/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/organizations/")
    assert problem(response, 429)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_admin_issues_a_key_shows_it_once_and_revokes_it(client, users):
    client.force_login(users.admin)
    response = client.post(
        "/admin/api_keys/new/",
        {"organization": users.org_b.pk, "name": "Сайт", "scopes": ["read", "publish"], "hourly_quota": 1000},
    )
    assert response.status_code == 200, response.content[:500]
    key = re.search(rb"cat_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", response.content).group().decode()
    api_key = ApiKey.objects.get(organization=users.org_b)
    assert api_key.key_hash == hash_key(key)
    assert client_with(key).get("/api/v1/submissions/").status_code == 200

    listing = client.get("/admin/api_keys/")
    assert listing.status_code == 200 and key.encode() not in listing.content
    assert api_key.prefix.encode() in listing.content
    response = client.post(
        f"/admin/api_keys/edit/{api_key.pk}/", {"name": "Сайт", "hourly_quota": 1000, "revoke": "on"}
    )
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert client_with(key).get("/api/v1/submissions/").status_code == 401
    assert client.get("/admin/api_key_usage/").status_code == 200
