"""Misbehaving webhook receivers: real TCP servers on loopback that answer slowly, without end, or not at all.

Each reads the whole request first (so the sender is never blocked writing), records when it arrived, then lets
`respond(connection, receiver)` answer; `sent` counts the response bytes the kernel accepted from the server.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

# The server's own send buffer is kept small, so `sent` is close to what the client took in.
SERVER_SEND_BUFFER = 16 * 1024
GIB = 1024**3


@dataclass
class RawReceiver:
    respond: Callable[[socket.socket, RawReceiver], None]
    url: str = ""
    sent: int = 0
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() when each request was read
    arrived_at: list[datetime] = field(default_factory=list)  # the same moments on the wall clock
    finished: list[float] = field(default_factory=list)  # when each response ended (sent, refused or abandoned)
    release: threading.Event = field(default_factory=threading.Event)  # ends every wait of a slow answer
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, connection: socket.socket, data: bytes) -> bool:
        """Send all of `data`, counting accepted bytes; False once the client has gone."""
        view = memoryview(data)
        while view:
            try:
                n = connection.send(view)
            except OSError:
                return False
            with self._lock:
                self.sent += n
            view = view[n:]
        return True

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while len(self.arrivals) < count and time.monotonic() < end:
            time.sleep(0.01)
        assert len(self.arrivals) >= count, f"{len(self.arrivals)} requests of {count} arrived"


def _read_request(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return
        body += chunk


def serve(respond: Callable[[socket.socket, RawReceiver], None]) -> tuple[RawReceiver, Callable[[], None]]:
    """Start a receiver; returns it and the function that stops it."""
    receiver = RawReceiver(respond)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SERVER_SEND_BUFFER)
            _read_request(self.request)
            receiver.arrived_at.append(datetime.now(UTC))
            receiver.arrivals.append(time.monotonic())
            try:
                respond(self.request, receiver)
            finally:
                receiver.finished.append(time.monotonic())

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/catalog"

    def stop() -> None:
        receiver.release.set()
        server.shutdown()
        server.server_close()

    return receiver, stop


def endless_body(status: int) -> Callable[[socket.socket, RawReceiver], None]:
    """Declares a 1 GiB body and streams it until the client goes away."""

    def respond(connection: socket.socket, receiver: RawReceiver) -> None:
        head = f"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {GIB}\r\n\r\n".encode()
        chunk = b"x" * 65536
        if receiver.send(connection, head):
            for _ in range(GIB // len(chunk)):
                if not receiver.send(connection, chunk):
                    break

    return respond


def sleeps(seconds: float) -> Callable[[socket.socket, RawReceiver], None]:
    """Answers 200 after `seconds` (or when released)."""

    def respond(connection: socket.socket, receiver: RawReceiver) -> None:
        receiver.release.wait(seconds)
        receiver.send(connection, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    return respond


def dribbles(interval: float) -> Callable[[socket.socket, RawReceiver], None]:
    """A status line, then one byte of a header every `interval` seconds, never finishing the headers."""

    def respond(connection: socket.socket, receiver: RawReceiver) -> None:
        if not receiver.send(connection, b"HTTP/1.1 200 OK\r\nX-Slow: "):
            return
        while not receiver.release.wait(interval):
            if not receiver.send(connection, b"a"):
                return

    return respond


def redirects(location: str) -> Callable[[socket.socket, RawReceiver], None]:
    def respond(connection: socket.socket, receiver: RawReceiver) -> None:
        receiver.send(connection, f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())

    return respond
