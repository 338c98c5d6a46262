"""``manage.py export_catalog``: a dump of the published catalog now (cron runs it nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from content_repo.exchange.dumps import export_catalog


class Command(BaseCommand):
    help = "Выгрузить опубликованный каталог (JSON Lines и JSON-LD, gzip) с манифестом в хранилище файлов."

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = export_catalog()
        sizes = ", ".join(f"{f['name']} {f['size']:,} байт" for f in manifest["files"])
        summary = f"Выгрузка {manifest['stamp']}: ресурсов {manifest['resources']}; {sizes}"
        self.stdout.write(self.style.SUCCESS(summary))
