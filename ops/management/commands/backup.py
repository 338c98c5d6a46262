"""``manage.py backup FOLDER``: the database, the files in storage and the configuration (ops/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Резервная копия каталога в новую папку: база данных, файлы хранилища, настройки (без секретов)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="новая (или пустая) папка для копии")
        parser.add_argument(
            "--with-secrets", action="store_true", help="записать в config.env и секреты (храните копию зашифрованной)"
        )

    def handle(self, *args: Any, folder: Path, with_secrets: bool, **options: Any) -> None:
        try:
            summary = backup(folder, with_secrets=with_secrets)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(
            self.style.SUCCESS(
                f"Копия в {folder}: база {summary.database} (ресурсов {summary.resources}), "
                f"файлов {summary.files} ({summary.bytes} байт)"
            )
        )
