"""A real loopback HTTP server whose answers tests script in Python, including misbehaving ones.

:class:`~importers.testing.recorded_site.RecordedSite` replays recorded pages; this one answers what a test
sets with :meth:`ScriptedSite.route`, and can misbehave the way hostile or broken servers do: send the
answer one byte at a time (from the status line on, or only the body), or answer a sequence of statuses.
Every request is logged, so tests assert what the crawler asked for — and what it did not.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Reply", "ScriptedSite"]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 429: "Too Many Requests"}


@dataclass(frozen=True)
class Reply:
    """One answer. ``dribble`` sends it one byte every ``dribble`` seconds: the body only, or with
    ``dribble_head`` the status line and headers too."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    dribble: float | None = None
    dribble_head: bool = False

    def encode(self) -> tuple[bytes, bytes]:
        """The head (status line and headers) and the body, as they go on the wire."""
        lines = [f"HTTP/1.1 {self.status} {_REASONS.get(self.status, 'Status')}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), self.body


_NOT_FOUND = Reply(404, b"Not Found\n", {"Content-Type": "text/plain; charset=utf-8"})


class ScriptedSite:
    """Serve scripted replies on ``127.0.0.1`` from a background thread (a context manager).

    ``route(path, reply, ...)``: the replies are given in turn, the last one repeats. Unknown paths get 404.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, list[Reply]] = {}
        self._calls: dict[str, int] = {}
        self._log: list[tuple[str, str]] = []
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, *replies: Reply) -> ScriptedSite:
        with self._lock:
            self._routes[path] = list(replies)
            self._calls[path] = 0
        return self

    def requested_paths(self) -> list[str]:
        """Paths (with the query) of every request received, oldest first."""
        with self._lock:
            return [target for _method, target in self._log]

    def start(self) -> ScriptedSite:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="scripted-site", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends the dribbling answers still being sent
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> ScriptedSite:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def reply_for(self, method: str, target: str) -> Reply:
        """Choose the answer to one request and log it; the handler only does the I/O."""
        path = urlsplit(target).path
        with self._lock:
            self._log.append((method, target))
            replies = self._routes.get(path)
            if not replies:
                return _NOT_FOUND
            reply = replies[min(self._calls[path], len(replies) - 1)]
            self._calls[path] += 1
            return reply

    def send_slowly(self, write: Any, data: bytes, interval: float) -> bool:
        """Write ``data`` one byte per ``interval``; ``False`` once the client hung up or the site stops."""
        for index in range(len(data)):
            try:
                write(data[index : index + 1])
            except OSError:
                return False
            if self._stopping.wait(interval):
                return False
        return True


def _make_handler(site: ScriptedSite) -> type[BaseHTTPRequestHandler]:
    class ScriptedHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _handle(self) -> None:
            length = self.headers.get("Content-Length", "")
            if length.isdigit():
                self.rfile.read(int(length))
            reply = site.reply_for(self.command, self.path)
            head, body = reply.encode()
            if reply.dribble is None:
                self.wfile.write(head + body)
                return
            if reply.dribble_head:
                sent = site.send_slowly(self.wfile.write, head + body, reply.dribble)
            else:
                self.wfile.write(head)
                sent = site.send_slowly(self.wfile.write, body, reply.dribble)
            if not sent:
                self.close_connection = True

        do_GET = do_HEAD = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the request log replaces stderr lines."""

    return ScriptedHandler
