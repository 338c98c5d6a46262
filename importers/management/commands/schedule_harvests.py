"""``manage.py schedule_harvests``: enqueue the harvests whose interval has passed (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from importers.scheduling import enqueue_due_harvests


class Command(BaseCommand):
    help = "Поставить в очередь сбор источников, у которых подошло время по расписанию."

    def handle(self, *args: Any, **options: Any) -> None:
        codes = enqueue_due_harvests()
        self.stdout.write(f"в очереди: {', '.join(codes)}" if codes else "нет источников, которым пора собираться")
