"""Catch up missed indexing work: queued resources and drift between the catalog and the index.

Once (for cron or a systemd timer), or with ``--every SECONDS`` as a long-running process next to the web
server, so an engine that comes back is caught up even when nothing new is published.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.indexing import sweep


class Command(BaseCommand):
    help = (
        "Доиндексировать пропущенное: очередь SearchDirty и расхождения каталога с индексом. "
        "С --every N — повторять каждые N секунд (отдельный процесс рядом с веб-сервером)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, metavar="SECONDS", help="повторять с этим интервалом, не выходя")
        parser.add_argument("--times", type=int, metavar="N", help="с --every: остановиться после N проходов")

    def handle(self, *args: Any, every: float | None = None, times: int | None = None, **options: Any) -> None:
        if every is None:
            if failed := self._sweep_once():
                raise CommandError("недоступны: " + failed)
            return
        if every <= 0:
            raise CommandError("--every: интервал должен быть больше нуля")
        done = 0
        while times is None or done < times:
            # A backend that is down is reported and retried on the next pass: the loop itself never stops.
            if failed := self._sweep_once():
                self.stderr.write("недоступны: " + failed)
            done += 1
            if times is None or done < times:
                time.sleep(every)

    def _sweep_once(self) -> str:
        report = sweep()
        self.stdout.write(f"проиндексировано {report.indexed}, удалено {report.removed}")
        return "; ".join(f"{name}: {error}" for name, error in report.failed.items())
