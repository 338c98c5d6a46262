"""Errors raised by the importers: fetching (network, politeness rules) and transforming payloads.

Every error carries the URL or record it is about, so a log line or a stored harvest error is
actionable on its own.
"""

from __future__ import annotations

__all__ = [
    "DisallowedByRobots",
    "FetchError",
    "HTTPStatusError",
    "HostNotAllowed",
    "ResponseTooLarge",
    "TooManyRedirects",
    "TransformError",
    "TransportFailure",
]


class FetchError(Exception):
    """A URL could not be fetched. Subclasses say why."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{message} ({url})")
        self.url = url
        self.message = message


class DisallowedByRobots(FetchError):
    """The host's robots.txt disallows the URL for our User-Agent; it was not requested."""


class HostNotAllowed(FetchError):
    """The host is not in the allow-list, or resolves to a private, loopback or link-local address."""


class ResponseTooLarge(FetchError):
    """The response body passed the size cap; the download was aborted."""

    def __init__(self, url: str, limit: int) -> None:
        super().__init__(url, f"response body exceeds the limit of {limit} bytes")
        self.limit = limit


class TooManyRedirects(FetchError):
    """More redirect hops than allowed."""


class TransportFailure(FetchError):
    """Connection errors or timeouts persisted after every retry."""


class HTTPStatusError(FetchError):
    """The final answer had an error status (4xx, or 5xx/429 after every retry)."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status


class TransformError(ValueError):
    """A raw payload cannot become a record: names the record and the offending field."""

    def __init__(self, source: str, record: str, field: str, reason: str) -> None:
        super().__init__(f"{source} record {record!r}: field {field!r}: {reason}")
        self.source = source
        self.record = record
        self.field = field
        self.reason = reason
