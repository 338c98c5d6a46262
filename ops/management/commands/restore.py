"""``manage.py restore FOLDER``: put a backup back, apply newer migrations, rebuild the search indexes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Восстановить каталог из копии manage.py backup: база, файлы (с проверкой хешей), миграции новее копии, "
        "перестройка поисковых индексов. Останавливает работу, если в базе уже есть ресурсы (кроме --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="папка копии")
        parser.add_argument("--force", action="store_true", help="заменить каталог, в котором уже есть ресурсы")
        parser.add_argument("--skip-index", action="store_true", help="не перестраивать поисковые индексы")

    def handle(self, *args: Any, folder: Path, force: bool, skip_index: bool, **options: Any) -> None:
        try:
            summary = restore(folder, force=force)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"База {summary.database}: ресурсов {summary.resources}; файлов {summary.files}")
        call_command("migrate", interactive=False, verbosity=0)
        if not skip_index:
            call_command("rebuild_search_index", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Каталог восстановлен из {folder}"))
