"""API keys: issuing (the key is shown once), lookup by prefix and hash, revocation, hourly quotas and usage."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from content_repo.publishers.models import Membership, Organization
from content_repo.resources.roles import METHODISTS, VENDORS

from .models import ApiKey, ApiKeyUsage

logger = logging.getLogger(__name__)

KEY_PREFIX = "cat_"
# Which group the key's service user joins for each scope (`read` needs none: published data is public).
SCOPE_GROUPS: dict[str, str] = {ApiKey.Scope.PUBLISH: VENDORS, ApiKey.Scope.REVIEW: METHODISTS}
# Reviewing is the methodists' work: only the catalog's operators may hold `review` keys, never a vendor.
REVIEW_ORGANIZATION_KINDS = {Organization.Kind.OPERATOR}


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the row, and the secret itself, which is never stored and shown only this once."""

    api_key: ApiKey
    key: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_scopes(raw: str | list[str]) -> list[str]:
    scopes = [s.strip() for s in (raw.split(",") if isinstance(raw, str) else raw) if s.strip()]
    unknown = sorted(set(scopes) - set(ApiKey.Scope.values))
    if not scopes or unknown:
        raise ValidationError(
            {"scopes": f"права ключа — через запятую из: {', '.join(ApiKey.Scope.values)}; неизвестно: {unknown}"}
        )
    return [s for s in ApiKey.Scope.values if s in scopes]


@transaction.atomic
def create_api_key(
    organization: Organization, scopes: str | list[str], *, name: str = "", hourly_quota: int | None = None
) -> IssuedKey:
    """Issue a key for an organisation, with its own service user holding the rights its scopes need."""
    scopes = parse_scopes(scopes)
    if ApiKey.Scope.REVIEW in scopes and organization.kind not in REVIEW_ORGANIZATION_KINDS:
        raise ValidationError(
            {"scopes": "право review (проверка методистом) выдаётся только организациям вида «оператор»"}
        )
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    user = User(username=f"api-{organization.code}-{prefix}"[:150], first_name="API", last_name=name[:150])
    user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[SCOPE_GROUPS[s] for s in scopes if s in SCOPE_GROUPS]))
    Membership.objects.create(organization=organization, user=user)
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=prefix,
        key_hash=hash_key(key),
        scopes=scopes,
        hourly_quota=settings.API_KEY_DEFAULT_QUOTA if hourly_quota is None else hourly_quota,
        user=user,
    )
    return IssuedKey(api_key, key)


def find_key(key: str) -> ApiKey | None:
    """The active key matching `key`, or None (unknown, malformed or revoked)."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix = key[len(KEY_PREFIX) :].split("_", 1)[0]
    api_key = ApiKey.objects.select_related("user", "organization").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, hash_key(key)):
        return None
    return api_key if api_key.is_active else None


def revoke(api_key: ApiKey) -> None:
    """Stop a key working at once; its row, usage and the changes it made stay on record."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])


def count_request(api_key: ApiKey, now: datetime | None = None) -> tuple[bool, int]:
    """Count one request against the key's hourly quota: (allowed, seconds until the quota resets).

    Each step is a single conditional UPDATE, so concurrent requests never overshoot the quota. This writes:
    writing requests use it (they need the database's write lock anyway); reading ones use `within_quota`
    now and `record_request` after the answer has been sent.
    """
    now = now or timezone.now()
    hour, retry_after = _hour_of(now)
    _touch(api_key, now)
    usage = ApiKeyUsage.objects.filter(key=api_key, hour=hour)
    quota = api_key.hourly_quota
    for _attempt in range(3):
        if usage.filter(requests__lt=quota).update(requests=F("requests") + 1):
            return True, retry_after
        used = usage.values_list("requests", flat=True).first()
        if used is not None and used >= quota:
            usage.update(throttled=F("throttled") + 1)
            return False, retry_after
        if quota == 0:
            break
        if used is None:
            try:
                with transaction.atomic():
                    ApiKeyUsage.objects.create(key=api_key, hour=hour, requests=1)
                return True, retry_after
            except IntegrityError:
                pass  # another request opened the hour first; count against its row
        # else the hour's row appeared between the UPDATE and the read: count against it on the next round
    return False, retry_after


def within_quota(api_key: ApiKey, now: datetime) -> tuple[bool, int]:
    """Whether the key has requests left this hour, by reading only: (allowed, seconds until the reset).

    Reading requests decide with this and are counted after the answer (`record_request`), so a read never
    waits for the write lock or fails because the usage row cannot be written (a busy or read-only database).
    Concurrent reads of one key may overshoot the quota by the number in flight.
    """
    hour, retry_after = _hour_of(now)
    used = ApiKeyUsage.objects.filter(key=api_key, hour=hour).values_list("requests", flat=True).first() or 0
    return used < api_key.hourly_quota, retry_after


def record_request(api_key: ApiKey, now: datetime, *, allowed: bool) -> None:
    """Count a request already answered; best effort: a database that refuses the write loses one count."""
    hour, _ = _hour_of(now)
    usage = ApiKeyUsage.objects.filter(key=api_key, hour=hour)
    try:
        with transaction.atomic():  # a savepoint when the caller is in a transaction: a failure stays here
            _touch(api_key, now)
            if not allowed:
                usage.update(throttled=F("throttled") + 1)
            elif not usage.update(requests=F("requests") + 1):
                try:
                    with transaction.atomic():
                        ApiKeyUsage.objects.create(key=api_key, hour=hour, requests=1)
                except IntegrityError:
                    usage.update(requests=F("requests") + 1)  # another request opened the hour first
    except DatabaseError as e:
        logger.warning("usage of API key %s at %s not counted: %s", api_key.prefix, now.isoformat(), e)


def _hour_of(now: datetime) -> tuple[datetime, int]:
    """The clock hour `now` falls in, and the seconds left until the next one."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return hour, max(1, math.ceil((hour + timedelta(hours=1) - now).total_seconds()))


def _touch(api_key: ApiKey, now: datetime) -> None:
    # At most one write a minute per key for "last used".
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(minutes=1))
    ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
