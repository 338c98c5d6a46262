"""Schemathesis hooks for the live-server test: where a schema-valid value can only come from the server.

Everything the schema can say it says (codes as enums, URL and duration patterns, the vendor's minimum). What it
cannot say is data only the server holds, and the hooks supply that, the way a real client would get it:

- a `cursor` is an opaque, signed token taken from a `next` link, never made up: generated ones are dropped;
- a topic code must name one of 3,500 curriculum nodes: generated `alignments` target real codes;
- `files` and `thumbnail` name the caller's own uploads: generated ones are dropped (uploads are tested apart);
- an upload's bytes must be a real file of an allowed type: a short text file is sent in place of random bytes.

Only positive cases are changed; negative (schema-violating) ones are sent as generated.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")

CURRICULUM = Path(__file__).resolve().parents[2] / "content_repo" / "curriculum" / "data" / "curriculum.json"
# Text, so a changed case still validates against the schema (a binary string).
TEXT_FILE = "Конспект урока: сложение дробей с одинаковыми знаменателями.\n" * 4


@lru_cache(maxsize=1)
def _topic_codes() -> list[str]:
    data = json.loads(CURRICULUM.read_text(encoding="utf-8"))
    return sorted(topic["code"] for topic in data["topics"])


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """Supply what only the server's data can make valid — in positive cases only."""
    if str(case.meta.generation.mode).lower().endswith("negative"):
        return
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
    body = case.body
    if not isinstance(body, dict):
        return
    if case.path.startswith("/api/v1/resources"):
        body.pop("files", None)
        body.pop("thumbnail", None)
        codes = _topic_codes()
        for index, alignment in enumerate(body.get("alignments") or []):
            if isinstance(alignment, dict):
                alignment["target"] = codes[(index * 97) % len(codes)]
    if case.path == "/api/v1/uploads/" and "file" in body:
        files = body["file"] if isinstance(body["file"], list) else [body["file"]]
        body["file"] = [TEXT_FILE for _ in files] or [TEXT_FILE]
        body["use"] = "attachment"
