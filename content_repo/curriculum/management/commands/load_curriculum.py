from pathlib import Path

from django.core.management.base import BaseCommand

from content_repo.curriculum.services import DEFAULT_DATASET, load_curriculum


class Command(BaseCommand):
    help = (
        "Загрузить (или обновить) ФГОС/ФОП/ФРП и кодификаторы ФИПИ из набора данных; повторный запуск ничего не меняет."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DATASET, help="файл curriculum.json")

    def handle(self, *args, path: Path, **options):
        report = load_curriculum(path)
        self.stdout.write(report.summary())
        verdict = "изменений нет" if report.changed == 0 else f"изменено записей: {report.changed}"
        self.stdout.write(self.style.SUCCESS(f"Программа загружена из {path}: {verdict}"))
