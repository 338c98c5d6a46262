"""Log formats: one JSON object a line in production, a Russian line for a person in development.

Both carry the request id (``RequestIdFilter`` puts it on every record from :mod:`ops.context`);
fields given with ``extra=`` (method, path, status, duration_ms, task…) become JSON keys.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from .context import request_id

LEVELS_RU = {"DEBUG": "отладка", "INFO": "инфо", "WARNING": "внимание", "ERROR": "ошибка", "CRITICAL": "сбой"}


class RequestIdFilter(logging.Filter):
    """Puts the current request id on the record (unless the call gave one with ``extra``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """``{"time": …, "level": "INFO", "logger": …, "message": …, "request_id": …, <extra fields>}``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "traceback"},
            timestamp="time",
            json_ensure_ascii=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        if not log_data.get("request_id"):
            log_data.pop("request_id", None)
        return log_data


class RussianFormatter(logging.Formatter):
    """``12:03:04 инфо ops.requests: GET /api/v1/ → 200, 12 мс [запрос 3f9c2a1b…]``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("%(asctime)s %(level_ru)s %(name)s: %(message)s%(request_suffix)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.level_ru = LEVELS_RU.get(record.levelname, record.levelname.lower())
        rid = getattr(record, "request_id", "")
        record.request_suffix = f" [запрос {rid[:12]}]" if rid else ""
        return super().format(record)
