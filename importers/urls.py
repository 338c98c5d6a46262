"""Reading URLs that come from configuration or from remote pages, without ever leaking a bare ``ValueError``.

The standard library raises ``ValueError`` for a malformed IPv6 literal (``http://[::1``, ``http://[zzz]/``)
or port (``:99999``) only when the part is touched, and httpx raises its own errors later still. Here a URL
is checked once, all of it, and a problem becomes :class:`~importers.errors.InvalidURL` with a Russian
reason: a harvest records it against the item and goes on.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from importers.errors import InvalidURL

__all__ = ["FETCHED_SCHEMES", "HttpURL", "is_loopback_host", "join_url", "looks_like_url", "parse_http_url"]

FETCHED_SCHEMES = ("http", "https")
# A scheme of two letters or more (RFC 3986 §3.1): ``file:``, ``http:``; not a path such as ``feed.jsonl``.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
# Characters that never belong in a host name; httpx would percent-encode some of them into the host.
_BAD_HOST_CHARACTERS = frozenset('%"<>\\^`{|}')


@dataclass(frozen=True)
class HttpURL:
    """An absolute http(s) URL that passed :func:`parse_http_url`."""

    url: str
    scheme: str
    host: str  # lower case, without the trailing dot; an IPv6 literal without brackets
    port: int | None

    @property
    def netloc(self) -> str:
        """``host[:port]`` as the rate limiter and robots cache key it (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"


def parse_http_url(url: str) -> HttpURL:
    """Check that ``url`` can be requested: an absolute http(s) URL with a valid host and port.

    Raises :class:`InvalidURL` naming the problem; never ``ValueError``.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidURL(str(url), "пустой адрес")
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in FETCHED_SCHEMES:
            shown = f"схема {scheme!r}" if scheme else "адрес без схемы"
            raise InvalidURL(url, f"{shown} не поддерживается: собираются только адреса http:// и https://")
        port = parts.port  # raises ValueError for a port out of range or not a number
        host = (parts.hostname or "").rstrip(".")
        httpx.URL(url.strip())  # the same checks the request will make (IDNA, non-printable characters)
    except InvalidURL:
        raise
    except (ValueError, httpx.InvalidURL) as error:
        raise InvalidURL(url, f"адрес не разбирается: {_reason(error)}") from error
    if not host:
        raise InvalidURL(url, "в адресе нет имени хоста")
    if port == 0:
        raise InvalidURL(url, "порт 0 недопустим")
    if any(ch.isspace() or not ch.isprintable() or ch in _BAD_HOST_CHARACTERS for ch in host):
        raise InvalidURL(url, f"недопустимые символы в имени хоста {host!r}")
    return HttpURL(url=url.strip(), scheme=scheme, host=host, port=port)


def looks_like_url(value: str) -> bool:
    """Whether ``value`` starts with a URL scheme (``file:``, ``http:``…) rather than being a file path."""
    return bool(_SCHEME.match(value.strip()))


def join_url(base: str, href: str) -> str:
    """``urljoin`` for links and ``Location`` headers found on remote pages; a malformed one is ``InvalidURL``."""
    try:
        return urljoin(base, href.strip())
    except ValueError as error:
        raise InvalidURL(href, f"ссылка не разбирается: {_reason(error)}") from error


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (``127.0.0.0/8``, ``::1``): the operator's own machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _reason(error: Exception) -> str:
    """Russian wording for the standard library's URL complaints; anything else as it was said."""
    text = str(error)
    if "IPv6" in text or "does not appear to be an IPv4 or IPv6" in text:
        return f"неверный адрес IPv6 ({text})"
    if "Port" in text or "port" in text:
        return f"неверный порт ({text})"
    return text
