"""What the engine backends send with ``_bulk``, and how a stream of documents is sent in chunks.

Decisions, each measured on ``bench/search_bench.py`` (indexing is bound by Python under the GIL, and by
the engine's CPU on the same machine):

- A body is NDJSON bytes built here, once per chunk, not a list of dicts for the client to serialise line
  by line: the lines are the ones the clients write (:func:`~search.documents.compact_json`), and
  opensearch-py and elasticsearch-py pass bytes through untouched.
- The answer is filtered (``BULK_FILTER_PATH``) to what ``_raise_for_bulk`` reads: the id, status and
  error of each item, about a quarter of the full answer to write, send and parse.
- :func:`send_in_chunks` builds the next body while a sender thread sends the previous one. Requests stay
  one at a time, as with a plain loop: a second one in flight did not index faster (the engine was already
  busy), it only doubled the engine's time per request.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor

from ..documents import SearchDocument, compact_json
from .base import ProgressCallback, chunked

# What a ``_bulk`` answer keeps of each item: enough to report a failure (see _raise_for_bulk).
BULK_FILTER_PATH = "errors,items.*._id,items.*.status,items.*.error"
# Bodies built and not yet answered while sending in chunks: the one on the wire and the next one, ready.
BODIES_AHEAD = 2


def bulk_index_body(index: str, documents: Iterable[SearchDocument]) -> bytes:
    """The ``_bulk`` body (re)indexing ``documents`` into ``index``: an action line and a source line each."""
    lines = []
    for document in documents:
        lines.append(compact_json({"index": {"_index": index, "_id": document.id}}))
        lines.append(document.to_json())
    return _ndjson(lines)


def bulk_delete_body(index: str, ids: Iterable[str]) -> bytes:
    """The ``_bulk`` body deleting the documents ``ids`` from ``index``."""
    return _ndjson(compact_json({"delete": {"_index": index, "_id": str(doc_id)}}) for doc_id in ids)


def send_in_chunks(
    index: str,
    documents: Iterable[SearchDocument],
    chunk_size: int,
    send: Callable[[bytes], None],
    progress: ProgressCallback | None = None,
) -> int:
    """Index ``documents`` into ``index`` with one ``send(body)`` per chunk; returns how many were sent.

    ``send`` runs in a sender thread, one body at a time and in order. Meanwhile this thread reads the next
    documents and builds the next body, so when an answer arrives the next request leaves at once, and the
    Python work overlaps the engine's. At most ``BODIES_AHEAD`` bodies are built and unanswered, so memory
    stays at a few chunks. The first chunk whose ``send`` raises stops the writing (bodies not yet on the
    wire are dropped) and its error is raised here; ``progress`` gets the running count after each chunk.
    """
    written = 0
    sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-bulk")
    unanswered: deque[tuple[Future[None], int]] = deque()

    def wait_for_the_oldest() -> None:
        nonlocal written
        request, size = unanswered.popleft()
        request.result()
        written += size
        if progress is not None:
            progress(written)

    try:
        for chunk in chunked(documents, chunk_size):
            body = bulk_index_body(index, chunk)
            if len(unanswered) == BODIES_AHEAD:
                wait_for_the_oldest()
            unanswered.append((sender.submit(send, body), len(chunk)))
        while unanswered:
            wait_for_the_oldest()
    finally:
        sender.shutdown(cancel_futures=True)
    return written


def _ndjson(lines: Iterable[str]) -> bytes:
    # Every line ends with a newline, the last one included (the engine requires it); encoded as the
    # clients encode a text body.
    return "".join(f"{line}\n" for line in lines).encode("utf-8", "surrogatepass")
