"""Compare each search backend with the catalog: documents, missing, extra, stale, queued."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from content_repo.resources.models import Resource
from search.backends import SearchBackendError
from search.indexing import index_targets
from search.models import SearchDirty, SearchEntry


class Command(BaseCommand):
    help = "Состояние поисковых индексов по сравнению с базой: число документов, пропущенные, лишние, устаревшие."

    def handle(self, *args: Any, **options: Any) -> None:
        live = {str(pk): updated for pk, updated in Resource.objects.filter(live=True).values_list("pk", "updated_at")}
        self.stdout.write(f"опубликовано ресурсов: {len(live)}")
        for name, backend in index_targets().items():
            status = backend.status()
            queued = SearchDirty.objects.filter(backend=name).count()
            line = f"{name} ({backend.name}): "
            if not status.reachable:
                self.stdout.write(line + f"НЕДОСТУПЕН ({status.detail}); в очереди: {queued}")
                continue
            try:
                indexed = self._indexed(backend)
            except SearchBackendError as e:
                self.stdout.write(line + f"ошибка: {e}")
                continue
            missing = len(live.keys() - indexed.keys())
            extra = len(indexed.keys() - live.keys())
            stale = sum(1 for key, at in indexed.items() if at is not None and key in live and at < live[key])
            self.stdout.write(
                line + f"индекс {status.index}, документов {status.documents}; пропущено {missing}, "
                f"лишних {extra}, устаревших {stale}, в очереди {queued}"
            )

    @staticmethod
    def _indexed(backend: Any) -> dict[str, Any]:
        if backend.name == "database":
            return dict(SearchEntry.objects.filter(published=True).values_list("doc_id", "indexed_at"))
        return dict.fromkeys(backend.indexed_ids())
