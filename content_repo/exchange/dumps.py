"""Bulk dumps: the whole published catalog in two files, for an aggregator that takes everything at once.

``export_catalog()`` (``manage.py export_catalog``, nightly from cron) writes, under ``dumps/<stamp>/`` of the
configured file storage (a local folder or any S3):

* ``catalog.jsonl.gz`` — JSON Lines, one resource per line as ``GET /api/v1/resources/{id}/`` shows it;
* ``catalog.jsonld.gz`` — one JSON-LD document (schema.org ``LearningResource`` nodes in ``@graph``);
* ``manifest.json`` — when, how many, each file's size and SHA-256, and the change-feed cursor the dump starts
  from: a consumer loads the dump, then follows ``/api/v1/changes/?since=<cursor>`` (entries it already has are
  replayed harmlessly).

Resources are read in pages by primary key, so memory stays flat whatever the catalog's size; the files are
written to a temporary folder and then stored, so a failed dump never replaces a good one. The newest
``DUMPS_KEEP`` dumps are kept.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from content_repo.api import jsonld
from content_repo.api.changes import latest_change
from content_repo.api.serializers import ResourceSerializer
from content_repo.api.views.read import published_resources
from content_repo.resources.models import Resource

from .conf import exchange_settings

__all__ = ["DUMP_FILES", "DumpFile", "dump_file_key", "export_catalog", "list_manifests"]

logger = logging.getLogger(__name__)

PREFIX = "dumps"
PAGE = 500
STAMP = re.compile(r"^\d{8}T\d{6}Z$")


@dataclass(frozen=True)
class DumpFile:
    """One file of a dump: its name and what it holds."""

    name: str
    format: str
    media_type: str


DUMP_FILES = (
    DumpFile("catalog.jsonl.gz", "jsonl", "application/x-ndjson"),
    DumpFile("catalog.jsonld.gz", "jsonld", "application/ld+json"),
)


def dump_file_key(stamp: str, name: str) -> str | None:
    """The storage key of a dump's file, or ``None`` for a name that is not one (no path ever comes from outside)."""
    if not STAMP.match(stamp) or name not in {f.name for f in DUMP_FILES} | {"manifest.json"}:
        return None
    return f"{PREFIX}/{stamp}/{name}"


def _pages() -> Iterator[list[Resource]]:
    last = None
    while True:
        query = published_resources().order_by("pk")
        page = list(query.filter(pk__gt=last)[:PAGE] if last is not None else query[:PAGE])
        if not page:
            return
        yield page
        last = page[-1].pk


def _write(folder: Path) -> int:
    """Both files of the dump in ``folder``; returns how many resources they hold."""
    count = 0
    with (
        gzip.open(folder / "catalog.jsonl.gz", "wt", encoding="utf-8") as lines,
        gzip.open(folder / "catalog.jsonld.gz", "wt", encoding="utf-8") as graph,
    ):
        graph.write('{"@context": ' + json.dumps(jsonld.CONTEXT, ensure_ascii=False) + ', "@graph": [\n')
        for page in _pages():
            documents = ResourceSerializer(page, many=True).data
            for resource, document in zip(page, documents, strict=True):
                lines.write(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
                graph.write((",\n" if count else "") + json.dumps(jsonld.resource_node(resource), ensure_ascii=False))
                count += 1
        graph.write("\n]}\n")
    return count


def _describe(path: Path, dump: DumpFile, stamp: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {
        "name": dump.name,
        "format": dump.format,
        "media_type": dump.media_type,
        "encoding": "gzip",
        "size": path.stat().st_size,
        "sha256": digest.hexdigest(),
        "url": f"{settings.CATALOG_BASE_URL}/api/v1/dumps/{stamp}/{dump.name}",
    }


def export_catalog() -> dict[str, Any]:
    """Write a new dump and its manifest; returns the manifest."""
    started = timezone.now()
    stamp = _free_stamp(started)
    change = latest_change()  # taken first: every change after it is in the feed, whatever the dump holds
    with tempfile.TemporaryDirectory(prefix="catalog-dump-") as temporary:
        folder = Path(temporary)
        count = _write(folder)
        files = [_describe(folder / dump.name, dump, stamp) for dump in DUMP_FILES]
        for dump in DUMP_FILES:
            with (folder / dump.name).open("rb") as stream:
                default_storage.save(f"{PREFIX}/{stamp}/{dump.name}", File(stream))
    manifest = {
        "stamp": stamp,
        "generated_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "catalog": settings.CATALOG_BASE_URL,
        "resources": count,
        "change_feed_cursor": change.seq if change else 0,
        "files": files,
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    with tempfile.TemporaryFile() as stream:
        stream.write(body)
        stream.seek(0)
        default_storage.save(f"{PREFIX}/{stamp}/manifest.json", File(stream))
    _prune(exchange_settings().dumps_keep)
    logger.info("catalog dump %s: %d resources", stamp, count)
    return manifest


def _free_stamp(moment: datetime) -> str:
    """The dump's folder name: its UTC second, the next free one if a dump of that second exists."""
    taken = set(_stamps())
    moment = moment.astimezone(UTC)
    while (stamp := moment.strftime("%Y%m%dT%H%M%SZ")) in taken:
        moment += timedelta(seconds=1)
    return stamp


def _stamps() -> list[str]:
    try:
        folders, _files = default_storage.listdir(PREFIX)
    except FileNotFoundError:
        return []
    return sorted((folder for folder in folders if STAMP.match(folder)), reverse=True)


def _prune(keep: int) -> None:
    for stamp in _stamps()[keep:]:
        _folders, files = default_storage.listdir(f"{PREFIX}/{stamp}")
        for name in files:
            default_storage.delete(f"{PREFIX}/{stamp}/{name}")


def list_manifests() -> list[dict[str, Any]]:
    """The manifests of the kept dumps, newest first (a dump without its manifest is not finished)."""
    manifests = []
    for stamp in _stamps():
        key = f"{PREFIX}/{stamp}/manifest.json"
        if default_storage.exists(key):
            with default_storage.open(key, "rb") as stream:
                manifests.append(json.loads(stream.read()))
    return manifests
