"""``manage.py oai_sync``: let the OAI-PMH provider take in the change feed now (every request does it too;
after a bulk load this spares the first harvester the wait)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from content_repo.exchange.oai.sync import follow_feed


class Command(BaseCommand):
    help = "Учесть в записях OAI-PMH все новые записи ленты изменений."

    def handle(self, *args: Any, **options: Any) -> None:
        taken = follow_feed()
        self.stdout.write(self.style.SUCCESS(f"Записей ленты учтено: {taken}"))
