"""A task for the worker tests: it logs one line, so the worker's log shows the request id it ran under."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("tests.ops")


@task()
def say(word: str) -> str:
    logger.info("said %s", word)
    return word


SEEN: list[str] = []


@task()
def remember_request_id() -> None:
    """Notes the request id its log lines would carry (the thread backend's tests read SEEN)."""
    from ops.context import request_id

    SEEN.append(request_id.get())
