"""Rebuild a search index from the catalog: a new version filled in chunks, then swapped in at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from content_repo.resources.models import Resource
from search.backends import SearchBackendError
from search.backends.base import DEFAULT_CHUNK_SIZE
from search.indexing import index_targets, published_documents
from search.models import SearchDirty

MAINTENANCE_TIMEOUT_S = 300.0


class Command(BaseCommand):
    help = "Перестроить поисковый индекс: новая версия заполняется порциями и подменяет старую атомарно."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backend", help="имя из SEARCH_BACKENDS (по умолчанию — все)")
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)

    def handle(self, *args: Any, backend: str | None, chunk_size: int, **options: Any) -> None:
        targets = index_targets()
        if backend is not None:
            if backend not in targets:
                raise CommandError(f"нет бэкенда {backend!r}; есть: {', '.join(targets)}")
            targets = {backend: targets[backend]}
        total = Resource.objects.filter(live=True).count()
        for name, target in targets.items():
            started = timezone.now()
            if "TIMEOUT" in target.params or "URL" in target.params:
                # Refreshing a freshly filled index takes longer than a search may wait.
                timeout = max(float(target.params.get("TIMEOUT") or 0), MAINTENANCE_TIMEOUT_S)
                target = type(target)({**target.params, "TIMEOUT": timeout})
            bar = tqdm(total=total, desc=f"{name}", unit="док", disable=options["verbosity"] == 0)
            done = 0

            def advance(written: int, bar: Any = bar) -> None:
                nonlocal done
                bar.update(written - done)
                done = written

            try:
                result = target.rebuild(published_documents(chunk_size), chunk_size=chunk_size, progress=advance)
            except SearchBackendError as e:
                raise CommandError(f"{name}: перестроить индекс не удалось: {e}") from e
            finally:
                bar.close()
            # Work queued during the rebuild may have missed the new index: only older work is done.
            SearchDirty.objects.filter(backend=name, marked_at__lt=started).delete()
            replaced = ", ".join(result.replaced) or "—"
            self.stdout.write(f"{name}: {result.documents} документов в {result.index} (заменён: {replaced})")
