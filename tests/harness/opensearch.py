"""Start and stop the development OpenSearch node (scripts/search-node) from tests.

Usage in conftest.py::

    @pytest.fixture(scope="session")
    def opensearch_node(tmp_path_factory):
        node = start_node(tmp_path_factory.mktemp("opensearch"))
        yield node
        node.stop()

Only the standard library is used so the harness works before any client library is installed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SEARCH_NODE_SCRIPT = REPO_ROOT / "scripts" / "search-node"

# Startup waits up to 180 s inside the script; the first run may also build (Maven downloads ~100 MB).
START_TIMEOUT_S = 900
STOP_TIMEOUT_S = 60


class OpenSearchNodeError(RuntimeError):
    """The node could not be started or stopped."""


@dataclass
class OpenSearchNode:
    """A running single-node OpenSearch started by :func:`start_node`."""

    url: str
    port: int
    workdir: Path

    def stop(self) -> None:
        """Stop the node (SIGTERM, then SIGKILL after 30 s). Safe to call more than once."""
        result = subprocess.run(
            [str(SEARCH_NODE_SCRIPT), "stop", "--dir", str(self.workdir)],
            capture_output=True,
            text=True,
            timeout=STOP_TIMEOUT_S,
            check=False,
        )
        if result.returncode != 0:
            raise OpenSearchNodeError(f"search-node stop failed:\n{result.stdout}{result.stderr}")

    def is_healthy(self) -> bool:
        """True if the cluster reports at least yellow within 5 s."""
        try:
            health = self.request("GET", "/_cluster/health?wait_for_status=yellow&timeout=5s")
        except (OSError, urllib.error.URLError):
            return False
        return health.get("status") in ("yellow", "green")

    def request(self, method: str, path: str, body: object | None = None) -> dict[str, Any]:
        """Send a JSON request and return the decoded JSON response (raises HTTPError on 4xx/5xx)."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else {}

    def __enter__(self) -> OpenSearchNode:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is currently free on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_node(workdir: Path, port: int | None = None) -> OpenSearchNode:
    """Start a node with its data, logs and pid file in ``workdir``; block until it is yellow.

    Raises :class:`OpenSearchNodeError` with the script output (which includes the log tail) on failure.
    """
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    http_port = port if port is not None else free_port()
    # A transport port next to the HTTP one keeps parallel sessions apart; OpenSearch takes the first
    # free port of the range.
    transport_low = free_port()
    while transport_low <= http_port <= transport_low + 20:
        transport_low = free_port()
    command = [
        str(SEARCH_NODE_SCRIPT),
        "start",
        "--port",
        str(http_port),
        "--transport-port",
        f"{transport_low}-{min(transport_low + 20, 65535)}",
        "--dir",
        str(workdir),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        OpenSearchNode(url="", port=http_port, workdir=workdir).stop()
        raise OpenSearchNodeError(f"search-node start timed out after {START_TIMEOUT_S} s") from exc
    if result.returncode != 0:
        raise OpenSearchNodeError(
            f"search-node start failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return OpenSearchNode(url=f"http://127.0.0.1:{http_port}", port=http_port, workdir=workdir)


def node_for_tests(workdir: Path) -> Iterator[OpenSearchNode]:
    """A node for a pytest fixture to yield from: in CI a node that cannot start fails the run, elsewhere the
    tests that need it are skipped with the reason."""
    import pytest

    try:
        node = start_node(workdir)
    except (OpenSearchNodeError, OSError) as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the OpenSearch node could not start: {e}")
        pytest.skip(f"the OpenSearch node could not start (set CI=true to make this a failure): {e}")
    try:
        yield node
    finally:
        node.stop()
