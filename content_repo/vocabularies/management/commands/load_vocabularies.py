from pathlib import Path

from django.core.management.base import BaseCommand

from content_repo.vocabularies.services import DEFAULT_VOCABULARIES, load_vocabularies


class Command(BaseCommand):
    help = "Загрузить словари (типы ресурсов, лицензии, условия доступа, языки…) из файла данных."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_VOCABULARIES)

    def handle(self, *args, path, **options):
        report = load_vocabularies(path)
        self.stdout.write(self.style.SUCCESS(f"Словари загружены: {report.summary()}"))
