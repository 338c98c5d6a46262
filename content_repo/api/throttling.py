"""Quotas: anonymous clients by address (rate in settings), keys by their hourly quota (counted in the DB)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, BaseThrottle

from .keys import count_request
from .permissions import api_key_of


class AnonymousRateThrottle(AnonRateThrottle):
    """Requests without a key, per client address; `API_ANONYMOUS_RATE` such as "300/hour"."""

    def get_rate(self):
        # Read at request time (DRF's class attribute is fixed at import and misses setting overrides).
        return settings.API_ANONYMOUS_RATE


class ApiKeyQuotaThrottle(BaseThrottle):
    """Requests with a key against its `hourly_quota`; each request is counted in the key's usage."""

    retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        key = api_key_of(request)
        if key is None:
            return True
        allowed, self.retry_after = count_request(key)
        return allowed

    def wait(self):
        return self.retry_after
