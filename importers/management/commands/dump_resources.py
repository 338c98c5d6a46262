"""``manage.py dump_resources [--source CODE]``: the catalog as JSON Lines, one resource a line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from importers.export import resource_lines


class Command(BaseCommand):
    help = "Выгрузить ресурсы каталога в JSON Lines (source, external_id, url, title, subjects, grades, …)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help="только ресурсы этого источника")
        parser.add_argument("--output", "-o", help="файл (по умолчанию — стандартный вывод)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as output:
                for line in resource_lines(options["source"]):
                    output.write(line + "\n")
            return
        for line in resource_lines(options["source"]):
            self.stdout.write(line)
