from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from content_repo.curriculum.services import DEFAULT_DATASET, load_curriculum


class Command(BaseCommand):
    help = (
        "Загрузить (или обновить) ФГОС/ФОП/ФРП и кодификаторы ФИПИ из набора данных; повторный запуск ничего не меняет."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DATASET, help="файл curriculum.json")
        parser.add_argument("--case", metavar="FILE_OR_URL", help="пакет IMS CASE 1.1 (CFPackage): файл или адрес")

    def handle(self, *args, path: Path, **options):
        if options["case"]:
            return self.load_case(options["case"])
        report = load_curriculum(path)
        self.stdout.write(report.summary())
        verdict = "изменений нет" if report.changed == 0 else f"изменено записей: {report.changed}"
        self.stdout.write(self.style.SUCCESS(f"Программа загружена из {path}: {verdict}"))

    def load_case(self, location: str) -> None:
        """A CFPackage (content_repo/exchange/case): all or nothing, every problem named."""
        from content_repo.exchange.case.importing import CaseImportError, load_case_package, read_package

        try:
            report = load_case_package(read_package(location), location)
        except CaseImportError as error:
            raise CommandError("\n".join(["пакет CASE не загружен, ничего не изменено:", *error.problems])) from error
        self.stdout.write(report.summary())
        verdict = "изменений нет" if report.changed == 0 else f"изменено записей: {report.changed}"
        self.stdout.write(self.style.SUCCESS(f"Пакет CASE загружен из {location}: {verdict}"))
