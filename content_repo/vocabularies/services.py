"""Loading the controlled vocabularies from `data/vocabularies.json` (idempotent, by stable code)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from content_repo.curriculum.services import LoadReport

from .models import Term

DEFAULT_VOCABULARIES = Path(__file__).resolve().parent / "data" / "vocabularies.json"


def load_vocabularies(path: Path | None = None) -> LoadReport:
    data = json.loads((path or DEFAULT_VOCABULARIES).read_text(encoding="utf-8"))
    report = LoadReport()
    existing = {(t.vocabulary, t.code): t for t in Term.objects.all()}
    with transaction.atomic():
        for vocabulary, spec in data.items():
            if vocabulary not in Term.Vocabulary.values:
                raise ValueError(f"unknown vocabulary {vocabulary!r} in {path}")
            for order, entry in enumerate(spec["terms"]):
                values = {
                    "label": entry["label"],
                    "term": entry.get("term", ""),
                    "uri": entry.get("uri", ""),
                    "order": order,
                    "extra": entry.get("extra", {}),
                }
                term = existing.get((vocabulary, entry["code"]))
                if term is None:
                    Term.objects.create(vocabulary=vocabulary, code=entry["code"], **values)
                    report.add("terms", "created")
                elif any(getattr(term, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(term, k, v)
                    term.save()
                    report.add("terms", "updated")
                else:
                    report.add("terms", "unchanged")
    return report


def term(vocabulary: str, code: str | None) -> Term | None:
    """The term of a vocabulary by code, or None for an empty code (raises Term.DoesNotExist if unknown)."""
    if not code:
        return None
    return Term.objects.get(vocabulary=vocabulary, code=code)
