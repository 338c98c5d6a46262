"""``manage.py load_demo_catalog``: fill the catalog from the bundled snapshots with the real importers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from importers.demo import DEMO_SOURCES, load_demo_catalog


class Command(BaseCommand):
    help = "Загрузить демо-каталог: настоящие импортёры над снимками РЭШ, ЯКласс, Учи.ру и МЭШ (без интернета)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="*", help=f"по умолчанию — все: {', '.join(DEMO_SOURCES)}")

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = set(options["sources"]) - set(DEMO_SOURCES)
        if unknown:
            raise CommandError(f"нет демо-снимка для: {', '.join(sorted(unknown))}")
        for job in load_demo_catalog(tuple(options["sources"]) or DEMO_SOURCES):
            self.stdout.write(job.summary())
