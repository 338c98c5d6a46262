"""A real HTTP server that replays a recorded mini-site (``routes.json`` + body files).

It implements the server semantics of ``tests/fixtures/sources/README.md``: exact path match, subset
query match (most parameters wins, then file order), HEAD for GET routes, 405 with ``Allow``,
sequences with a call counter per route, conditional GET (weak ETag comparison, then
``If-Modified-Since``), and a ``text/plain`` 404 for unknown paths. Every request is logged so tests
can assert what a crawler did — and did not — ask for.

Tests, the benchmark and the demo loader use it; from a shell::

    python -m importers.testing.recorded_site tests/fixtures/sources/resh/snapshot-1 --port 8001
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["LoggedRequest", "RecordedResponse", "RecordedSite", "Route", "load_routes"]

_NOT_FOUND_BODY = b"Not Found\n"


@dataclass(frozen=True)
class RecordedResponse:
    """One recorded answer: status, headers and the body bytes (read when the snapshot loads)."""

    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass
class Route:
    """A route of ``routes.json``; ``responses`` has one entry, or the whole ``sequence``."""

    method: str
    path: str
    query: Mapping[str, str]
    responses: Sequence[RecordedResponse]
    calls: int = 0

    def matches_query(self, query: Mapping[str, list[str]]) -> bool:
        return all(value in query.get(name, ()) for name, value in self.query.items())

    def next_response(self) -> RecordedResponse:
        """The response for this call; advances the counter (HEAD and 304 answers count too)."""
        response = self.responses[min(self.calls, len(self.responses) - 1)]
        self.calls += 1
        return response


@dataclass(frozen=True)
class LoggedRequest:
    """What the server received: method, decoded path, query, headers (lower-case names), status sent."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    status: int = 0


@dataclass
class _Snapshot:
    root: Path
    routes: list[Route] = field(default_factory=list)
    paths: dict[str, list[Route]] = field(default_factory=dict)


def _read_response(root: Path, entry: Mapping[str, Any]) -> RecordedResponse:
    body_path = entry.get("body")
    body = (root / body_path).read_bytes() if body_path else b""
    return RecordedResponse(status=int(entry["status"]), headers=dict(entry["headers"]), body=body)


def load_routes(root: Path) -> list[Route]:
    """Read ``root/routes.json`` and every body file it names."""
    entries = json.loads((root / "routes.json").read_text(encoding="utf-8"))
    routes = []
    for entry in entries:
        sequence = entry.get("sequence")
        responses = [_read_response(root, item) for item in sequence] if sequence else [_read_response(root, entry)]
        routes.append(
            Route(
                method=entry["method"].upper(),
                path=entry["path"],
                query={name: str(value) for name, value in (entry.get("query") or {}).items()},
                responses=responses,
            )
        )
    return routes


def _etag_matches(if_none_match: str, etag: str | None) -> bool:
    """Weak comparison (RFC 9110 §8.8.3.2): ``W/`` is ignored; ``*`` matches any current ETag."""
    if etag is None:
        return False
    opaque = etag.strip().removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


def _not_modified_since(if_modified_since: str, last_modified: str | None) -> bool:
    if last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False


class RecordedSite:
    """Serve a snapshot directory on ``127.0.0.1`` from a background thread.

    Use it as a context manager, or call :meth:`start` / :meth:`stop`. :meth:`load_snapshot`
    switches to another recording in place (the port stays, the call counters restart at zero).
    """

    def __init__(self, snapshot: Path | str, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._snapshot = self._read_snapshot(Path(snapshot))
        self._log: list[LoggedRequest] = []
        self._server = ThreadingHTTPServer((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    def start(self) -> RecordedSite:
        # A short poll interval makes stop() return quickly (tests start and stop many sites).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="recorded-site",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the command-line mode)."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> RecordedSite:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def load_snapshot(self, snapshot: Path | str) -> None:
        """Serve another snapshot from now on; counters restart, the request log is kept."""
        loaded = self._read_snapshot(Path(snapshot))
        with self._lock:
            self._snapshot = loaded

    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def requested_paths(self, method: str | None = None) -> list[str]:
        return [entry.path for entry in self.requests if method is None or entry.method == method]

    def url(self, path: str) -> str:
        return self.base_url + path

    @staticmethod
    def _read_snapshot(root: Path) -> _Snapshot:
        snapshot = _Snapshot(root=root, routes=load_routes(root))
        for route in snapshot.routes:
            snapshot.paths.setdefault(route.path, []).append(route)
        return snapshot

    def respond(self, method: str, target: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Choose the answer to one request and log it; the HTTP handler only does the I/O."""
        split = urlsplit(target)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        with self._lock:
            status, response_headers, body = self._answer(method, path, query, headers)
            self._log.append(LoggedRequest(method, path, query, dict(headers), status))
        return status, response_headers, body

    def _answer(
        self, method: str, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        routes = self._snapshot.paths.get(path)
        if not routes:
            return 404, {"Content-Type": "text/plain; charset=utf-8"}, _NOT_FOUND_BODY
        route_method = "GET" if method == "HEAD" else method
        same_method = [route for route in routes if route.method == route_method]
        if not same_method:
            allowed = sorted(
                {route.method for route in routes} | ({"HEAD"} if any(r.method == "GET" for r in routes) else set())
            )
            return 405, {"Allow": ", ".join(allowed), "Content-Type": "text/plain; charset=utf-8"}, b""
        matching = [route for route in same_method if route.matches_query(query)]
        if not matching:
            return 404, {"Content-Type": "text/plain; charset=utf-8"}, _NOT_FOUND_BODY
        # max() keeps the first of equals, which is the file order the README asks for.
        route = max(matching, key=lambda candidate: len(candidate.query))
        response = route.next_response()
        response_headers = dict(response.headers)
        if route_method == "GET" and response.status == 200 and self._is_not_modified(response_headers, headers):
            kept = {
                name: value for name, value in response_headers.items() if name.lower() in ("etag", "last-modified")
            }
            return 304, kept, b""
        return response.status, response_headers, response.body

    @staticmethod
    def _is_not_modified(response_headers: Mapping[str, str], request_headers: Mapping[str, str]) -> bool:
        lower = {name.lower(): value for name, value in response_headers.items()}
        if_none_match = request_headers.get("if-none-match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, lower.get("etag"))
        if_modified_since = request_headers.get("if-modified-since")
        if if_modified_since is not None:
            return _not_modified_since(if_modified_since, lower.get("last-modified"))
        return False


def _make_handler(site: RecordedSite) -> type[BaseHTTPRequestHandler]:
    class RecordedSiteHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; without this, Nagle plus delayed ACK adds 40 ms each.
        disable_nagle_algorithm = True
        server_version = "RecordedSite/1.0"

        def _handle(self) -> None:
            length = self.headers.get("Content-Length", "")
            if length.isdigit():
                self.rfile.read(int(length))  # POST form data is read and ignored
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, response_headers, body = site.respond(self.command, self.path, headers)
            self.send_response(status)
            for name, value in response_headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD" and status != 304:
                self.wfile.write(body)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _handle

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the request log replaces stderr lines."""

    return RecordedSiteHandler


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: serve one snapshot until interrupted."""
    parser = argparse.ArgumentParser(description="Serve a recorded mini-site snapshot over HTTP.")
    parser.add_argument("snapshot", type=Path, help="snapshot directory (the one holding routes.json)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    site = RecordedSite(args.snapshot, host=args.host, port=args.port)
    print(f"Serving {args.snapshot} at {site.base_url} (Ctrl+C to stop)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        site.serve_forever()


if __name__ == "__main__":
    main()
