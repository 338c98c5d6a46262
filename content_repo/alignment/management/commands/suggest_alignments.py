"""``manage.py suggest_alignments``: the engine's suggestions over the catalog (or a part of it), idempotent."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from content_repo.alignment.services import get_engine, select_resources, suggest_for


class Command(BaseCommand):
    help = (
        "Подобрать темы программы для ресурсов каталога: подсказки с оценкой и объяснением. Привязки методиста "
        "не трогаются; повторный запуск ничего не меняет."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", action="append", default=[], help="код источника (можно несколько раз)")
        parser.add_argument("--subject", action="append", default=[], help="код предмета (можно несколько раз)")
        parser.add_argument(
            "--only-missing", action="store_true", help="только ресурсы без единой привязки к программе"
        )
        parser.add_argument("--dry-run", action="store_true", help="посчитать, ничего не записывая")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(
            select_resources(
                sources=options["source"], subjects=options["subject"], only_missing=options["only_missing"]
            ).values_list("pk", flat=True)
        )
        started = time.perf_counter()
        engine = get_engine()
        built = time.perf_counter() - started
        with tqdm(total=len(ids), unit="рес.", desc="Подбор тем", disable=None, file=self.stderr) as bar:
            report = suggest_for(ids, dry_run=options["dry_run"], engine=engine, progress=bar.update)
        elapsed = time.perf_counter() - started - built
        rate = f", {report.resources / elapsed:.0f} рес./с" if elapsed > 0 and report.resources else ""
        prefix = "Пробный прогон (ничего не записано): " if options["dry_run"] else ""
        timing = f"{elapsed:.1f} с{rate} (программа прочитана за {built:.1f} с)"
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}; {timing}"))
