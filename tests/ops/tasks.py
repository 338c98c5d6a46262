"""A task for the worker tests: it logs one line, so the worker's log shows the request id it ran under."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("tests.ops")


@task()
def say(word: str) -> str:
    logger.info("said %s", word)
    return word
