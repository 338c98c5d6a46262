"""Writing to an engine with ``_bulk``, against a local HTTP server that records what each client sends.

No engine node is needed: the server answers like one for the calls a rebuild makes (create the index,
bulk, settings, refresh, alias), so these tests pin what goes on the wire for both clients.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from opensearchpy.serializer import JSONSerializer

from search.backends.base import SearchBackendError
from search.backends.bulk import BULK_FILTER_PATH
from search.backends.elasticsearch import ElasticsearchBackend
from search.backends.opensearch import OpenSearchBackend

from .catalog import load_catalog

BulkAnswer = Callable[[list[dict[str, Any]]], dict[str, Any]]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes


@dataclass
class RecordingEngine:
    """What the fake engine was sent, and how it answers ``_bulk`` (all written, unless told otherwise)."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    answer_bulk: BulkAnswer = field(default=lambda lines: {"errors": False})
    in_flight: int = 0
    max_in_flight: int = 0

    def bulks(self) -> list[Request]:
        return [request for request in self.requests if request.path.endswith("/_bulk")]


@pytest.fixture
def engine() -> Iterator[RecordingEngine]:
    state = RecordingEngine()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path, _, query = self.path.partition("?")
            with lock:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
                state.requests.append(Request(self.command, path, parse_qs(query), body))
            try:
                status, payload = self.route(path, body)
            finally:
                with lock:
                    state.in_flight -= 1
            content = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def route(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
            if path.startswith("/_alias/"):
                return 404, {"error": {"type": "aliases_not_found_exception"}, "status": 404}
            if path.endswith("/_bulk"):
                time.sleep(0.02)  # long enough for a second request to overlap, were one sent
                return 200, state.answer_bulk([json.loads(line) for line in body.splitlines()])
            return 200, {"acknowledged": True}

        do_GET = do_PUT = do_POST = do_DELETE = answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(params=[OpenSearchBackend, ElasticsearchBackend], ids=["opensearch", "elasticsearch"])
def backend(request, engine):
    return request.param({"URL": engine.url, "INDEX_PREFIX": "test"})


def client_body(index: str, documents) -> bytes:
    """The body the clients wrote when they were handed ``{"index": …}`` and ``to_source()`` dicts."""
    serializer = JSONSerializer()
    lines = []
    for document in documents:
        lines.append(serializer.dumps({"index": {"_index": index, "_id": document.id}}))
        lines.append(serializer.dumps(document.to_source()))
    return "".join(f"{line}\n" for line in lines).encode()


def test_rebuild_sends_one_chunk_at_a_time_as_the_ndjson_of_the_sources(backend, engine):
    documents = load_catalog()[:10]
    progress: list[int] = []

    result = backend.rebuild(documents, chunk_size=4, progress=progress.append)

    bulks = engine.bulks()
    assert [bulk.body for bulk in bulks] == [
        client_body(result.index, documents[0:4]),
        client_body(result.index, documents[4:8]),
        client_body(result.index, documents[8:10]),
    ]
    assert {bulk.query["filter_path"][0] for bulk in bulks} == {BULK_FILTER_PATH}
    assert (result.documents, progress) == (10, [4, 8, 10])
    assert engine.max_in_flight == 1
    assert [(r.method, r.path) for r in engine.requests if not r.path.endswith("/_bulk")][-3:] == [
        ("POST", f"/{result.index}/_refresh"),
        ("GET", f"/_alias/{backend.alias}"),
        ("POST", "/_aliases"),
    ]


def test_a_failed_chunk_stops_the_rebuild_and_drops_the_new_index(backend, engine):
    documents = load_catalog()[:10]

    def reject_the_second_document(lines: list[dict[str, Any]]) -> dict[str, Any]:
        ids = [line["index"]["_id"] for line in lines[::2]]
        items = [{"index": {"_id": doc_id, "status": 201}} for doc_id in ids]
        if documents[1].id in ids:
            items[1]["index"] = {"_id": documents[1].id, "status": 400, "error": {"type": "mapper_parsing_exception"}}
        return {"errors": documents[1].id in ids, "items": items}

    engine.answer_bulk = reject_the_second_document

    with pytest.raises(SearchBackendError) as failure:
        backend.rebuild(documents, chunk_size=4)

    assert str(failure.value) == (
        f"{backend.name}: 1 bulk operations failed, first: "
        f"('{documents[1].id}', 400, {{'type': 'mapper_parsing_exception'}})"
    )
    created = engine.requests[0].path
    sent = b"".join(bulk.body for bulk in engine.bulks())
    assert documents[9].id.encode() not in sent
    assert ("DELETE", created) in [(r.method, r.path) for r in engine.requests]
    assert "/_aliases" not in [r.path for r in engine.requests]


def test_index_and_delete_documents_write_to_the_alias(backend, engine):
    documents = load_catalog()[:3]

    assert backend.index_documents(documents) == 3
    assert backend.delete_documents(["gone", documents[0].id]) == 2

    index, delete = engine.bulks()
    assert index.body == client_body(backend.alias, documents)
    assert (
        delete.body
        == (
            f'{{"delete":{{"_index":"{backend.alias}","_id":"gone"}}}}\n'
            f'{{"delete":{{"_index":"{backend.alias}","_id":"{documents[0].id}"}}}}\n'
        ).encode()
    )
