"""The judged set for curriculum alignment: resource records labelled by hand with the nodes a methodist accepts.

Two files under ``judged/``: ``dev.json`` (the development set, free to tune against) and ``holdout.json``
(read once, at the end, to see whether the figures hold on records nobody tuned against — never tune on it).
The schema and the labelling rules are in ``judged/README.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

JUDGED_DIR = Path(__file__).resolve().parent / "judged"
NAMES = ("dev", "holdout")


def load(name: str) -> list[dict[str, Any]]:
    """The records of one judged file, ``"dev"`` or ``"holdout"``, in file order."""
    if name not in NAMES:
        raise ValueError(f"unknown judged set {name!r}: expected one of {', '.join(NAMES)}")
    path = JUDGED_DIR / f"{name}.json"
    with path.open(encoding="utf-8") as f:
        records: list[dict[str, Any]] = json.load(f)
    return records
