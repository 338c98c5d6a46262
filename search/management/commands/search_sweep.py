"""Catch up missed indexing work: queued resources and drift between the catalog and the index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from search.indexing import sweep


class Command(BaseCommand):
    help = "Доиндексировать пропущенное: очередь SearchDirty и расхождения каталога с индексом."

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep()
        self.stdout.write(f"проиндексировано {report.indexed}, удалено {report.removed}")
        if report.failed:
            raise CommandError("недоступны: " + "; ".join(f"{n}: {e}" for n, e in report.failed.items()))
