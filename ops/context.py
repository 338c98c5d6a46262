"""The request id of the work in hand: set by the middleware for a request, and by the task signals for a task
that request enqueued, so every log line of both carries it."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
# An id a proxy (nginx's $request_id) or a client sent is kept if it is short and plain: it is written to logs.
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,64}")

request_id: ContextVar[str] = ContextVar("request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(sent: str | None) -> str:
    """The id sent with the request when it is acceptable, else a new one."""
    return sent if sent and ACCEPTED.fullmatch(sent) else new_request_id()
