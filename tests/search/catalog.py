"""The fixture catalog (tests/search/catalog.json) as search documents."""

from __future__ import annotations

import json
from pathlib import Path

from search.documents import SearchDocument, build_document
from search.relevance import JudgedQuery, load_judged_queries

HERE = Path(__file__).resolve().parent
CATALOG_FILE = HERE / "catalog.json"
JUDGED_FILE = HERE / "judged_queries.json"


def topic_parent(code: str) -> str | None:
    """Curriculum topic codes are positional: «math.5.3.1» is a topic of the section «math.5.3»."""
    parts = code.split(".")
    return ".".join(parts[:-1]) if len(parts) > 3 else None


def load_catalog() -> list[SearchDocument]:
    records = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))["resources"]
    documents = []
    for record in records:
        values = dict(record)
        codes = values.pop("topic_codes")
        published_at = values.pop("published_at")
        documents.append(
            build_document(
                id=record["external_id"],
                topic_codes=codes,
                topic_parents={code: topic_parent(code) for code in codes},
                published_at=SearchDocument.from_source(
                    {"id": "x", "title": "x", "published_at": published_at}
                ).published_at,
                **values,
            )
        )
    return documents


def load_judged() -> list[JudgedQuery]:
    return load_judged_queries(JUDGED_FILE)
