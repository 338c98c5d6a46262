"""One webhook POST with bounded cost: checked addresses only, a total deadline, a capped response.

The receiver is somebody else's server, so nothing it does may cost us more than the limits:
- the address is parsed strictly (port 1–65535, well-formed IPv6, no user:password) and every address the name
  resolves to is checked before each attempt; the connection goes to those checked addresses only, so a name
  that re-resolves to an internal one between the check and the connect is never reached;
- the whole attempt (resolution, connect, TLS, send, read) shares one deadline: every network operation gets what
  is left of it, so a receiver that answers one byte a second cannot stretch the attempt;
- at most `HEADER_ALLOWANCE + max_bytes` bytes are read from the socket; the body of a 2xx answer is not read at
  all, of another answer only `max_bytes` for the error log;
- redirects are never followed (a 3xx is a failed attempt).

It speaks HTTP through httpcore (the transport under httpx) with a network backend that enforces the deadline and
the byte budget at the socket; this module imports no models, so the model field can use its URL validator.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpcore
import httpx
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# The status line and headers of an answer may take this much of the byte budget (h11 alone would allow 100 KB).
HEADER_ALLOWANCE = 16 * 1024
# A small receive buffer: the kernel then takes in little more than we read when a receiver streams without end.
RECEIVE_BUFFER = 64 * 1024
ERROR_SNIPPET_CHARS = 300

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# A receiver's address as the schema documents it: a host name with a top-level domain, an IPv4 address or
# localhost, a port, then only RFC 3986 characters (anything else percent-encoded) — what Django's URL validator
# and any HTTP client take alike.
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
WEBHOOK_URL_PATTERN = re.compile(
    rf"^https?://(localhost|({_OCTET}\.){{3}}{_OCTET}|([A-Za-z0-9]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}})"
    r"(:[1-9][0-9]{0,4})?([/?#]([A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)?$"
)


def validate_webhook_url(url: str) -> None:
    """Refuse what no attempt could send to: not http(s), no host, a port outside 1–65535, bad IPv6, credentials,
    then whatever Django's URL validator refuses, then characters outside RFC 3986. One precise message."""
    _split(url)
    message = "адрес не разбирается: проверьте имя сервера и путь"
    URLValidator(schemes=["http", "https"], message=message)(url)
    if not WEBHOOK_URL_PATTERN.match(url):
        raise ValidationError(f"{message} (символы вне RFC 3986 кодируются %XX)")


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
    except ValueError as e:  # unbalanced or invalid [IPv6] host
        raise ValidationError("адрес не разбирается: неверная запись IPv6-адреса в квадратных скобках") from e
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("нужен абсолютный адрес http(s) с именем сервера")
    try:
        port = parts.port
    except ValueError as e:
        raise ValidationError("порт должен быть числом от 1 до 65535") from e
    if port == 0:
        raise ValidationError("порт должен быть числом от 1 до 65535")
    if parts.username is not None or parts.password is not None:
        raise ValidationError("адрес не должен содержать имя пользователя и пароль")
    return parts


class Deadline:
    """What is left of one attempt's time, on the monotonic clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())


@dataclass(frozen=True)
class Target:
    """A parsed webhook URL in the form httpcore sends it."""

    scheme: str
    host: str  # as typed, for messages and address checks
    ascii_host: bytes  # IDNA-encoded, as it goes on the wire
    port: int
    netloc: bytes  # the Host header
    path: bytes  # path and query, percent-encoded

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = _split(url)
        try:
            normal = httpx.URL(url)
        except httpx.InvalidURL as e:
            raise ValidationError("адрес не разбирается: недопустимые символы в имени сервера") from e
        default_port = 443 if parts.scheme == "https" else 80
        return cls(
            scheme=parts.scheme,
            host=parts.hostname or "",
            ascii_host=normal.raw_host,
            port=parts.port or default_port,
            netloc=normal.netloc,
            path=normal.raw_path,
        )


def resolve(target: Target, timeout: float, *, allow_private: bool) -> list[str]:
    """The addresses `target` resolves to within `timeout`; refuses internal ones unless `allow_private`."""
    try:
        literal: Address | None = ipaddress.ip_address(target.host.split("%", 1)[0])
    except ValueError:
        literal = None
    hosts = [target.host] if literal is not None else _getaddrinfo(target, timeout)
    if not allow_private:
        for host in hosts:
            address = ipaddress.ip_address(host.split("%", 1)[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
                address = address.ipv4_mapped
            if not address.is_global or address.is_multicast:
                raise ValidationError(f"адрес {target.host!r} ведёт во внутреннюю сеть ({address})")
    return hosts


def _getaddrinfo(target: Target, timeout: float) -> list[str]:
    """getaddrinfo() has no timeout of its own: it runs in a daemon thread we stop waiting for at the deadline."""
    found: list[Any] = []

    def lookup() -> None:
        try:
            found.append(socket.getaddrinfo(target.ascii_host.decode("ascii"), target.port, proto=socket.IPPROTO_TCP))
        except (OSError, UnicodeError) as e:
            found.append(e)

    thread = threading.Thread(target=lookup, name="webhook-resolve", daemon=True)
    thread.start()
    thread.join(timeout)
    if not found:
        raise ValidationError(f"имя {target.host!r} не разрешилось в адрес за {timeout:.0f} с")
    if isinstance(found[0], Exception):
        raise ValidationError(f"имя {target.host!r} не разрешается в адрес") from found[0]
    return list(dict.fromkeys(str(info[4][0]) for info in found[0]))


class _Budget:
    """Bytes one attempt may still read from the socket."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit


class _BoundedStream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the deadline and whose reads stop at the byte budget."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline, budget: _Budget) -> None:
        self._inner = inner
        self._deadline = deadline
        self._budget = budget

    def _time_left(self, timeout_class: type[httpcore.TimeoutException]) -> float:
        remaining = self._deadline.remaining()
        if remaining <= 0:
            raise timeout_class("срок попытки истёк")
        return remaining

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        remaining = self._time_left(httpcore.ReadTimeout)
        if self._budget.left <= 0:
            raise httpcore.ReadError(f"ответ длиннее {self._budget.limit} байт")
        data = self._inner.read(min(max_bytes, self._budget.left), timeout=remaining)
        self._budget.left -= len(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout=self._time_left(httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        remaining = self._time_left(httpcore.ConnectTimeout)
        inner = self._inner.start_tls(ssl_context, server_hostname, timeout=remaining)
        return _BoundedStream(inner, self._deadline, self._budget)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedNetwork(httpcore.NetworkBackend):
    """Connects to the checked addresses only (never resolves the name again), with bounded streams."""

    def __init__(self, addresses: list[str], deadline: Deadline, budget: _Budget) -> None:
        self._addresses = addresses
        self._deadline = deadline
        self._budget = budget
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        error: httpcore.ConnectError | None = None
        for address in self._addresses:
            remaining = self._deadline.remaining()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("срок попытки истёк")
            options = [(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)]
            try:
                stream = self._inner.connect_tcp(address, port, timeout=remaining, socket_options=options)
            except httpcore.ConnectError as e:
                error = e
                continue
            return _BoundedStream(stream, self._deadline, self._budget)
        raise error or httpcore.ConnectError("нет адресов для соединения")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        raise httpcore.ConnectError("unix-сокеты не поддерживаются")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class Reply:
    """How an attempt ended: the receiver's status code if one came back, and an error text unless it was 2xx."""

    status_code: int | None
    error: str

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(
    url: str, body: bytes, headers: dict[str, str], *, deadline: float, max_bytes: int, allow_private: bool
) -> Reply:
    """POST `body` to `url` within `deadline` seconds in all, reading at most `max_bytes` of the answer's body."""
    clock = Deadline(deadline)
    try:
        target = Target.parse(url)
        addresses = resolve(target, clock.remaining(), allow_private=allow_private)
    except ValidationError as e:
        return Reply(None, "; ".join(e.messages))
    network = _PinnedNetwork(addresses, clock, _Budget(HEADER_ALLOWANCE + max_bytes))
    try:
        return _send(network, target, body, headers, clock, max_bytes)
    except httpcore.TimeoutException:
        return Reply(None, f"срок попытки истёк ({clock.seconds:g} с)")
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as e:
        return Reply(None, f"{type(e).__name__}: {e}")


def _send(
    network: _PinnedNetwork, target: Target, body: bytes, headers: dict[str, str], clock: Deadline, max_bytes: int
) -> Reply:
    url = httpcore.URL(scheme=target.scheme.encode(), host=target.ascii_host, port=target.port, target=target.path)
    request_headers = [(b"Host", target.netloc)] + [(k.encode(), v.encode()) for k, v in headers.items()]
    remaining = clock.remaining()
    timeouts = {"connect": remaining, "read": remaining, "write": remaining, "pool": remaining}
    with httpcore.ConnectionPool(network_backend=network, ssl_context=httpcore.default_ssl_context()) as pool:
        with pool.stream(
            "POST", url, headers=request_headers, content=body, extensions={"timeout": timeouts}
        ) as answer:
            reply = Reply(answer.status, "")
            if reply.delivered:
                return reply  # the body of a success is of no use: the connection closes unread
            snippet = _read_capped(answer, max_bytes).decode("utf-8", "replace").strip()
    message = f"ответ {answer.status}"
    if snippet:
        message += ": " + snippet[:ERROR_SNIPPET_CHARS]
    return Reply(answer.status, message)


def _read_capped(answer: httpcore.Response, max_bytes: int) -> bytes:
    """Up to `max_bytes` of the body; what came before a timeout or a broken connection is kept."""
    received = bytearray()
    try:
        for chunk in answer.iter_stream():
            received += chunk[: max_bytes - len(received)]
            if len(received) >= max_bytes:
                break
    except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError):
        return bytes(received)  # the status code is what counts; the body is only for the error log
    return bytes(received)
