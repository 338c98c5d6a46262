"""List (or, with --apply, delete) stored objects no row references and rows whose object is missing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from storage.services import delete_orphans, find_orphans


class Command(BaseCommand):
    help = "Находит «осиротевшие» объекты хранилища и записи без объекта; с --apply удаляет их."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="удалить найденное (без флага — только список)")

    def handle(self, *args: Any, apply: bool, **options: Any) -> None:
        report = find_orphans()
        for key in report.objects_without_row:
            self.stdout.write(f"объект без записи: {key}")
        for key in report.stale_uploads:
            self.stdout.write(f"незавершённая загрузка: {key}")
        for row in report.rows_without_object:
            self.stdout.write(f"запись без объекта: #{row.pk} {row.key}")
        if report.is_clean:
            self.stdout.write("Хранилище в порядке: ничего лишнего нет.")
            return
        if not apply:
            self.stdout.write("Ничего не удалено; запустите с --apply, чтобы удалить.")
            return
        kept = delete_orphans(report)
        for row in kept:
            self.stdout.write(f"запись #{row.pk} {row.key} оставлена: на неё ссылаются ресурсы")
        self.stdout.write(self.style.SUCCESS("Удаление выполнено."))
