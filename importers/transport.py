"""A total deadline for HTTP requests: httpx's transport with sockets that stop at the deadline.

httpx times each socket operation on its own (connect, every read, every write), so a server that sends
one byte a second never trips a read timeout and holds the crawler for as long as it likes — in the status
line and headers as well as in the body. Here every socket operation of a request gets the smaller of its
own timeout and the time left before the request's :class:`Deadline`; once the deadline has passed, the
next operation fails at once with httpx's timeout error.

The deadline travels in a :class:`~contextvars.ContextVar` set around one exchange by
:func:`deadline_scope`: the socket layer knows nothing about requests, and the variable is private to
the calling thread, so the threads of one client never see each other's deadlines.
"""

from __future__ import annotations

import contextlib
import ssl
import time
import typing
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

import httpcore
import httpx

__all__ = ["Deadline", "DeadlineTransport", "deadline_scope"]

_ACTIVE: ContextVar[Deadline | None] = ContextVar("importers_request_deadline", default=None)


class Deadline:
    """A time budget of ``seconds`` for one request, on the monotonic clock.

    :meth:`extend` gives back time the request spent waiting on our own account (the rate limiter's
    queue, reading robots.txt), so only the remote side's slowness uses up the budget.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._at = clock() + seconds

    def remaining(self) -> float:
        return self._at - self._clock()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def extend(self, seconds: float) -> None:
        if seconds > 0:
            self._at += seconds

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Time spent inside the block does not count (robots.txt has a deadline of its own)."""
        started = self._clock()
        try:
            yield
        finally:
            self.extend(self._clock() - started)


@contextlib.contextmanager
def deadline_scope(deadline: Deadline) -> Iterator[None]:
    """Make ``deadline`` bound every socket operation of :class:`DeadlineTransport` inside the block."""
    token = _ACTIVE.set(deadline)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _bounded(timeout: float | None, timeout_error: type[httpcore.TimeoutException]) -> float | None:
    deadline = _ACTIVE.get()
    if deadline is None:
        return timeout
    remaining = deadline.remaining()
    if remaining <= 0:
        raise timeout_error(f"the request deadline of {deadline.seconds:g} s has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads, writes and TLS handshake end at the active deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        upgraded = self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(upgraded)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous socket backend with connections wrapped in :class:`_DeadlineStream`."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport over a connection pool whose sockets obey :func:`deadline_scope`.

    httpx offers no parameter for httpcore's network backend, so the pool it builds is replaced by one
    built with the same public httpcore options plus the backend (httpx is pinned; the dribbling-server
    tests in ``tests/importers/test_deadlines.py`` fail if this stops taking effect).
    """

    def __init__(self, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        super().__init__(limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )
